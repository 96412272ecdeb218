// The /proc and /dev readers on random files (issue 11): they return records or nothing, never
// throw, and every record they return is made of numbers and strings of the right types.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listPosixMqueues, listPosixSems, listPosixShm } from '../../src/posix/list.js';
import {
  readMsgLimitsFromProc,
  readSemLimitsFromProc,
  readShmLimitsFromProc,
} from '../../src/proc/limits.js';
import {
  parseMsgTable,
  parseSemTable,
  parseShmTable,
  readMsgQueues,
  readSemSets,
  readShmSegments,
  SCANNER_MIN_BYTES,
} from '../../src/proc/sysvipc.js';

const HEADERS = {
  shm: '       key      shmid perms       size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime        rss       swap\n',
  msg: '       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid      stime      rtime      ctime\n',
  sem: '       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n',
};

/** Lines that look like /proc/sysvipc rows, broken in every way, and plain noise. */
const field = fc.oneof(
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  fc.constantFrom('0', '-1', '4294967295', '18446744073709551615', '777', '0x10', '', '-', 'nan', '1e9'),
  fc.string({ maxLength: 6 }),
);
const line = fc.oneof(
  fc.array(field, { maxLength: 18 }).map((fields) => fields.join(' ')),
  fc.string({ unit: 'binary', maxLength: 40 }),
);
const table = (kind: keyof typeof HEADERS) =>
  fc
    .tuple(fc.boolean(), fc.array(line, { maxLength: 30 }))
    .map(([header, lines]) => (header ? HEADERS[kind] : '') + lines.join('\n'));

function expectNumbers(records: readonly object[]): void {
  for (const record of records) {
    for (const value of Object.values(record)) {
      if (typeof value === 'number') expect(Number.isFinite(value)).toBe(true);
    }
  }
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'readers-fuzz-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('/proc/sysvipc parsers', () => {
  it.each(['shm', 'msg', 'sem'] as const)('%s: records of numbers, or none', (kind) => {
    const parse = { shm: parseShmTable, msg: parseMsgTable, sem: parseSemTable }[kind];
    fc.assert(
      fc.property(table(kind), (text) => {
        expectNumbers(parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it.each(['shm', 'msg', 'sem'] as const)(
    '%s: files past the scanner threshold, random bytes included',
    (kind) => {
      const read = { shm: readShmSegments, msg: readMsgQueues, sem: readSemSets }[kind];
      const path = join(dir, `sysvipc-${kind}`);
      fc.assert(
        fc.property(table(kind), fc.uint8Array({ maxLength: 64 }), fc.boolean(), (text, bytes, big) => {
          // Repeated past SCANNER_MIN_BYTES, the WebAssembly table scanner reads it.
          const body = big ? text.repeat(Math.ceil(SCANNER_MIN_BYTES / Math.max(text.length, 1)) + 1) : text;
          writeFileSync(path, Buffer.concat([Buffer.from(body, 'latin1'), bytes]));
          expectNumbers(read(path) ?? []);
        }),
        { numRuns: 60 },
      );
    },
  );
});

describe('/proc/sys/kernel limits', () => {
  it('readShm/Sem/MsgLimitsFromProc on random files: limits or undefined', () => {
    const root = join(dir, 'limits');
    const kernel = join(root, 'proc/sys/kernel');
    const fs = join(root, 'proc/sys/fs/mqueue');
    mkdirSync(kernel, { recursive: true });
    mkdirSync(fs, { recursive: true });
    const names = ['shmmni', 'shmmax', 'shmall', 'sem', 'msgmni', 'msgmax', 'msgmnb'];
    fc.assert(
      fc.property(
        fc.array(fc.oneof(field, line), { minLength: names.length, maxLength: names.length }),
        (values) => {
          for (const [i, name] of names.entries()) writeFileSync(join(kernel, name), values[i]!);
          for (const read of [readShmLimitsFromProc, readSemLimitsFromProc, readMsgLimitsFromProc]) {
            const limits = read(root);
            if (limits !== undefined) expectNumbers([limits]);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('/dev/shm and /dev/mqueue listings', () => {
  it('files of any name, size and content, directories and links: listed or skipped', () => {
    let round = 0;
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc
              .string({ minLength: 1, maxLength: 12 })
              .filter((n) => !n.includes('/') && n !== '.' && n !== '..'),
            fc.constantFrom('file', 'dir', 'link'),
            fc.oneof(
              fc.string({ maxLength: 40 }),
              fc.constantFrom('QSIZE:12  NOTIFY:0', 'QSIZE:-1', 'QSIZE:'),
            ),
          ),
          { maxLength: 8 },
        ),
        (entries) => {
          const root = join(dir, `dev-${round++}`);
          mkdirSync(root);
          for (const [name, kind, content] of entries) {
            const path = join(root, name);
            try {
              if (kind === 'file') writeFileSync(path, content);
              else if (kind === 'dir') mkdirSync(path);
              else symlinkSync(join(root, 'elsewhere'), path);
            } catch {
              // The same name twice.
            }
          }
          for (const list of [listPosixShm, listPosixSems, listPosixMqueues]) expectNumbers(list(root) ?? []);
        },
      ),
      { numRuns: 100 },
    );
  });
});
