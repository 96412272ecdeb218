/**
 * MODE as coreutils' mkfifo, mkdir and chmod take it: gnulib modechange.c's mode_compile() and
 * mode_adjust(), numeric ("644", "0") or symbolic ("u=rw,g=r", "+x", "a-w", "=r", "u=rwx,g=u,o=g-w").
 */

type Operator = '=' | '+' | '-';

/** How a clause gets its bits: listed letters, a copy of another class ("g=u"), or "X". */
type ValueSource = 'ordinary' | 'copy-existing' | 'x-if-any-x';

export interface ModeChange {
  op: Operator;
  source: ValueSource;
  /** The classes named before the operator; 0 when none were ("+x"), which makes the umask apply. */
  affected: number;
  value: number;
  /** The bits the clause talks about (only directories' setuid/setgid handling reads it). */
  mentioned: number;
}

const S_ISUID = 0o4000;
const S_ISGID = 0o2000;
const S_ISVTX = 0o1000;
const S_IRWXU = 0o700;
const S_IRWXG = 0o070;
const S_IRWXO = 0o007;
const S_IRWXUGO = 0o777;
const ALL_READ = 0o444;
const ALL_WRITE = 0o222;
const ALL_EXEC = 0o111;
const CHMOD_MODE_BITS = 0o7777;

const isOctalDigit = (c: string | undefined): c is string => c !== undefined && c >= '0' && c <= '7';

/** The changes MODE describes, or undefined where coreutils says "invalid mode". */
export function compileMode(mode: string): ModeChange[] | undefined {
  if (isOctalDigit(mode[0])) return compileNumericMode(mode);
  const changes: ModeChange[] = [];
  let p = 0;
  // One clause per iteration: [ugoa]*([-+=]([rwxXst]*|[ugo]))+ or [-+=][0-7]+, comma-separated.
  for (;;) {
    let affected = 0;
    for (; mode[p] !== '=' && mode[p] !== '+' && mode[p] !== '-'; p++) {
      const who = WHO_BITS[mode[p] ?? ''];
      if (who === undefined) return undefined;
      affected |= who;
    }
    do {
      const op = mode[p++] as Operator;
      const clause = compileClauseValue(mode, p, affected);
      if (clause === undefined) return undefined;
      p = clause.end;
      const { value, source } = clause;
      const mentioned = clause.mentioned || (affected ? affected & value : value);
      changes.push({ op, source, affected: clause.affected, value, mentioned });
    } while (mode[p] === '=' || mode[p] === '+' || mode[p] === '-');
    if (mode[p] !== ',') break;
    p++;
  }
  return p === mode.length ? changes : undefined;
}

const WHO_BITS: Readonly<Record<string, number>> = {
  u: S_ISUID | S_IRWXU,
  g: S_ISGID | S_IRWXG,
  o: S_ISVTX | S_IRWXO,
  a: CHMOD_MODE_BITS,
};

const COPY_BITS: Readonly<Record<string, number>> = { u: S_IRWXU, g: S_IRWXG, o: S_IRWXO };

const PERM_BITS: Readonly<Record<string, number>> = {
  r: ALL_READ,
  w: ALL_WRITE,
  x: ALL_EXEC,
  X: 0,
  s: S_ISUID | S_ISGID,
  t: S_ISVTX,
};

interface ClauseValue {
  value: number;
  source: ValueSource;
  affected: number;
  mentioned: number;
  end: number;
}

/** What follows one operator, starting at `p`. */
function compileClauseValue(mode: string, p: number, affected: number): ClauseValue | undefined {
  const c = mode[p];
  if (isOctalDigit(c)) {
    // "=755" is allowed only without classes, and must end the clause.
    const octal = readOctal(mode, p);
    if (octal === undefined || affected !== 0) return undefined;
    if (octal.end !== mode.length && mode[octal.end] !== ',') return undefined;
    const all = CHMOD_MODE_BITS;
    return { value: octal.value, source: 'ordinary', affected: all, mentioned: all, end: octal.end };
  }
  const copied = COPY_BITS[c ?? ''];
  if (copied !== undefined)
    return { value: copied, source: 'copy-existing', affected, mentioned: 0, end: p + 1 };
  let value = 0;
  let source: ValueSource = 'ordinary';
  for (; PERM_BITS[mode[p] ?? ''] !== undefined; p++) {
    if (mode[p] === 'X') source = 'x-if-any-x';
    value |= PERM_BITS[mode[p]!]!;
  }
  return { value, source, affected, mentioned: 0, end: p };
}

function readOctal(mode: string, p: number): { value: number; end: number } | undefined {
  let value = 0;
  for (; isOctalDigit(mode[p]); p++) {
    value = value * 8 + Number(mode[p]);
    if (value > CHMOD_MODE_BITS) return undefined;
  }
  return { value, end: p };
}

function compileNumericMode(mode: string): ModeChange[] | undefined {
  const octal = readOctal(mode, 0);
  if (octal === undefined || octal.end !== mode.length) return undefined;
  // Fewer than 5 digits leave a directory's setuid/setgid bits alone unless they are set.
  const mentioned =
    octal.end < 5 ? (octal.value & (S_ISUID | S_ISGID)) | S_ISVTX | S_IRWXUGO : CHMOD_MODE_BITS;
  return [{ op: '=', source: 'ordinary', affected: CHMOD_MODE_BITS, value: octal.value, mentioned }];
}

export interface AdjustContext {
  isDirectory: boolean;
  umask: number;
}

/** mode_adjust(): the mode `changes` make of `oldMode`. */
export function adjustMode(oldMode: number, changes: readonly ModeChange[], context: AdjustContext): number {
  let mode = oldMode & CHMOD_MODE_BITS;
  for (const change of changes) {
    const { affected } = change;
    const omitted = (context.isDirectory ? S_ISUID | S_ISGID : 0) & ~change.mentioned;
    let value = change.value;
    if (change.source === 'copy-existing') {
      value &= mode;
      value |=
        (value & ALL_READ ? ALL_READ : 0) |
        (value & ALL_WRITE ? ALL_WRITE : 0) |
        (value & ALL_EXEC ? ALL_EXEC : 0);
    } else if (change.source === 'x-if-any-x' && (mode & ALL_EXEC || context.isDirectory)) {
      value |= ALL_EXEC;
    }
    // Named classes limit the change to their bits; without any, the umask applies.
    value &= (affected ? affected : ~context.umask) & ~omitted;
    if (change.op === '=') {
      const preserved = (affected ? ~affected : 0) | omitted;
      mode = (mode & preserved) | value;
    } else if (change.op === '+') {
      mode |= value;
    } else {
      mode &= ~value;
    }
  }
  return mode & CHMOD_MODE_BITS;
}
