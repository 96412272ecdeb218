/**
 * Loads ffi-rs and opens libc, once, on first use. Only code paths that call libc import this
 * module's users, so tools that only read /proc never pay for it.
 */
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch } from 'node:process';

/** The subset of ffi-rs's native binding we use (see node_modules/ffi-rs/index.d.ts). */
export interface FfiBinding {
  DataType: Record<string, number>;
  FFITypeTag: Record<string, number>;
  open(params: { library: string; path: string }): void;
  load(params: Record<string, unknown>): unknown;
}

export const LIBRARY = 'libc';

let binding: FfiBinding | undefined;

/** ffi-rs's binding with libc opened, loaded on first call. */
export function ffi(): FfiBinding {
  if (binding) return binding;
  const loaded = loadBinding();
  // glibc >= 2.34 has mq_*, sem_* and shm_* in libc.so.6 itself ("libc.so" is a linker script).
  loaded.open({ library: LIBRARY, path: 'libc.so.6' });
  binding = loaded;
  return loaded;
}

/**
 * ffi-rs's index.js probes for musl with process.report.getReport(), which costs ~13 ms; the
 * glibc binding package is required directly and the probe only runs when that fails.
 */
function loadBinding(): FfiBinding {
  const require = createRequire(import.meta.url);
  // pnpm keeps the platform binding beside ffi-rs in its store, not beside the symlink to it.
  const ffiPackage = realpathSync(require.resolve('ffi-rs/package.json'));
  const fromFfi = createRequire(ffiPackage);
  const gnuTriple = arch === 'arm64' ? 'linux-arm64-gnu' : 'linux-x64-gnu';
  try {
    return fromFfi(`@yuuang/ffi-rs-${gnuTriple}`) as FfiBinding;
  } catch {
    return fromFfi('./index.js') as FfiBinding;
  }
}
