/**
 * The line scanner behind the /proc/sysvipc parsers, in WebAssembly. A listing of 10,000 objects
 * is 1.7 MB of text; a CLI process ends long before JavaScript code scanning it would be
 * optimised, while WebAssembly runs at machine speed from its first call (3 ms for the 1.7 MB,
 * against some 20 ms for a regular expression per line and Number() of its 16 captures).
 *
 * The scanner checks each line exactly as parseLine()'s regular expression would (see
 * sysvipc.ts) and writes its integers out as 32-bit words; a line with a number that does not
 * fit, or a -0, is marked for the regular expression instead. The module is assembled here
 * from the listing below, so what runs can be read.
 */

/** What the scanner found on one line. */
export const LINE_OK = 1;
/** Well-formed, but with a number a 32-bit word cannot hold exactly: parse the text instead. */
export const LINE_WIDE = 2;

/** One scanned table: per line, `[state, start, end, value...]` from `words[first]` on. */
export interface ScannedLines {
  words: Int32Array;
  first: number;
  /** Words per line: 3 + the number of columns. */
  stride: number;
  count: number;
}

/** A table's text as bytes in scanner memory, then scanned. */
export interface TableScanner {
  /** The text's bytes (valid until scan() is called). */
  readonly bytes: Uint8Array;
  readonly length: number;
  /** Scans the lines from `body` on, each of `columns` integers, octal in column `perms`. */
  scan(body: number, columns: number, perms: number): ScannedLines;
}

interface ScannerExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  scan(pos: number, end: number, count: number, perms: number, out: number): number;
}

interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: ScannerExports };
}

const PAGE = 65536;

const NOT_LATIN1 = /[\u0100-\uffff]/;

// Undefined when WebAssembly is disabled (node --jitless): the callers fall back to regular expressions.
const wasm = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
let compiled: object | undefined;

/** A scanner holding `text` (undefined without WebAssembly, or for text that is not latin1). */
export function scannerForText(text: string): TableScanner | undefined {
  // A character above U+00FF has no single byte (and U+2028/U+2029 end lines for the regex).
  if (NOT_LATIN1.test(text)) return undefined;
  const scanner = newScanner();
  if (scanner === undefined) return undefined;
  scanner.reserve(text.length + 1);
  Buffer.from(scanner.exports.memory.buffer).write(text, 0, 'latin1');
  scanner.length = text.length;
  return scanner;
}

/**
 * A scanner holding `head` (what was already read) and then what is left to read from `fd`
 * (undefined without WebAssembly). /proc files report size 0, so they are read until EOF,
 * straight into scanner memory.
 */
export function scannerForFile(
  fd: number,
  read: (fd: number, into: Uint8Array, at: number) => number,
  head: Uint8Array,
): TableScanner | undefined {
  const scanner = newScanner();
  if (scanner === undefined) return undefined;
  scanner.reserve(head.length);
  scanner.bytes.set(head);
  let length = head.length;
  for (;;) {
    scanner.reserve(length + PAGE);
    const count = read(fd, scanner.bytes, length);
    if (count === 0) break;
    length += count;
  }
  scanner.length = length;
  return scanner;
}

class Scanner implements TableScanner {
  length = 0;

  constructor(readonly exports: ScannerExports) {}

  get bytes(): Uint8Array {
    return new Uint8Array(this.exports.memory.buffer);
  }

  /** Grows memory (at least doubling) to hold `size` bytes. */
  reserve(size: number): void {
    const { memory } = this.exports;
    const have = memory.buffer.byteLength;
    if (size > have) memory.grow(Math.ceil(Math.max(size - have, have) / PAGE));
  }

  scan(body: number, columns: number, perms: number): ScannedLines {
    const { length } = this;
    const stride = 3 + columns;
    // A well-formed line takes at least 2 bytes per column with its line end.
    const lines = Math.floor(Math.max(length - body, 0) / (2 * columns)) + 2;
    const out = (length + 4) & ~3;
    this.reserve(out + lines * stride * 4);
    // A newline after the text ends its last line, so the scanner needs no bounds checks.
    this.bytes[length] = 0x0a;
    const count = body < length ? this.exports.scan(body, length, columns, perms, out) : 0;
    return { words: new Int32Array(this.exports.memory.buffer), first: out >> 2, stride, count };
  }
}

