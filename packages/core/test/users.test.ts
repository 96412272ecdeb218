import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { buildScript, runScript } from '../../../test/helpers/script.js';
import {
  configureNameService,
  groupId,
  groupName,
  NameResolver,
  nsswitchSources,
  parseIdFile,
  userName,
} from '../src/users.js';

const dir = mkdtempSync(join(tmpdir(), 'users-test-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  configureNameService();
});

function fixture(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** What the system's name service says, asked through a separate tool. */
function getent(database: 'passwd' | 'group', id: number): string {
  return execFileSync('getent', [database, String(id)], { encoding: 'utf8' }).split(':')[0] ?? '';
}

/** The id the system's name service gives `name`, asked through getent. */
function getentByName(database: 'passwd' | 'group', name: string): string {
  return execFileSync('getent', [database, name], { encoding: 'utf8' }).split(':')[2] ?? '';
}

// Ids 0 and 1 exist in every Debian /etc/passwd and /etc/group; the fixtures rename 0 and leave 1 out.
const PASSWD = fixture(
  'passwd',
  [
    'fileroot:x:0:0:root:/root:/bin/bash',
    '# a comment',
    '+nisuser::::::',
    'broken-line',
    'ghost:x:4242:4242::/nonexistent:/usr/sbin/nologin',
    'ghost-again:x:4242:4242::/nonexistent:/usr/sbin/nologin',
    '',
  ].join('\n'),
);
const GROUP = fixture('group', ['filegroup:x:0:', 'ghosts:x:4242:ghost', ''].join('\n'));
const FILES_FIRST = fixture(
  'nsswitch-files',
  'passwd:   files systemd   # local first\ngroup: files [NOTFOUND=return] sss\n',
);
const NSS_FIRST = fixture('nsswitch-sss', 'passwd: systemd files\ngroup:  sss files\n');
const COMPAT = fixture('nsswitch-compat', 'passwd: compat\ngroup: compat\n');

const NOT_AN_ID = 3_999_999_999;

describe('nsswitchSources', () => {
  it('lists the sources of a database, without comments and action items', () => {
    const conf = '# passwd: sss\npasswd:\tfiles  [SUCCESS=return] sss # trailing\ngroup: compat\n';
    expect(nsswitchSources(conf, 'passwd')).toEqual(['files', 'sss']);
    expect(nsswitchSources(conf, 'group')).toEqual(['compat']);
    expect(nsswitchSources('hosts: files dns\n', 'passwd')).toEqual([]);
  });
});

describe('parseIdFile', () => {
  it('maps ids to names, first line winning, skipping comments, NIS references and malformed lines', () => {
    const names = parseIdFile(
      [
        'root:x:0:0::/root:/bin/sh',
        '#c:x:5:5',
        '-nis:x:6:6::/:/bin/sh',
        'bad:x:abc:1',
        'dup:x:0:0',
        'g:x:7:',
      ].join('\n'),
    );
    expect([...names]).toEqual([
      [0, 'root'],
      [7, 'g'],
    ]);
  });
});

describe('NameResolver with files first in nsswitch.conf', () => {
  const resolver = () => new NameResolver({ nsswitch: FILES_FIRST, passwd: PASSWD, group: GROUP });

  it('answers from the passwd and group files when they have the id', () => {
    const names = resolver();
    // NSS would say "root": these names can only come from the fixture files.
    expect(names.userName(0)).toBe('fileroot');
    expect(names.userName(4242)).toBe('ghost');
    expect(names.groupName(0)).toBe('filegroup');
    expect(names.groupName(4242)).toBe('ghosts');
  });

  it('falls back to getpwuid/getgrgid for an id the files lack', () => {
    const names = resolver();
    // Id 1 is absent from the fixtures: its name can only come from the system's name service.
    expect(names.userName(1)).toBe(getent('passwd', 1));
    expect(names.groupName(1)).toBe(getent('group', 1));
  });

  it('gives undefined for an id nobody knows', () => {
    const names = resolver();
    expect(names.userName(NOT_AN_ID)).toBeUndefined();
    expect(names.groupName(NOT_AN_ID)).toBeUndefined();
    // Not a uid_t at all: undefined rather than a wrapped id reaching getpwuid.
    expect(names.userName(-1)).toBeUndefined();
    expect(names.userName(2 ** 32)).toBeUndefined();
  });

  it('reads each file once per resolver and caches answers, misses included', () => {
    const passwd = fixture('passwd-changing', 'before:x:4343:4343::/:/bin/sh\n');
    const names = new NameResolver({ nsswitch: FILES_FIRST, passwd, group: GROUP });
    expect(names.userName(4343)).toBe('before');
    expect(names.userName(4344)).toBeUndefined();
    writeFileSync(passwd, 'after:x:4343:4343::/:/bin/sh\nlate:x:4344:4344::/:/bin/sh\n');
    expect(names.userName(4343)).toBe('before');
    expect(names.userName(4344)).toBeUndefined();
    expect(new NameResolver({ nsswitch: FILES_FIRST, passwd, group: GROUP }).userName(4344)).toBe('late');
  });

  it('treats a missing nsswitch.conf as files first, as glibc does', () => {
    const names = new NameResolver({ nsswitch: join(dir, 'no-such-nsswitch'), passwd: PASSWD, group: GROUP });
    expect(names.userName(0)).toBe('fileroot');
    expect(names.groupName(0)).toBe('filegroup');
  });

  it('still resolves through NSS when the passwd file is missing', () => {
    const names = new NameResolver({ nsswitch: FILES_FIRST, passwd: join(dir, 'no-passwd'), group: GROUP });
    expect(names.userName(0)).toBe(getent('passwd', 0));
  });
});

describe('NameResolver without files first', () => {
  it('asks NSS for every id and never reads the files', () => {
    const names = new NameResolver({ nsswitch: NSS_FIRST, passwd: PASSWD, group: GROUP });
    expect(names.userName(0)).toBe(getent('passwd', 0));
    expect(names.userName(0)).not.toBe('fileroot');
    expect(names.groupName(0)).toBe(getent('group', 0));
    // In the fixtures only, so NSS does not know it.
    expect(names.userName(4242)).toBeUndefined();
    expect(names.groupName(4242)).toBeUndefined();
  });

  it('does not treat compat as files (its +/- lines pull in other sources)', () => {
    const names = new NameResolver({ nsswitch: COMPAT, passwd: PASSWD, group: GROUP });
    expect(names.userName(0)).toBe(getent('passwd', 0));
    expect(names.userName(4242)).toBeUndefined();
  });
});

describe('userId and groupId', () => {
  it('read the files when nsswitch.conf puts them first, and ask NSS for names they lack', () => {
    const names = new NameResolver({ nsswitch: FILES_FIRST, passwd: PASSWD, group: GROUP });
    expect(names.userId('ghost')).toBe(4242);
    expect(names.groupId('ghosts')).toBe(4242);
    expect(names.groupId('filegroup')).toBe(0);
    // Not in the fixture: getgrnam, as getent would answer.
    expect(names.groupId('nogroup')).toBe(Number(getentByName('group', 'nogroup')));
    expect(names.groupId('no-such-group')).toBeUndefined();
    expect(names.groupId('')).toBeUndefined();
    expect(names.groupId('root\0x')).toBeUndefined();
  });

  it('ask NSS only when another source comes first', () => {
    configureNameService({ nsswitch: NSS_FIRST, passwd: PASSWD, group: GROUP });
    expect(groupId('ghosts')).toBeUndefined();
    expect(groupId(getent('group', 0))).toBe(0);
  });
});

describe('userName and groupName', () => {
  it('use the process-wide resolver, which configureNameService replaces', () => {
    configureNameService({ nsswitch: FILES_FIRST, passwd: PASSWD, group: GROUP });
    expect(userName(0)).toBe('fileroot');
    expect(groupName(4242)).toBe('ghosts');
    configureNameService({ nsswitch: NSS_FIRST, passwd: PASSWD, group: GROUP });
    expect(userName(0)).toBe(getent('passwd', 0));
    expect(groupName(4242)).toBeUndefined();
  });

  it('does not load ffi-rs while the files answer, and loads it on a miss', async () => {
    const script = await buildScript(`
import { createRequire } from 'node:module';
import { configureNameService, groupName, userName } from '../packages/core/src/users.ts';
const require = createRequire(import.meta.url);
const ffiLoaded = () => Object.keys(require.cache).some((path) => path.includes('ffi-rs'));
const [nsswitch, passwd, group] = process.argv.slice(2);
configureNameService({ nsswitch, passwd, group });
const hits = [userName(0), groupName(0), userName(4242)];
const loadedAfterHits = ffiLoaded();
const miss = userName(1);
console.log(JSON.stringify({ hits, loadedAfterHits, miss, loadedAfterMiss: ffiLoaded() }));
`);
    const output = JSON.parse(await runScript(script, [FILES_FIRST, PASSWD, GROUP]));
    expect(output).toEqual({
      hits: ['fileroot', 'filegroup', 'ghost'],
      loadedAfterHits: false,
      miss: getent('passwd', 1),
      loadedAfterMiss: true,
    });
  });
});

describe('NameResolver.userId', () => {
  it('reads the passwd file when files come first, first name wins', () => {
    const resolver = new NameResolver({ nsswitch: FILES_FIRST, passwd: PASSWD, group: GROUP });
    expect(resolver.userId('fileroot')).toBe(0);
    expect(resolver.userId('ghost')).toBe(4242);
    expect(resolver.userId('ghost-again')).toBe(4242);
  });

  it('asks the name service (getpwnam) for a name the file lacks, and for everything when NSS comes first', () => {
    // "nobody" is in the real name service but not in the fixture file.
    expect(new NameResolver({ nsswitch: FILES_FIRST, passwd: PASSWD }).userId('nobody')).toBe(65534);
    expect(new NameResolver({ nsswitch: NSS_FIRST, passwd: PASSWD }).userId('fileroot')).toBeUndefined();
    expect(new NameResolver({ nsswitch: NSS_FIRST, passwd: PASSWD }).userId('root')).toBe(0);
  });

  it('an unknown or impossible name has no uid', () => {
    const resolver = new NameResolver({ nsswitch: FILES_FIRST, passwd: PASSWD });
    expect(resolver.userId('no-such-user-here')).toBeUndefined();
    expect(resolver.userId('')).toBeUndefined();
    expect(resolver.userId('a\0b')).toBeUndefined();
  });
});
