/**
 * User and group names as the name service (NSS) gives them, so LDAP/sssd accounts resolve too.
 * When nsswitch.conf consults `files` first, an entry found in /etc/passwd (/etc/group) is what
 * NSS would return, so those files are read directly and ffi-rs (~5 ms to load) is only needed
 * for ids they lack; otherwise every lookup goes through getpwuid/getgrgid. Results, misses
 * included, are cached for the life of the resolver.
 */
import { readFileSync } from 'node:fs';
import { GROUP_GID, GROUP_NAME, PASSWD_NAME, PASSWD_UID } from './ffi/layout.js';
import * as libc from './ffi/libc.js';
import { nameFromBytes } from './names.js';
import { PATH_GROUP, PATH_NSSWITCH, PATH_PASSWD } from './paths.js';

export interface NameServiceFiles {
  /** Default /etc/nsswitch.conf. */
  nsswitch?: string;
  /** Default /etc/passwd. */
  passwd?: string;
  /** Default /etc/group. */
  group?: string;
}

type Database = 'passwd' | 'group';

// Candidates for paths.ts (util-linux: _PATH_PASSWD, _PATH_GROUP in include/pathnames.h).

/** Resolves ids to names for one run; each file is read at most once, and only when needed. */
export class NameResolver {
  private readonly users: NameTable;
  private readonly groups: NameTable;
  private nsswitch: string | undefined;
  private userIds: Map<string, number> | undefined;
  private groupIds: Map<string, number> | undefined;

  constructor(private readonly files: NameServiceFiles = {}) {
    this.users = new NameTable(files.passwd ?? PATH_PASSWD, () => this.filesFirst('passwd'), lookupUser);
    this.groups = new NameTable(files.group ?? PATH_GROUP, () => this.filesFirst('group'), lookupGroup);
  }

  /** The user name of `uid`, or undefined when the name service has no entry. */
  userName(uid: number): string | undefined {
    return this.users.name(uid);
  }

  /** The group name of `gid`, or undefined when the name service has no entry. */
  groupName(gid: number): string | undefined {
    return this.groups.name(gid);
  }

  /** The uid of the user called `name`, or undefined when the name service has no such user. */
  userId(name: string): number | undefined {
    if (name === '' || name.includes('\0')) return undefined;
    if (this.filesFirst('passwd')) {
      this.userIds ??= parseNameFile(readOptional(this.files.passwd ?? PATH_PASSWD) ?? '');
      const uid = this.userIds.get(name);
      if (uid !== undefined) return uid;
    }
    return lookupId(libc.getpwnam, name, PASSWD_UID);
  }

  /** The gid of the group called `name`, or undefined when the name service has no such group. */
  groupId(name: string): number | undefined {
    if (name === '' || name.includes('\0')) return undefined;
    if (this.filesFirst('group')) {
      this.groupIds ??= parseNameFile(readOptional(this.files.group ?? PATH_GROUP) ?? '');
      const gid = this.groupIds.get(name);
      if (gid !== undefined) return gid;
    }
    return lookupId(libc.getgrnam, name, GROUP_GID);
  }

  private filesFirst(database: Database): boolean {
    this.nsswitch ??= readOptional(this.files.nsswitch ?? PATH_NSSWITCH) ?? '';
    const sources = nsswitchSources(this.nsswitch, database);
    // glibc's default for a database without a line (or without nsswitch.conf) is "files".
    return (sources[0] ?? 'files') === 'files';
  }
}

let defaultResolver: NameResolver | undefined;

/** The user name of `uid` through the process-wide resolver; undefined when there is no entry. */
export function userName(uid: number): string | undefined {
  defaultResolver ??= new NameResolver();
  return defaultResolver.userName(uid);
}

/** The uid of user `name` through the process-wide resolver; undefined when there is no such user. */
export function userId(name: string): number | undefined {
  defaultResolver ??= new NameResolver();
  return defaultResolver.userId(name);
}

/** The group name of `gid` through the process-wide resolver; undefined when there is no entry. */
export function groupName(gid: number): string | undefined {
  defaultResolver ??= new NameResolver();
  return defaultResolver.groupName(gid);
}

/** The gid of group `name` through the process-wide resolver; undefined when there is no such group. */
export function groupId(name: string): number | undefined {
  defaultResolver ??= new NameResolver();
  return defaultResolver.groupId(name);
}

