// Shell completion (scripts/build-completions.mjs from each bin's --help and completions/<bin>.json),
// loaded by the real shells: bash with Debian's bash-completion, zsh's compinit, fish.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bins, root } from './helpers/bins.js';
import { withNamespace } from './helpers/namespace.js';
import { buildScript } from './helpers/script.js';

const PRIVATE_SEGMENT = `import { createShm } from '@ipcutils/core';
createShm({ size: 4096 });
`;

const PATH = `${join(root, 'bin')}:${process.env.PATH}`;
const share = (packageDir: string, sub: string) => join(packageDir, 'dist', 'share', sub);
const packageOf = (name: string) => bins.find((bin) => bin.name === name)!.packageDir;

/**
 * Calls the completion function bash would call for `line` (completing at its end), after loading
 * bash-completion and the bin's completion file; prints COMPREPLY, one a line.
 */
const BASH_DRIVER = `
source /usr/share/bash-completion/bash_completion
source "$1"
line=$2
read -ra COMP_WORDS <<<"$line"
[[ $line == *' ' ]] && COMP_WORDS+=('')
COMP_LINE=$line COMP_POINT=\${#line} COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
fn=$(complete -p "\${COMP_WORDS[0]}" | sed -E 's/.* -F ([^ ]+) .*/\\1/')
"$fn" "\${COMP_WORDS[0]}" "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}" 2>/dev/null
(( \${#COMPREPLY[@]} )) && printf '%s\\n' "\${COMPREPLY[@]}"
`;

function bashArgs(line: string) {
  const bin = line.split(' ')[0]!;
  const file = join(share(packageOf(bin), 'bash-completion/completions'), bin);
  return ['--norc', '--noprofile', '-c', BASH_DRIVER, 'bash', file, line];
}

function bashComplete(line: string, cwd = root): string[] {
  const result = spawnSync('bash', bashArgs(line), { encoding: 'utf8', cwd, env: { PATH, LC_ALL: 'C' } });
  expect(result.stderr).toBe('');
  return result.stdout.split('\n').filter(Boolean);
}

function fishArgs(line: string) {
  const dir = share(packageOf(line.split(' ')[0]!), 'fish/vendor_completions.d');
  return ['--no-config', '-c', `set -p fish_complete_path ${dir}; complete -C ${JSON.stringify(line)}`];
}

function fishComplete(line: string): string[] {
  const result = spawnSync('fish', fishArgs(line), { encoding: 'utf8', env: { PATH, LC_ALL: 'C' } });
  expect(result.stderr).toBe('');
  return result.stdout
    .split('\n')
    .filter(Boolean)
    .map((candidate) => candidate.split('\t')[0]!);
}

/** The long options a bin's --help lists. */
function longOptions(file: string): string[] {
  const help = spawnSync(file, ['--help'], { encoding: 'utf8', env: { PATH, LC_ALL: 'C' } }).stdout;
  const names = help
    .split('\n')
    .filter((line) => line.trimStart().startsWith('-'))
    .flatMap((line) =>
      [
        ...line
          .trimStart()
          .split(/ {2,}/)[0]!
          .matchAll(/--[a-z][\w-]*/g),
      ].map((m) => m[0]),
    );
  return [...new Set(names)];
}

/** ipcctl has commands, each with its own options: its completions are written by hand. */
const withCommands = new Set(['ipcctl']);
const flat = bins.filter((bin) => !withCommands.has(bin.name));

/** What ipcctl's completions must offer: its commands, then each group's actions and options. */
const IPCCTL_CASES: readonly (readonly [string, readonly string[]])[] = [
  [
    'ipcctl ',
    ['chmod', 'chown', 'exists', 'leakcheck', 'metrics', 'mq', 'msg', 'psem', 'pshm', 'sem', 'shm', 'wait'],
  ],
  ['ipcctl wait ', ['mq', 'msg', 'psem', 'pshm', 'sem', 'shm']],
  ['ipcctl wait shm --', ['--gone', '--help', '--json', '--key', '--timeout']],
  ['ipcctl msg ', ['drain', 'peek', 'recv', 'send', 'set']],
  ['ipcctl sem ', ['get', 'op', 'post', 'run', 'set', 'setall', 'wait']],
  [
    'ipcctl msg recv --',
    ['--except', '--help', '--json', '--key', '--noerror', '--nowait', '--timeout', '--type'],
  ],
  ['ipcctl metrics --', ['--help', '--json', '--listen', '--textfile', '--top']],
  ['ipcctl mq attr /q --', ['--help', '--json', '--nonblock']],
  ['ipcctl mq attr /q --nonblock ', ['off', 'on']],
];

