// main's usage paths only: nothing here reaches an IPC object.
import { memoryIo } from '@ipcutils/cli';
import { expect, it } from 'vitest';
import { main } from '../src/main.js';

const run = (...argv: string[]) => {
  const io = memoryIo({ programName: 'ipcrm', argv0: 'ipcrm' });
  const status = io.take(main(argv, io));
  return { status, stdout: io.stdout, stderr: io.stderr };
};

it('prints "bad usage" with the try-help line for no arguments', () => {
  expect(run()).toEqual({
    status: 1,
    stdout: '',
    stderr: "ipcrm: bad usage\nTry 'ipcrm --help' for more information.\n",
  });
});

it('prints warnings met before --help, then the help, and exits 0', () => {
  const result = run('-M', '0', '--help');
  expect(result.status).toBe(0);
  expect(result.stderr).toBe('ipcrm: illegal key (0)\n');
  expect(result.stdout).toMatch(/^\nUsage:\n ipcrm \[options\]\n/);
});

it('prints the version on stdout only', () => {
  expect(run('-V')).toEqual({ status: 0, stdout: 'ipcrm from ipcutils 0.2.0\n', stderr: '' });
});

it('prints every diagnostic in order and exits 1', () => {
  expect(run('-S', '0x0', '-m', '1', 'leftover')).toEqual({
    status: 1,
    stdout: '',
    stderr:
      "ipcrm: illegal key (0x0)\nipcrm: unknown argument: leftover\nTry 'ipcrm --help' for more information.\n",
  });
});

it("prefixes getopt's messages with argv[0] and the others with the program name", () => {
  const io = memoryIo({ programName: 'ipcrm', argv0: './bin/ipcrm' });
  expect(io.take(main(['--bogus'], io))).toBe(1);
  expect(io.stderr).toBe(
    "./bin/ipcrm: unrecognized option '--bogus'\nTry 'ipcrm --help' for more information.\n",
  );
});
