/**
 * Child processes for multi-process tests (a writer and a reader, a process that dies holding an
 * object): a TypeScript snippet importing '@ipcutils/core' is bundled with esbuild into a script
 * under test/.scripts/, where node resolves ffi-rs, and run with node.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { collect, NOBODY, type RunResult, type User } from './namespace.js';

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
export async function runScript(script: string, args: readonly string[] = []): Promise<string> {
  const { status, stdout, stderr } = await collect(startScript(script, args));
  if (status !== 0) throw new Error(`script exited with ${status}: ${stderr}`);
  return stdout;
}

/** Runs a built script as an unprivileged user (setpriv, supplementary groups cleared) in this namespace. */
export function runScriptAs(user: User, script: string, args: readonly string[] = []): Promise<RunResult> {
  const setpriv = [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--'];
  return collect(
    spawn('setpriv', [...setpriv, process.execPath, script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }),
  );
}

/** Bundles `source`, runs it as nobody and parses the JSON it prints: the permission tests' probes. */
export async function runScriptAsNobody(source: string, args: readonly string[]): Promise<unknown> {
  const { status, stdout, stderr } = await runScriptAs(NOBODY, await buildScript(source), args);
  if (status !== 0) throw new Error(`probe exited with ${status}: ${stderr}`);
  return JSON.parse(stdout);
}

/** How many of this process's descriptors lead to `target` (the link text of /proc/self/fd). */
export function openDescriptorsOf(target: string): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === target) count++;
    } catch {
      // The descriptor readdir itself used, closed since.
    }
  }
  return count;
}