describe('bash', () => {
  it("ipcctl <TAB>: its commands, then each group's actions and an action's options", () => {
    for (const [line, expected] of IPCCTL_CASES) {
      const offered = bashComplete(line).filter(
        (word) => !['--help', '--json', '--version'].includes(word) || line.endsWith('--'),
      );
      expect({ line, offered: offered.sort() }).toEqual({ line, offered: [...expected].sort() });
    }
  });

  it.each(flat)('$name: completes every long option of its --help', ({ name, file }) => {
    const options = longOptions(file);
    expect(options.length).toBeGreaterThan(1);
    expect(bashComplete(`${name} --`).sort()).toEqual(options.sort());
  });

  it('lsipc -o KEY,<TAB>: the other columns, after the comma', () => {
    const candidates = bashComplete('lsipc -o KEY,');
    expect(candidates).toContain('KEY,ID,');
    expect(candidates).toContain('KEY,USE%,');
    expect(candidates).toContain('KEY,HOLDERS,');
    expect(candidates).not.toContain('KEY,KEY,');
    expect(bashComplete('lsipc --output=KEY,ID,NA').sort()).toEqual(['KEY,ID,NAME,', 'KEY,ID,NATTCH,']);
  });

  it('value lists: --time-format, ipcrm --all= categories, lsfifo -o', () => {
    expect(bashComplete('lsipc --time-format ')).toEqual(['short', 'full', 'iso']);
    expect(bashComplete('ipcrm --all=p')).toEqual(['pshm', 'pmsg', 'psem']);
    expect(bashComplete('lsfifo -o PATH,HO')).toEqual(['PATH,HOLDERS,']);
  });

  it('ipcrm -m <TAB>: the ids of live segments; -M their keys; --posix-shmem their names', async () => {
    await withNamespace(async (ns) => {
      const env = { PATH };
      const made = await ns.run('ipcmk', ['--shmem', '4096', '--key', '0x1234', '--json'], { env });
      const id = String(JSON.parse(made.stdout).resources[0].id);
      await ns.run('ipcmk', ['-M', '8192'], { env });
      await ns.run('ipcmk', ['-m', '4096', '-n', '/completion-demo'], { env });
      // An IPC_PRIVATE segment: its id is offered, its key 0 (which ipcrm -M refuses) is not.
      const made0 = await ns.run('node', [await buildScript(PRIVATE_SEGMENT)], { env });
      expect(made0).toMatchObject({ status: 0, stderr: '' });
      const ids = (await ns.run('bash', bashArgs('ipcrm -m '), { env })).stdout.split('\n').filter(Boolean);
      expect(ids).toHaveLength(3);
      expect(ids).toContain(id);
      expect((await ns.run('bash', bashArgs('ipcrm -M 0x0000'), { env })).stdout).toBe('0x00001234\n');
      expect((await ns.run('bash', bashArgs('lsipc --key 0x0000'), { env })).stdout).toBe('0x00001234\n');
      expect((await ns.run('bash', bashArgs('ipcrm --posix-shmem '), { env })).stdout).toMatch(
        /completion-demo\n$/,
      );
      expect((await ns.run('bash', bashArgs('ipcrm -q '), { env })).stdout).toBe('');
      expect((await ns.run('bash', bashArgs('ipcrm -Q '), { env })).stdout).toBe('');
      const fish = (await ns.run('fish', fishArgs('ipcrm -m '), { env })).stdout.split('\n').filter(Boolean);
      expect(fish.map((candidate) => candidate.split('\t')[0]).sort()).toEqual([...ids].sort());
    });
  });

  describe('rmfifo <TAB>', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'rmfifo-completion-'));
      spawnSync('mkfifo', [join(dir, 'pipe')]);
      writeFileSync(join(dir, 'plain'), '');
      mkdirSync(join(dir, 'sub'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('offers FIFOs and directories, not other files', () => {
      expect(bashComplete('rmfifo ', dir).sort()).toEqual(['pipe', 'sub']);
    });
  });
});