function newScanner(): Scanner | undefined {
  if (wasm === undefined) return undefined;
  try {
    compiled ??= new wasm.Module(assembleModule());
    return new Scanner(new wasm.Instance(compiled, {}).exports);
  } catch {
    return undefined;
  }
}

/*
 * scan(pos, end, count, perms, out) → lines: for each line from `pos` up to `end` (where a
 * newline is stored) that is well-formed, writes [state, start, end, value × count] as i32 at
 * `out` on. Malformed lines are skipped, as the regular expression skips them.
 */
const PARAMS = ['pos', 'end', 'count', 'perms', 'out'];
const I32_LOCALS = ['lines', 'c', 'start', 'field', 'digits', 'negative', 'state', 'entry'];
const I64_LOCALS = ['value'];

const read = ['local.get pos', 'i32.load8_u', 'local.set c'];
const next = ['local.get pos', 'i32.const 1', 'i32.add', 'local.set pos', read];
const isBlank = ['local.get c', 'i32.const 32', 'i32.eq', 'local.get c', 'i32.const 9', 'i32.eq', 'i32.or'];
const isLineEnd = [
  'local.get c',
  'i32.const 10',
  'i32.eq',
  'local.get c',
  'i32.const 13',
  'i32.eq',
  'i32.or',
];
const skipBlanks = ['block', 'loop', isBlank, 'i32.eqz', 'br_if 1', next, 'br 0', 'end', 'end'];
const setState = (state: number) => ['if', `i32.const ${state}`, 'local.set state', 'end'];
/** Digits below `radix` into value; counts them. */
const digits = (radix: number) => [
  'block',
  'loop',
  ['local.get c', 'i32.const 48', 'i32.sub', `i32.const ${radix - 1}`, 'i32.gt_u', 'br_if 1'],
  ['local.get value', `i64.const ${radix}`, 'i64.mul'],
  ['local.get c', 'i32.const 48', 'i32.sub', 'i64.extend_i32_u', 'i64.add', 'local.set value'],
  ['local.get digits', 'i32.const 1', 'i32.add', 'local.set digits'],
  next,
  'br 0',
  'end',
  'end',
];
const store = (offset: number, value: string[]) => ['local.get entry', ...value, `i32.store ${offset}`];

// Labels are relative depths: comments name the block each br leaves or repeats.
const SCAN = [
  'block', // done
  'loop', // line
  ['local.get pos', 'local.get end', 'i32.ge_u', 'br_if 1'],
  ['local.get pos', 'local.set start', 'i32.const 1', 'local.set state'],
  ['local.get out', 'local.get lines', 'local.get count', 'i32.const 3', 'i32.add', 'i32.mul'],
  ['i32.const 2', 'i32.shl', 'i32.add', 'local.set entry'],
  read,
  'block', // bad
  skipBlanks,
  ['i32.const 0', 'local.set field'],
  'loop', // fields
  ['local.get field', 'if', isBlank, 'i32.eqz', 'br_if 2', skipBlanks, 'end'],
  ['i64.const 0', 'local.set value', 'i32.const 0', 'local.set digits', 'i32.const 0', 'local.set negative'],
  ['local.get field', 'local.get perms', 'i32.eq'],
  'if',
  digits(8),
  'else',
  ['local.get c', 'i32.const 45', 'i32.eq', 'if', 'i32.const 1', 'local.set negative', next, 'else'],
  ['local.get c', 'i32.const 43', 'i32.eq', 'if', next, 'end', 'end'],
  digits(10),
  'end',
  ['local.get digits', 'i32.eqz', 'br_if 1'],
  // Up to 18 digits cannot overflow i64; more are WIDE anyway.
  ['local.get digits', 'i32.const 18', 'i32.gt_u', setState(LINE_WIDE)],
  ['local.get negative', 'if', 'local.get value', 'i64.eqz', setState(LINE_WIDE)],
  ['i64.const 0', 'local.get value', 'i64.sub', 'local.set value', 'end'],
  ['local.get value', 'i64.const -2147483648', 'i64.lt_s'],
  ['local.get value', 'i64.const 2147483647', 'i64.gt_s', 'i32.or', setState(LINE_WIDE)],
  ['local.get entry', 'local.get field', 'i32.const 2', 'i32.shl', 'i32.add'],
  ['local.get value', 'i32.wrap_i64', 'i32.store 12'],
  ['local.get field', 'i32.const 1', 'i32.add', 'local.tee field', 'local.get count', 'i32.lt_u', 'br_if 0'],
  'end', // fields
  skipBlanks,
  [isLineEnd, 'i32.eqz', 'br_if 0'],
  store(0, ['local.get state']),
  store(4, ['local.get start']),
  store(8, ['local.get pos']),
  ['local.get lines', 'i32.const 1', 'i32.add', 'local.set lines'],
  ['local.get pos', 'i32.const 1', 'i32.add', 'local.set pos', 'br 1'],
  'end', // bad: on to the next line end
  ['block', 'loop', isLineEnd, 'br_if 1', next, 'br 0', 'end', 'end'],
  ['local.get pos', 'i32.const 1', 'i32.add', 'local.set pos', 'br 0'],
  'end', // line
  'end', // done
  'local.get lines',
];

