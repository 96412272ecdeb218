import type { IpcPerm } from '@ipcutils/core';
import { describe, expect, it } from 'vitest';
import { mayRead } from '../src/select.js';

const object = (mode: number, owner: Partial<IpcPerm> = {}): IpcPerm => ({
  key: 1,
  id: 0,
  uid: 0,
  gid: 0,
  cuid: 0,
  cgid: 0,
  mode,
  ...owner,
});
const nobody = { euid: 65534, groups: new Set([65534]) };

describe('mayRead (ipcperms for read, by mode bits)', () => {
  it('uses the owner bits for the owner and for the creator', () => {
    expect(mayRead(object(0o400, { uid: 65534 }), nobody)).toBe(true);
    expect(mayRead(object(0o400, { cuid: 65534 }), nobody)).toBe(true);
    expect(mayRead(object(0o044, { uid: 65534 }), nobody)).toBe(false);
  });

  it('uses the group bits for either group, and only when not the owner', () => {
    expect(mayRead(object(0o040, { gid: 65534 }), nobody)).toBe(true);
    expect(mayRead(object(0o040, { cgid: 65534 }), nobody)).toBe(true);
    expect(mayRead(object(0o004, { gid: 65534 }), nobody)).toBe(false);
  });

  it('uses the other bits otherwise', () => {
    expect(mayRead(object(0o644), nobody)).toBe(true);
    expect(mayRead(object(0o600), nobody)).toBe(false);
    expect(mayRead(object(0o640), nobody)).toBe(false);
  });

  it('ignores SHM_DEST and SHM_LOCKED in the mode', () => {
    expect(mayRead(object(0o3600), nobody)).toBe(false);
    expect(mayRead(object(0o3604), nobody)).toBe(true);
  });
});
