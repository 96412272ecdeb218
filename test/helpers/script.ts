/**
 * Child processes for multi-process tests (a writer and a reader, a process that dies holding an
 * object): a TypeScript snippet importing '@ipcutils/core' is bundled with esbuild into a script
 * under test/.scripts/, where node resolves ffi-rs, and run with node.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const testDir = dirname(dirname(fileURLToPath(import.meta.url)));
const outDir = join(testDir, '.scripts');

const built = new Map<string, Promise<string>>();

/**
 * Bundles `source` (TypeScript, ESM) and returns the path of the runnable script. Built once per
 * test process, never reused from an earlier run: the modules it imports may have changed since.
 */
export function buildScript(source: string): Promise<string> {
  let script = built.get(source);
  if (!script) {
    script = bundle(source);
    built.set(source, script);
  }
  return script;
}

async function bundle(source: string): Promise<string> {
  const hash = createHash('sha1').update(source).digest('hex').slice(0, 16);
  const outfile = join(outDir, `${hash}-${process.pid}.mjs`);
  mkdirSync(outDir, { recursive: true });
  await build({
    stdin: { contents: source, loader: 'ts', resolveDir: testDir, sourcefile: `${hash}.ts` },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['source'],
    external: ['ffi-rs'],
    outfile,
    logLevel: 'silent',
  });
  return outfile;
}

/** Starts `node script args...` in the current (private) namespace with piped stdio. */
export function startScript(script: string, args: readonly string[] = []): ChildProcess {
  return spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Runs a script to completion and returns its stdout; rejects with its stderr on a non-zero exit. */
export function runScript(script: string, args: readonly string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = startScript(script, args);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('close', (code, signal) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`script exited with ${code ?? signal}: ${stderr}`));
    });
  });
}
