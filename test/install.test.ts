// The one-command install (scripts/install-global.mjs), as a user who is not root, into a private
// npm prefix: the bins run from outside the clone, man finds their pages, bash-completion their
// completions, and npm uninstall removes them. scripts/setup.sh as nobody on a fresh clone. And
// packing leaves the working tree clean.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bins, root } from './helpers/bins.js';
import { NOBODY } from './helpers/namespace.js';

const packages = [...new Set(bins.map((bin) => bin.packageDir))].map((dir) =>
  spawnSync(process.execPath, ['-p', `require(${JSON.stringify(join(dir, 'package.json'))}).name`], {
    encoding: 'utf8',
  }).stdout.trim(),
);
const version = spawnSync(
  process.execPath,
  ['-p', `require(${JSON.stringify(join(root, 'packages/core/package.json'))}).version`],
  {
    encoding: 'utf8',
  },
).stdout.trim();

describe('install-global as nobody into a private prefix', () => {
  let dir: string;
  let prefix: string;
  let env: NodeJS.ProcessEnv;

  /** Runs a command as nobody, from / (outside the clone). */
  const asNobody = (file: string, args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const result = spawnSync(
      'setpriv',
      [`--reuid=${NOBODY.uid}`, `--regid=${NOBODY.gid}`, '--clear-groups', '--', file, ...args],
      { cwd: '/', encoding: 'utf8', env: { ...env, ...extra }, timeout: 280_000 },
    );
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const userPath = () => `${join(prefix, 'bin')}:/usr/bin:/bin`;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'install-'));
    chmodSync(dir, 0o755);
    const home = join(dir, 'home');
    mkdirSync(home);
    chownSync(home, NOBODY.uid, NOBODY.gid);
    prefix = join(home, 'prefix');
    // npm keeps the environment's registry, proxy and certificate settings; the rest is nobody's.
    env = {
      ...process.env,
      HOME: home,
      npm_config_cache: join(home, '.npm'),
      npm_config_update_notifier: 'false',
    };
    const install = asNobody(process.execPath, [
      join(root, 'scripts/install-global.mjs'),
      '--prefix',
      prefix,
    ]);
    expect(install.stderr).not.toMatch(/Error/);
    expect(install.status).toBe(0);
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('installs every bin, which runs from outside the clone', () => {
    expect(readdirSync(join(prefix, 'bin')).sort()).toEqual(bins.map((bin) => bin.name).sort());
    for (const { name } of bins) {
      const result = asNobody(join(prefix, 'bin', name), ['--version']);
      expect(result).toMatchObject({ status: 0, stderr: '' });
      expect(result.stdout).toContain(version);
    }
    const list = asNobody(join(prefix, 'bin', 'lsipc'), ['-g', '--noheadings', '-o', 'RESOURCE']);
    expect(list).toMatchObject({ status: 0, stderr: '' });
    expect(list.stdout).toContain('SHMMNI');
    // prom-client is bundled: the installed package depends on ffi-rs alone.
    const metrics = asNobody(join(prefix, 'bin', 'ipcctl'), ['metrics', '--top', '0']);
    expect(metrics).toMatchObject({ status: 0, stderr: '' });
    expect(metrics.stdout).toContain('# TYPE ipc_resource_limit gauge\n');
    expect(readdirSync(join(prefix, 'lib/node_modules/@ipcutils/ipcctl/node_modules'))).not.toContain(
      'prom-client',
    );
  });

  it('man finds our pages for the bins on PATH', () => {
    for (const { name } of bins) {
      const where = asNobody('man', ['-w', name], { PATH: userPath() });
      // man-db names the file the link in share/man/man1 points to.
      expect(where.stdout.trim()).toBe(realpathSync(join(prefix, 'share/man/man1', `${name}.1`)));
      expect(where.stdout.trim().startsWith(prefix)).toBe(true);
    }
    const page = asNobody('man', ['lsipc'], { PATH: userPath(), MANPAGER: 'cat', MANWIDTH: '80' });
    expect(page.stdout).toContain('--typed-json');
    expect(page.stdout).toContain(`ipcutils ${version}`);
  });

  it('bash-completion loads the completions from the prefix', () => {
    const script =
      'source /usr/share/bash-completion/bash_completion; __load_completion lsipc && complete -p lsipc';
    const result = asNobody('bash', ['--norc', '--noprofile', '-c', script], {
      PATH: userPath(),
      XDG_DATA_DIRS: join(prefix, 'share'),
    });
    expect(result).toMatchObject({ status: 0, stdout: 'complete -F _ipcutils_lsipc lsipc\n' });
  });

  it('npm uninstall removes the bins and the pages', () => {
    const result = asNobody('npm', ['uninstall', '--global', '--prefix', prefix, ...packages]);
    expect(result.status).toBe(0);
    expect(readdirSync(join(prefix, 'bin'))).toEqual([]);
    expect(readdirSync(join(prefix, 'share/man/man1'))).toEqual([]);
    const scope = join(prefix, 'lib/node_modules/@ipcutils');
    expect(existsSync(scope) ? readdirSync(scope) : []).toEqual([]);
  });
});