type Listing = string | readonly Listing[];

const OPCODES: Record<string, number> = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  br_if: 0x0d,
  'local.get': 0x20,
  'local.set': 0x21,
  'local.tee': 0x22,
  'i32.load8_u': 0x2d,
  'i32.store': 0x36,
  'i32.const': 0x41,
  'i64.const': 0x42,
  'i32.eqz': 0x45,
  'i32.eq': 0x46,
  'i32.lt_u': 0x49,
  'i32.gt_u': 0x4b,
  'i32.ge_u': 0x4f,
  'i64.eqz': 0x50,
  'i64.lt_s': 0x53,
  'i64.gt_s': 0x55,
  'i32.add': 0x6a,
  'i32.mul': 0x6c,
  'i32.sub': 0x6b,
  'i32.or': 0x72,
  'i32.shl': 0x74,
  'i64.add': 0x7c,
  'i64.sub': 0x7d,
  'i64.mul': 0x7e,
  'i32.wrap_i64': 0xa7,
  'i64.extend_i32_u': 0xad,
};

/** The instructions of a listing in the binary format. */
function assemble(listing: Listing, locals: readonly string[], code: number[] = []): number[] {
  if (typeof listing !== 'string') {
    for (const item of listing) assemble(item, locals, code);
    return code;
  }
  const [name = '', operand = ''] = listing.split(' ');
  const opcode = OPCODES[name];
  if (opcode === undefined) throw new Error(`scanner: unknown instruction ${name}`);
  code.push(opcode);
  if (name === 'block' || name === 'loop' || name === 'if') code.push(0x40);
  else if (name === 'br' || name === 'br_if') code.push(...unsigned(Number(operand)));
  else if (name.startsWith('local.')) code.push(...unsigned(locals.indexOf(operand)));
  else if (name.endsWith('.const')) code.push(...signed(BigInt(operand)));
  else if (name === 'i32.load8_u') code.push(0, 0);
  else if (name === 'i32.store') code.push(2, ...unsigned(Number(operand)));
  return code;
}

/** The module: one function, scan, and its memory, both exported. */
function assembleModule(): Uint8Array {
  const locals = [...PARAMS, ...I32_LOCALS, ...I64_LOCALS];
  const I32 = 0x7f;
  const I64 = 0x7e;
  const body = [
    2,
    ...unsigned(I32_LOCALS.length),
    I32,
    ...unsigned(I64_LOCALS.length),
    I64,
    ...assemble(SCAN, locals),
    0x0b,
  ];
  const section = (id: number, content: number[]) => [id, ...unsigned(content.length), ...content];
  const name = (text: string) => [text.length, ...Buffer.from(text, 'latin1')];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, PARAMS.length, ...PARAMS.map(() => I32), 1, I32]),
    ...section(3, [1, 0]),
    ...section(5, [1, 0, 16]),
    ...section(7, [2, ...name('scan'), 0, 0, ...name('memory'), 2, 0]),
    ...section(10, [1, ...unsigned(body.length), ...body]),
  ]);
}

function unsigned(value: number): number[] {
  const bytes: number[] = [];
  do {
    const low = value & 0x7f;
    value >>>= 7;
    bytes.push(value === 0 ? low : low | 0x80);
  } while (value !== 0);
  return bytes;
}

function signed(value: bigint): number[] {
  const bytes: number[] = [];
  for (;;) {
    const low = Number(value & 0x7fn);
    value >>= 7n;
    if ((value === 0n && (low & 0x40) === 0) || (value === -1n && (low & 0x40) !== 0)) {
      bytes.push(low);
      return bytes;
    }
    bytes.push(low | 0x80);
  }
}
