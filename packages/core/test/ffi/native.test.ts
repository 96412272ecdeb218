/**
 * Issue #10 point 6: what core/src/ffi/native.ts assumes about ffi-rs's internals, pinned to the
 * installed version. An upgrade of ffi-rs fails here first: re-check each assumption, then move
 * FFI_RS_VERSION.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  arrayParam,
  externalBuffer,
  FFI_RS_BINDING_PACKAGE,
  FFI_RS_VERSION,
  ffi,
  ffiBindingFile,
  ffiPackageFile,
  invoke,
  prepareCall,
  types,
} from '../../src/ffi/native.js';

describe('ffi-rs internals', () => {
  it('is the version native.ts was written against, with its platform binding of the same version', () => {
    const ffiPackage = JSON.parse(readFileSync(ffiPackageFile(), 'utf8'));
    expect(ffiPackage.version).toBe(FFI_RS_VERSION);
    const fromFfi = createRequire(ffiPackageFile());
    const binding = JSON.parse(
      readFileSync(fromFfi.resolve(`${FFI_RS_BINDING_PACKAGE}/package.json`), 'utf8'),
    );
    expect(binding.version).toBe(FFI_RS_VERSION);
    expect(ffiBindingFile()).toMatch(/\.node$/);
  });

  it('has the binding functions and DataType numbers native.ts uses', () => {
    const binding = ffi();
    for (const name of ['open', 'load', 'createExternalBuffer'] as const)
      expect(typeof binding[name]).toBe('function');
    expect(types()).toEqual({ I32: 1, U32: 20, I64: 8, U64: 12, String: 0, External: 11 });
    expect(arrayParam(4)).toEqual({
      type: binding.DataType.U8Array,
      length: 4,
      ffiTypeTag: binding.FFITypeTag.Array,
    });
  });

  it('reuses a call object, writes into U8Array Buffers, and wraps foreign memory without copying', () => {
    const t = types();
    const getpid = prepareCall('getpid', t.I32, [], false);
    expect(invoke(getpid)).toBe(process.pid);
    expect(invoke(getpid)).toBe(process.pid);
    const target = Buffer.alloc(4);
    const source = Buffer.from('abcd');
    const memcpy = prepareCall('memcpy', t.I64, [arrayParam(4), arrayParam(4), t.U64], false);
    memcpy.paramsValue = [target, source, 4];
    invoke(memcpy);
    expect(target.toString()).toBe('abcd');
    const withErrno = prepareCall('close', t.I32, [t.I32]);
    withErrno.paramsValue[0] = -1;
    expect(invoke(withErrno)).toMatchObject({ value: -1, errnoCode: 9 });
    // memmove(p, p, 0) returns p as an External; a Buffer over it shares the memory.
    const address = Number(
      invoke({
        ...prepareCall('memmove', t.I64, [arrayParam(4), arrayParam(4), t.U64], false),
        paramsValue: [target, target, 0],
      }),
    );
    const pointer = invoke({
      ...prepareCall('memmove', t.External, [t.I64, t.I64, t.U64], false),
      paramsValue: [address, address, 0],
    });
    const view = externalBuffer(pointer, 4);
    expect(view.toString()).toBe('abcd');
  });
});
