import { describe, expect, it } from 'vitest';
import type { Created } from '../src/create.js';
import {
  formatCreated,
  formatDiagnostic,
  formatFailure,
  formatJson,
  formatKeyFailure,
} from '../src/messages.js';

describe('formatCreated', () => {
  it.each([
    [{ kind: 'shm', id: 9, key: 1 }, 'Shared memory id: 9\n'],
    [{ kind: 'msg', id: 6, key: 1 }, 'Message queue id: 6\n'],
    [{ kind: 'sem', id: 3, key: 1 }, 'Semaphore id: 3\n'],
    [{ kind: 'pshm', name: 'ps1' }, 'POSIX shared memory name: ps1\n'],
    [{ kind: 'pmsg', name: '/pq1' }, 'POSIX message queue name: /pq1\n'],
    [{ kind: 'psem', name: '/psem1' }, 'POSIX semaphore name: /psem1\n'],
  ] as const)('%j', (created, line) => {
    expect(formatCreated(created)).toBe(line);
  });
});

describe('formatFailure', () => {
  it("keeps util-linux's wording, misspelling included", () => {
    const failure = (kind: Created['kind']) =>
      formatFailure({ kind, code: 'EINVAL', reason: 'Invalid argument' });
    expect(failure('shm')).toBe('create share memory failed: Invalid argument');
    expect(failure('msg')).toBe('create message queue failed: Invalid argument');
    expect(failure('sem')).toBe('create semaphore failed: Invalid argument');
    expect(failure('pshm')).toBe('create POSIX shared memory failed: Invalid argument');
    expect(failure('pmsg')).toBe('create POSIX message queue failed: Invalid argument');
    expect(failure('psem')).toBe('create POSIX semaphore failed: Invalid argument');
  });

  it('says which key is taken', () => {
    const taken = (kind: 'shm' | 'msg' | 'sem', key: number) =>
      formatFailure({ kind, code: 'EEXIST', reason: 'File exists', existingKey: key });
    expect(taken('shm', 0x1234)).toBe('create shared memory failed: key 0x00001234 already exists');
    expect(taken('msg', -1)).toBe('create message queue failed: key 0xffffffff already exists');
    expect(taken('sem', 0x7b)).toBe('create semaphore failed: key 0x0000007b already exists');
  });

  it('words an ftok failure with the path', () => {
    expect(formatKeyFailure({ path: '/nope', reason: 'No such file or directory' })).toBe(
      'cannot derive a key from /nope: No such file or directory',
    );
  });
});

describe('formatDiagnostic', () => {
  const tryHelp = "Try 'ipcmk --help' for more information.\n";
  it.each([
    [{ kind: 'getopt', message: "ipcmk: invalid option -- 'Z'" }, `ipcmk: invalid option -- 'Z'\n${tryHelp}`],
    [
      { kind: 'parse-failed', value: 'size', text: 'abc', reason: 'invalid' },
      "ipcmk: failed to parse size: 'abc': Invalid argument\n",
    ],
    [
      { kind: 'parse-failed', value: 'size', text: '16E', reason: 'range' },
      "ipcmk: failed to parse size: '16E': Numerical result out of range\n",
    ],
    [
      { kind: 'parse-failed', value: 'elements', text: 'x', reason: 'invalid' },
      "ipcmk: failed to parse elements: 'x'\n",
    ],
    [
      { kind: 'parse-failed', value: 'mode', text: '999', reason: 'invalid' },
      "ipcmk: failed to parse mode: '999'\n",
    ],
    [
      { kind: 'parse-failed', value: 'mode', text: '77777', reason: 'range' },
      "ipcmk: failed to parse mode: '77777': Numerical result out of range\n",
    ],
    [
      { kind: 'parse-failed', value: 'key', text: 'z', reason: 'invalid' },
      "ipcmk: failed to parse key: 'z'\n",
    ],
    [{ kind: 'bad-usage' }, `ipcmk: bad usage\n${tryHelp}`],
    [{ kind: 'name-required' }, `ipcmk: name is required for POSIX IPC\n${tryHelp}`],
    [
      { kind: 'conflicting-options', options: ['--key', '--ftok'] },
      `ipcmk: options --key and --ftok cannot be combined\n${tryHelp}`,
    ],
    [
      { kind: 'missing-option', option: '--project-id', required: '--ftok' },
      `ipcmk: --project-id requires --ftok\n${tryHelp}`,
    ],
    [
      { kind: 'sysv-only', option: '--key' },
      `ipcmk: --key applies only to System V resources (-M, -Q, -S)\n${tryHelp}`,
    ],
  ] as const)('%j', (diagnostic, text) => {
    expect(formatDiagnostic(diagnostic, 'ipcmk')).toBe(text);
  });
});

describe('formatJson', () => {
  it('prints one typed object per resource, keys as unsigned numbers and as ipcs prints them, names with their "/"', () => {
    const created: Created[] = [
      { kind: 'shm', id: 0, key: -559038737 },
      { kind: 'pmsg', name: '/q' },
      { kind: 'pshm', name: 'data' },
    ];
    expect(JSON.parse(formatJson(created))).toEqual({
      resources: [
        { type: 'shm', id: 0, key: 0xdeadbeef, key_hex: '0xdeadbeef' },
        { type: 'pmsg', name: '/q' },
        { type: 'pshm', name: '/data' },
      ],
    });
    expect(formatJson([])).toBe('{\n  "resources": []\n}\n');
  });
});
