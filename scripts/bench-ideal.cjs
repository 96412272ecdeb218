'use strict';
// The best case of a JavaScript `lsipc -s` or `lsipc -q`: node started as our bins start it,
// reading the /proc file into our WebAssembly scanner, and writing util-linux's table straight
// into one buffer, byte by byte: no records, no rows, no strings per cell, no options, no bundle.
// It covers the benchmark's state only (every number scanned into 32 bits, queues empty, the
// human table in the C locale); scripts/bench.mjs checks that it prints util-linux's bytes before
// it times it. What this takes above the floor (scripts/bench-floor.cjs) is the least any
// JavaScript listing can add to it.
// With --scan-only it stops once the lines are scanned, printing nothing: what reading and parsing
// alone cost.
// Usage: node bench-ideal.cjs SCANNER.cjs sem|msg [--scan-only]
//        (SCANNER: core's src/proc/table-scanner.ts bundled as CommonJS, which scripts/bench.mjs makes)
const { closeSync, openSync, readFileSync, readSync, writeSync } = require('node:fs');

const [scannerModule, kind, scanOnly] = process.argv.slice(2);
const { LINE_OK, scannerForFile } = require(scannerModule);

// The columns of util-linux's default listing: name, right-aligned, the field the cell comes from.
const KEY = 0;
const DECIMAL = 1;
const PERMS = 2;
const OWNER = 3;
const BYTES = 4;
const LAYOUTS = {
  sem: [
    ['KEY', false, KEY, 'key'],
    ['ID', false, DECIMAL, 'semid'],
    ['PERMS', true, PERMS, 'perms'],
    ['OWNER', true, OWNER, 'uid'],
    ['NSEMS', true, DECIMAL, 'nsems'],
  ],
  msg: [
    ['KEY', false, KEY, 'key'],
    ['ID', false, DECIMAL, 'msqid'],
    ['PERMS', true, PERMS, 'perms'],
    ['OWNER', true, OWNER, 'uid'],
    ['USEDBYTES', true, BYTES, 'cbytes'],
    ['MSGS', false, DECIMAL, 'qnum'],
    ['LSPID', true, DECIMAL, 'lspid'],
    ['LRPID', true, DECIMAL, 'lrpid'],
  ],
};
const layout = LAYOUTS[kind];

const fd = openSync(`/proc/sysvipc/${kind}`, 'r');
const head = Buffer.allocUnsafe(32 * 1024);
let length = 0;
for (let count; length < head.length && (count = readSync(fd, head, length, head.length - length, null)) > 0; ) {
  length += count;
}
const scanner = scannerForFile(fd, (from, into, at) => readSync(from, into, at, into.length - at, null), head);
closeSync(fd);
const text = scanner.bytes;
const body = text.indexOf(0x0a) + 1;
const names = Buffer.from(text.subarray(0, body)).toString('latin1').trim().split(/\s+/);
const { words, first, stride, count } = scanner.scan(body, names.length, names.indexOf('perms'));
if (scanOnly === '--scan-only') process.exit(0);
const fields = layout.map(([, , , field]) => names.indexOf(field) + 3);

const owners = new Map();
function owner(uid) {
  let name = owners.get(uid);
  if (name === undefined) {
    const entry = readFileSync('/etc/passwd', 'latin1')
      .split('\n')
      .find((line) => line.split(':')[2] === String(uid));
    name = Buffer.from(entry === undefined ? String(uid) : entry.split(':')[0], 'latin1');
    owners.set(uid, name);
  }
  return name;
}
const permsText = new Map();
function perms(mode) {
  let text = permsText.get(mode);
  if (text === undefined) {
    text = Buffer.from([...'rwxrwxrwx'].map((c, i) => (mode & (0o400 >> i) ? c : '-')).join(''));
    permsText.set(mode, text);
  }
  return text;
}
function bytes(value) {
  if (value >= 1024) throw new Error('the ideal listing covers empty queues only');
  return Buffer.from(`${value}B`);
}
function digits(value) {
  let n = 1;
  for (let v = value; v >= 10; v = Math.floor(v / 10)) n++;
  return n;
}

// Widths: the header's, or the widest cell's.
const widths = layout.map(([name]) => name.length);
for (let line = 0, at = first; line < count; line++, at += stride) {
  if (words[at] !== LINE_OK) throw new Error('the ideal listing covers 32-bit fields only');
  for (let c = 0; c < layout.length; c++) {
    const value = words[at + fields[c]];
    const type = layout[c][2];
    const width =
      type === KEY
        ? 10
        : type === DECIMAL
          ? digits(value)
          : type === PERMS
            ? 9
            : type === OWNER
              ? owner(value).length
              : bytes(value).length;
    if (width > widths[c]) widths[c] = width;
  }
}

const lineBytes = widths.reduce((sum, width) => sum + width + 1, 0);
const out = Buffer.allocUnsafe((count + 1) * lineBytes);
const HEX = Buffer.from('0123456789abcdef');
let o = 0;
const last = layout.length - 1;
// One cell: the blanks owed before it, then its bytes; returns the blanks owed after it.
function pad(blanks, c, cellLength) {
  const right = layout[c][1];
  const space = widths[c] - cellLength;
  if (right && (c < last || cellLength > 0)) blanks += space;
  for (const end = o + blanks; o < end; ) out[o++] = 0x20;
  return right ? 1 : space + 1;
}
let blanks = 0;
for (let c = 0; c <= last; c++) {
  const name = layout[c][0];
  blanks = pad(blanks, c, name.length);
  o += out.write(name, o, 'latin1');
}
out[o++] = 0x0a;
for (let line = 0, at = first; line < count; line++, at += stride) {
  blanks = 0;
  for (let c = 0; c <= last; c++) {
    const value = words[at + fields[c]];
    const type = layout[c][2];
    if (type === KEY) {
      blanks = pad(blanks, c, 10);
      out[o++] = 0x30;
      out[o++] = 0x78;
      for (let shift = 28; shift >= 0; shift -= 4) out[o++] = HEX[(value >>> shift) & 15];
    } else if (type === DECIMAL) {
      const n = digits(value);
      blanks = pad(blanks, c, n);
      for (let v = value, p = o + n - 1; p >= o; p--, v = Math.floor(v / 10)) out[p] = 0x30 + (v % 10);
      o += n;
    } else {
      const cell = type === PERMS ? perms(value) : type === OWNER ? owner(value) : bytes(value);
      blanks = pad(blanks, c, cell.length);
      for (let k = 0; k < cell.length; k++) out[o++] = cell[k];
    }
  }
  out[o++] = 0x0a;
}
for (let at = 0; at < o; ) at += writeSync(1, out, at, o - at);
