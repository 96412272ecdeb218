/**
 * Builds and runs strutils-oracle.c (util-linux's own parsing code on glibc) so tests can compare
 * src/parse/numbers.ts with C answer for answer.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ParseError } from '../src/numbers.js';

export type OracleMode = 's32' | 'key' | 'mode' | 'size' | 'human';

const SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'strutils-oracle.c');

/** Compiles the oracle into a fresh temporary directory; `remove` deletes it. */
export function buildOracle(): { binary: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'strutils-oracle-'));
  const binary = join(dir, 'oracle');
  execFileSync('gcc', ['-O1', '-o', binary, SOURCE]);
  return { binary, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** One answer per input: "ok VALUE", "EINVAL" or "ERANGE". */
export function askOracle(binary: string, mode: OracleMode, inputs: readonly string[]): string[] {
  const stdin = inputs.map((input) => `${Buffer.from(input, 'latin1').toString('hex')}\n`).join('');
  const answers = execFileSync(binary, [mode], { input: stdin, maxBuffer: 64 << 20 })
    .toString()
    .split('\n');
  answers.pop();
  if (answers.length !== inputs.length) throw new Error(`oracle gave ${answers.length} answers`);
  return answers;
}

/** Our answer in the oracle's notation. */
export function answerOf(parse: () => number | bigint | string): string {
  try {
    return `ok ${parse()}`;
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    return error.reason === 'range' ? 'ERANGE' : 'EINVAL';
  }
}

/** The inputs where our answer differs from C's, with both answers, for a readable failure. */
export function mismatches(
  inputs: readonly string[],
  expected: readonly string[],
  parse: (input: string) => number | bigint | string,
): { input: string; c: string; ours: string }[] {
  return inputs.flatMap((input, i) => {
    const ours = answerOf(() => parse(input));
    const c = expected[i] as string;
    return ours === c ? [] : [{ input, c, ours }];
  });
}