describe('fish', () => {
  it("ipcctl <TAB>: its commands, then each group's actions and an action's options", () => {
    for (const [line, expected] of IPCCTL_CASES) {
      expect({ line, offered: fishComplete(line).sort() }).toEqual({ line, offered: [...expected].sort() });
    }
  });

  it.each(flat)('$name: loads and completes every long option of its --help', ({ name, file }) => {
    expect(fishComplete(`${name} --`).sort()).toEqual(longOptions(file).sort());
  });

  it('completes option values', () => {
    expect(fishComplete('lsipc --time-format ').sort()).toEqual(['full', 'iso', 'short']);
    expect(fishComplete('lsipc -o KEY,NA').sort()).toEqual(['KEY,NAME', 'KEY,NATTCH']);
    expect(fishComplete('ipcrm --all=p').sort()).toEqual(['--all=pmsg', '--all=psem', '--all=pshm']);
  });
});

describe('zsh', () => {
  it('compinit finds and loads the function of every bin, which knows its long options', () => {
    const home = mkdtempSync(join(tmpdir(), 'zsh-'));
    try {
      const dirs = [...new Set(bins.map((bin) => share(bin.packageDir, 'zsh/site-functions')))];
      const names = bins.map((bin) => bin.name);
      const script = `fpath=(${dirs.join(' ')} $fpath); autoload -U compinit; compinit -u -d ${home}/dump
        for name in ${names.join(' ')}; do print -r -- $_comps[$name]; autoload +X _$name && print loaded; done`;
      const result = spawnSync('zsh', ['-f', '-c', script], { encoding: 'utf8', env: { PATH, LC_ALL: 'C' } });
      expect(result).toMatchObject({
        status: 0,
        stderr: '',
        stdout: names.map((name) => `_${name}\nloaded\n`).join(''),
      });
      for (const { name, file, packageDir } of flat) {
        const source = readFileSync(join(share(packageDir, 'zsh/site-functions'), `_${name}`), 'utf8');
        for (const option of longOptions(file)) expect(source).toContain(`'${option}`);
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('an interactive zsh on a terminal lists options and values on TAB', async () => {
    const home = mkdtempSync(join(tmpdir(), 'zsh-'));
    const dir = share(packageOf('lsipc'), 'zsh/site-functions');
    writeFileSync(
      join(home, '.zshrc'),
      `fpath=(${dir} $fpath)\nautoload -U compinit && compinit -u -d ${home}/dump\nPS1='READY%# '\n`,
    );
    try {
      const output = await interact(home, ['lsipc --no\t', 'lsipc --time-format \t']);
      expect(output).toMatch(/--noheadings.*don't print headings/);
      expect(output).toMatch(/--notruncate/);
      expect(output).toMatch(/short\s+full\s+iso|full\s+iso\s+short/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

/** Runs zsh -i on a pty (script(1)), typing each input once a prompt shows; returns all output. */
function interact(home: string, inputs: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', 'zsh -i', '/dev/null'], {
      env: { PATH, LC_ALL: 'C', TERM: 'dumb', ZDOTDIR: home, HOME: home },
    });
    let output = '';
    let started = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`zsh did not answer: ${output}`));
    }, 60_000);
    // Each input, then ^U (kill the line) once zsh has had the time to answer it; then exit.
    const type = async () => {
      for (const input of inputs) {
        child.stdin.write(input);
        await new Promise((done) => setTimeout(done, 2000));
        child.stdin.write('\x15');
      }
      child.stdin.end('exit\n');
    };
    const next = () => {
      if (started || !output.includes('READY')) return;
      started = true;
      void type();
    };
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      next();
    });
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(output);
    });
  });
}
