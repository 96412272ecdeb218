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
let bindingFile: string | undefined;

/** ffi-rs's binding with libc opened, loaded on first call. */
export function ffi(): FfiBinding {
  if (binding) return binding;
  const [loaded, file] = loadBinding();
  bindingFile = file;
  // glibc >= 2.34 has mq_*, sem_* and shm_* in libc.so.6 itself ("libc.so" is a linker script).
  loaded.open({ library: LIBRARY, path: 'libc.so.6' });
  binding = loaded;
  return loaded;
}

/**
 * The file ffi() loaded, for a worker thread to require: the native module is loaded once per
 * process, so the worker shares its library table (libc already open) with this thread.
 */
export function ffiBindingFile(): string {
  ffi();
  return bindingFile as string;
}

/**
 * In a bundled bin, the binding the build found (scripts/build.mjs): its path, beside the
 * bundle, in the same checkout. Undeclared in the library, where `typeof` makes it undefined.
 */
declare const IPCUTILS_FFI_BINDING: string | undefined;

/**
 * ffi-rs's index.js probes for musl with process.report.getReport(), which costs ~13 ms; the
 * glibc binding package is required directly and the probe only runs when that fails. A bundled
 * bin first tries the file it was built with, which saves resolving two packages (~1 ms).
 */
function loadBinding(): [FfiBinding, string] {
  if (typeof IPCUTILS_FFI_BINDING === 'string') {
    const file = IPCUTILS_FFI_BINDING;
    try {
      // What require() does for a .node file, without resolving the path or caching the module.
      const module = { exports: {} };
      process.dlopen(module, file);
      return [module.exports as FfiBinding, file];
    } catch {
      // Moved or removed since the build: resolve it as the library does.
    }
  }
  const require = createRequire(import.meta.url);
  // pnpm keeps the platform binding beside ffi-rs in its store, not beside the symlink to it.
  const ffiPackage = realpathSync(require.resolve('ffi-rs/package.json'));
  const fromFfi = createRequire(ffiPackage);
  const gnuTriple = arch === 'arm64' ? 'linux-arm64-gnu' : 'linux-x64-gnu';
  const load = (request: string): [FfiBinding, string] => {
    const file = fromFfi.resolve(request);
    return [fromFfi(file) as FfiBinding, file];
  };
  try {
    return load(`@yuuang/ffi-rs-${gnuTriple}`);
  } catch {
    return load('./index.js');
  }
}
