import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetoptError, type GetoptOptions, getopt, type ParsedOption } from '../src/index.js';

/** What a parse came to, in a form both glibc and our parser can produce. */
type OutcomeOption = { key: string; long: boolean; value?: string };

/** On an error, `before` holds the options glibc returned before it (operands come only at the end). */
export type Outcome =
  | { error: string; before: OutcomeOption[] }
  | { options: OutcomeOption[]; operands: string[] };

/** Builds getopt-ref.c with gcc into a temporary directory; `dispose` removes it. */
export function buildGlibcGetopt(): { binary: string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'getopt-ref-'));
  const binary = join(dir, 'getopt-ref');
  execFileSync('gcc', ['-O2', '-Wall', '-Werror', '-o', binary, join(import.meta.dirname, 'getopt-ref.c')]);
  return { binary, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs glibc getopt_long on argv with the same spec, in the C locale so its messages are English. */
export function runGlibc(binary: string, argv: readonly string[], spec: GetoptOptions): Outcome {
  const longOptions = spec.longOptions ?? [];
  // C needs an int val per option: letters keep their code, identifiers get distinct values above 255.
  const identifiers = [...new Set(longOptions.map((o) => o.key).filter((key) => key.length !== 1))];
  const valOf = (key: string) => (key.length === 1 ? key.charCodeAt(0) : 1000 + identifiers.indexOf(key));
  const keyOfVal = (value: number) =>
    value >= 1000 ? identifiers[value - 1000]! : String.fromCharCode(value);
  const hasArg = { no: 0, required: 1, optional: 2 };
  const longSpec = longOptions.map((o) => `${o.name}/${hasArg[o.hasArg]}/${valOf(o.key)}`).join(',');
  const env: Record<string, string> = {};
  if (spec.env?.POSIXLY_CORRECT !== undefined) env.POSIXLY_CORRECT = spec.env.POSIXLY_CORRECT;
  const run = spawnSync(binary, [spec.shortOptions, longSpec, spec.program, ...argv], {
    env,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`getopt-ref failed (${run.status}): ${run.stderr}`);

  const options: OutcomeOption[] = [];
  const operands: string[] = [];
  for (const line of run.stdout.trimEnd().split('\n')) {
    const fields = line.split(' ');
    if (fields[0] === 'error') return { error: run.stderr.replace(/\n$/, ''), before: options };
    const value = decodeArgument(fields.at(-1)!);
    if (fields[0] === 'option') {
      const option = { key: keyOfVal(Number(fields[1])), long: fields[2] !== '-1' };
      options.push(value === undefined ? option : { ...option, value });
    } else if (fields[0] === 'operand') {
      operands.push(value!);
    }
  }
  return { options, operands };
}

/** Our parser's result in the same form as runGlibc's. */
export function runOurs(argv: readonly string[], spec: GetoptOptions): Outcome {
  const toOutcome = (options: readonly ParsedOption[]): OutcomeOption[] =>
    options.map(({ key, name, value }) => {
      const option = { key, long: name.startsWith('--') };
      return value === undefined ? option : { ...option, value };
    });
  try {
    const result = getopt(argv, spec);
    return { options: toOutcome(result.options), operands: result.operands };
  } catch (error) {
    if (error instanceof GetoptError)
      return { error: error.message, before: toOutcome(error.parsed.options) };
    throw error;
  }
}

function decodeArgument(field: string): string | undefined {
  return field === '-' ? undefined : Buffer.from(field.slice(1), 'hex').toString('utf8');
}
