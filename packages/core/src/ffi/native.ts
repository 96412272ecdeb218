/**
 * Every assumption about ffi-rs's internals, in one module (test/ffi/native.test.ts pins them to
 * the installed version, so an upgrade fails there first): ffi-rs's public index.js is bypassed
 * (its musl probe costs ~13 ms) and its platform binding is loaded directly; the binding's
 * DataType numbers, the shape of an array parameter, and createExternalBuffer are used as that
 * version defines them. Loaded and libc opened once, on first use: tools that only read /proc
 * never pay for it.
 */
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch } from 'node:process';

/** The ffi-rs version these assumptions were checked against (test/ffi/native.test.ts). */
export const FFI_RS_VERSION = '1.3.7';

/** The platform package that holds the binding, relative to ffi-rs's own package. */
export const FFI_RS_BINDING_PACKAGE = `@yuuang/ffi-rs-${arch === 'arm64' ? 'linux-arm64-gnu' : 'linux-x64-gnu'}`;

/** The subset of ffi-rs's native binding we use (its shape copied from ffi-rs's index.d.ts). */
export interface FfiBinding {
  DataType: Record<string, number>;
  FFITypeTag: Record<string, number>;
  open(params: { library: string; path: string }): void;
  load(params: Record<string, unknown>): unknown;
  createExternalBuffer(external: unknown, length: number): Buffer;
}

/**
 * One call as ffi-rs's load() takes it. A call object is built once per libc function and reused:
 * load() reads its fields on every call, so only paramsValue (and an array parameter's length)
 * change between calls. ~3 µs a call where define() or a fresh object costs 6-8 µs.
 */
export type FfiCall = {
  library: string;
  funcName: string;
  retType: number;
  paramsType: unknown[];
  paramsValue: unknown[];
  errno?: boolean;
  freeResultMemory: boolean;
};

/** A Buffer parameter C reads or writes in place: ffi-rs needs its length in the type. */
export interface ArrayParam {
  type: number;
  length: number;
  ffiTypeTag: number;
}

/** The ffi-rs DataType numbers we use. */
export interface Types {
  I32: number;
  U32: number;
  I64: number;
  U64: number;
  String: number;
  External: number;
}

export const LIBRARY = 'libc';

/**
 * libc again under a name of its own, for the readiness thread (src/posix/readiness.ts): ffi-rs
 * keeps one symbol table per library name and fills it, unlocked, on each symbol's first call, so
 * a thread that only calls symbols of its own name, looked up beforehand on this thread, never
 * reads a table this thread inserts into.
 */
export const POLL_LIBRARY = 'libc-poll';

/** Opens libc under `name` as well (dlopen gives the same handle). */
export function openLibraryAs(name: string): void {
  ffi().open({ library: name, path: 'libc.so.6' });
}

let binding: FfiBinding | undefined;
let bindingFile: string | undefined;
let cachedTypes: Types | undefined;

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

export function types(): Types {
  if (cachedTypes) return cachedTypes;
  const { DataType } = ffi();
  cachedTypes = {
    I32: DataType.I32 as number,
    U32: DataType.U32 as number,
    I64: DataType.I64 as number,
    U64: DataType.U64 as number,
    String: DataType.String as number,
    External: DataType.External as number,
  };
  return cachedTypes;
}

/** An array parameter of `length` bytes (U8Array: C writes straight into the Buffer's memory). */
export function arrayParam(length: number): ArrayParam {
  const { DataType, FFITypeTag } = ffi();
  return { type: DataType.U8Array as number, length, ffiTypeTag: FFITypeTag.Array as number };
}

/** A call object for `funcName`, to be reused (see FfiCall). */
export function prepareCall(funcName: string, retType: number, paramsType: unknown[], errno = true): FfiCall {
  const call: FfiCall = {
    library: LIBRARY,
    funcName,
    retType,
    paramsType,
    paramsValue: new Array(paramsType.length).fill(0),
    freeResultMemory: false,
  };
  // ffi-rs's errno capture costs ~30% of a call: asked for only where a failure is read.
  if (errno) call.errno = true;
  return call;
}

/** Runs a prepared call. */
export function invoke(call: FfiCall): unknown {
  return (binding ?? ffi()).load(call);
}

/**
 * A Buffer over `length` bytes of foreign memory at `external` (ffi-rs never frees it). It must
 * stay private to the object that owns the mapping and be dropped before the memory is unmapped:
 * a use after that is a crash or a silent write to whatever is mapped there next.
 */
export function externalBuffer(external: unknown, length: number): Buffer {
  return ffi().createExternalBuffer(external, length);
}

/**
 * The file ffi() loaded, for a worker thread to require: the native module is loaded once per
 * process, so the worker shares its library table (libc already open) with this thread.
 */
export function ffiBindingFile(): string {
  ffi();
  return bindingFile as string;
}

/** The installed ffi-rs package.json's path (its version is what FFI_RS_VERSION pins). */
export function ffiPackageFile(): string {
  const require = createRequire(import.meta.url);
  // pnpm keeps the platform binding beside ffi-rs in its store, not beside the symlink to it.
  return realpathSync(require.resolve('ffi-rs/package.json'));
}

/**
 * The binding's file as this module would load it, without loading it (scripts/build.mjs asks
 * for it to tell each bundle where the binding is); undefined when the platform package is absent.
 */
export function ffiBindingPath(): string | undefined {
  try {
    return createRequire(ffiPackageFile()).resolve(FFI_RS_BINDING_PACKAGE);
  } catch {
    return undefined;
  }
}

/**
 * In a bundled bin, the binding the build found (scripts/build.mjs, through ffiBindingPath()): its path, beside the bundle, in the same checkout. Undeclared
 * in the library, where `typeof` makes it undefined.
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
  const fromFfi = createRequire(ffiPackageFile());
  const load = (request: string): [FfiBinding, string] => {
    const file = fromFfi.resolve(request);
    return [fromFfi(file) as FfiBinding, file];
  };
  try {
    return load(FFI_RS_BINDING_PACKAGE);
  } catch {
    return load('./index.js');
  }
}