it("install-global never replaces or removes a completion file that is not its link (util-linux's, under --prefix /usr)", () => {
  const prefix = mkdtempSync(join(tmpdir(), 'install-taken-'));
  try {
    const completions = join(prefix, 'share/bash-completion/completions');
    mkdirSync(completions, { recursive: true });
    writeFileSync(join(completions, 'ipcs'), '# util-linux ipcs completion\n');
    const script = join(root, 'scripts/install-global.mjs');
    const install = spawnSync(process.execPath, [script, '--prefix', prefix], { encoding: 'utf8' });
    expect(install.status).toBe(1);
    expect(install.stderr).toBe(
      [
        `install-global: ${join(completions, 'ipcs')} exists and is not ours: not replacing it`,
        'install-global: nothing installed (move those files away, or choose another --prefix)',
        '',
      ].join('\n'),
    );
    expect(readdirSync(prefix)).toEqual(['share']);
    symlinkSync('/usr/share/bash-completion/completions/lsipc', join(completions, 'lsipc'));
    const uninstall = spawnSync(process.execPath, [script, '--uninstall', '--prefix', prefix], {
      encoding: 'utf8',
    });
    expect(uninstall.status).toBe(0);
    expect(readFileSync(join(completions, 'ipcs'), 'utf8')).toBe('# util-linux ipcs completion\n');
    expect(readlinkSync(join(completions, 'lsipc'))).toBe('/usr/share/bash-completion/completions/lsipc');
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
});

it('install-global installs again over its own completion links (npm and pnpm stubbed)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'install-again-'));
  try {
    const prefix = join(dir, 'prefix');
    const stubs = join(dir, 'stubs');
    mkdirSync(stubs);
    for (const tool of ['npm', 'pnpm']) {
      writeFileSync(join(stubs, tool), '#!/bin/sh\nexit 0\n');
      chmodSync(join(stubs, tool), 0o755);
    }
    const env = { ...process.env, PATH: `${stubs}:${process.env.PATH}`, npm_execpath: '' };
    const install = () =>
      spawnSync(process.execPath, [join(root, 'scripts/install-global.mjs'), '--prefix', prefix], {
        encoding: 'utf8',
        env,
      });
    const completions = join(prefix, 'share/bash-completion/completions');
    const first = install();
    expect({ status: first.status, stderr: first.stderr }).toEqual({ status: 0, stderr: '' });
    const links = readdirSync(completions).map((name) => [name, readlinkSync(join(completions, name))]);
    expect(links.map(([name]) => name)).toContain('ipcs');
    const again = install();
    expect({ status: again.status, stderr: again.stderr }).toEqual({ status: 0, stderr: '' });
    expect(readdirSync(completions).map((name) => [name, readlinkSync(join(completions, name))])).toEqual(
      links,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('pnpm -r pack leaves no untracked files', () => {
  const untracked = () => {
    const status = spawnSync('git', ['status', '--porcelain', '--untracked-files=all'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(status.status).toBe(0);
    return status.stdout.split('\n').filter((line) => line.startsWith('??'));
  };
  const before = untracked();
  const pack = spawnSync('pnpm', ['-r', 'pack'], { cwd: root, encoding: 'utf8' });
  const tarballs = pack.stdout.match(/^\/\S+\.tgz$/gm) ?? [];
  try {
    expect(pack.status).toBe(0);
    // Every package under packages/: the tools', and the core and cli they are built on.
    expect(tarballs.length).toBe(readdirSync(join(root, 'packages')).length);
    expect(untracked()).toEqual(before);
  } finally {
    for (const tarball of tarballs) rmSync(tarball, { force: true });
  }
});

describe('scripts/setup.sh as nobody, on a fresh clone, without pnpm', () => {
  let dir: string;
  let clone: string;
  let env: NodeJS.ProcessEnv;

  /** Runs a command as nobody in the clone. */
  const asNobody = (file: string, args: string[], timeout = 60_000) => {
    const result = spawnSync(
      'setpriv',
      [`--reuid=${NOBODY.uid}`, `--regid=${NOBODY.gid}`, '--clear-groups', '--', file, ...args],
      { cwd: clone, encoding: 'utf8', env, timeout },
    );
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'setup-'));
    chmodSync(dir, 0o755);
    const home = join(dir, 'home');
    clone = join(home, 'clone');
    expect(spawnSync('git', ['clone', '--quiet', '--no-local', root, clone]).status).toBe(0);
    // A pnpm of another version first on PATH: setup.sh must install the pinned one, in the clone.
    const fakeBin = join(dir, 'fake-bin');
    mkdirSync(fakeBin);
    writeFileSync(join(fakeBin, 'pnpm'), '#!/bin/sh\necho 1.0.0\n', { mode: 0o755 });
    spawnSync('chown', ['-R', `${NOBODY.uid}:${NOBODY.gid}`, home]);
    // nobody's own environment: none of the npm_config_* or pnpm settings of the run that started us.
    env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !/^(npm_|pnpm_|PNPM_)/i.test(name)),
    );
    Object.assign(env, {
      HOME: home,
      PATH: `${fakeBin}:/usr/bin:/bin`,
      npm_config_update_notifier: 'false',
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('installs the pinned pnpm under .tools, the dependencies and the build, all inside the clone', () => {
    const setup = asNobody('bash', ['scripts/setup.sh'], 600_000);
    expect(setup.stderr).not.toMatch(/ERR_|EACCES|Error:/);
    expect(setup.status).toBe(0);
    expect(setup.stdout).toContain(`pnpm is in ${clone}/.tools/bin`);
    const pinned = spawnSync(process.execPath, ['-p', 'require("./package.json").packageManager'], {
      cwd: clone,
      encoding: 'utf8',
    }).stdout;
    const pnpm = asNobody(join(clone, '.tools/bin/pnpm'), ['--version']);
    expect(pinned).toContain(`pnpm@${pnpm.stdout.trim()}`);
    for (const name of ['ipcs', 'lsipc', 'ipcctl']) {
      expect(asNobody(join(clone, 'bin', name), ['--version'])).toMatchObject({ status: 0, stderr: '' });
    }
  }, 660_000);
});