/** Points the process-wide resolver at other files (tests) and forgets everything it cached. */
export function configureNameService(files: NameServiceFiles = {}): void {
  defaultResolver = new NameResolver(files);
}

/** The sources of a database's nsswitch.conf line: `passwd: files [NOTFOUND=return] sss` → files, sss. */
export function nsswitchSources(conf: string, database: Database): string[] {
  for (const rawLine of conf.split('\n')) {
    const line = rawLine.replace(/#.*/, '').trim();
    const match = /^(\w+)\s*:(.*)$/.exec(line);
    if (match?.[1] !== database) continue;
    const body = (match[2] ?? '').replace(/\[[^\]]*\]/g, ' ');
    return body.split(/\s+/).filter((source) => source !== '');
  }
  return [];
}

/** id → name from a passwd or group file; the first line wins for a duplicated id, as in glibc's files module. */
export function parseIdFile(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const [name, id] of idFileEntries(text)) {
    if (!names.has(id)) names.set(id, name);
  }
  return names;
}

/** name → id from a passwd or group file; the first line wins for a duplicated name. */
function parseNameFile(text: string): Map<string, number> {
  const ids = new Map<string, number>();
  for (const [name, id] of idFileEntries(text)) {
    if (!ids.has(name)) ids.set(name, id);
  }
  return ids;
}

/** The name and id of each well-formed line, in file order. */
function* idFileEntries(text: string): Generator<[name: string, id: number]> {
  for (const line of text.split('\n')) {
    // "+"/"-" lines are compat-mode NIS references, not entries.
    if (line === '' || line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) continue;
    const fields = line.split(':');
    const name = fields[0];
    const id = fields[2];
    if (!name || fields.length < 4 || !id || !/^\d+$/.test(id)) continue;
    yield [name, Number(id)];
  }
}

class NameTable {
  private readonly cache = new Map<number, string | undefined>();
  private fromFile: Map<number, string> | undefined;
  private useFile: boolean | undefined;

  constructor(
    private readonly path: string,
    private readonly filesFirst: () => boolean,
    private readonly lookup: (id: number) => string | undefined,
  ) {}

  name(id: number): string | undefined {
    // Called once per row of a listing: one map lookup when the id has a name.
    const cached = this.cache.get(id);
    if (cached !== undefined) return cached;
    // uid_t and gid_t are 32-bit unsigned; anything else has no entry.
    if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) return undefined;
    if (this.cache.has(id)) return undefined;
    this.useFile ??= this.filesFirst();
    const name = (this.useFile ? this.file().get(id) : undefined) ?? this.lookup(id);
    this.cache.set(id, name);
    return name;
  }

  private file(): Map<number, string> {
    this.fromFile ??= parseIdFile(readOptional(this.path) ?? '');
    return this.fromFile;
  }
}

function lookupUser(uid: number): string | undefined {
  return nameAt(libc.getpwuid(uid).value, PASSWD_NAME);
}

/** The uid_t/gid_t at `offset` of the struct passwd/group getpwnam/getgrnam returns for `name`. */
function lookupId(lookup: (name: string) => libc.Raw, name: string, offset: number): number | undefined {
  const struct = lookup(name).value;
  if (struct === 0) return undefined;
  const id = Buffer.alloc(4);
  libc.copyFromAddress(id, struct + offset);
  return id.readUInt32LE(0);
}

function lookupGroup(gid: number): string | undefined {
  return nameAt(libc.getgrgid(gid).value, GROUP_NAME);
}

/** The `char *` name field of a libc-owned struct passwd/group (never freed: the next call reuses it). */
function nameAt(struct: number, offset: number): string | undefined {
  // NULL means no entry (or a lookup error, which we also show as the number).
  if (struct === 0) return undefined;
  const pointer = Buffer.alloc(8);
  libc.copyFromAddress(pointer, struct + offset);
  const address = Number(pointer.readBigUInt64LE(0));
  if (address === 0) return undefined;
  const length = libc.strlen(address);
  if (length === 0) return '';
  const text = Buffer.alloc(length);
  libc.copyFromAddress(text, address);
  return nameFromBytes(text);
}

function readOptional(path: string): string | undefined {
  try {
    // As bytes: a name that is not UTF-8 is still that name (see names.ts).
    return nameFromBytes(readFileSync(path));
  } catch {
    return undefined;
  }
}
