import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { check, checkPointer } from '../../src/ffi/call.js';
import {
  IPC_CREAT,
  IPC_NOWAIT,
  IPC_PRIVATE,
  IPC_RMID,
  IPC_STAT,
  O_CREAT,
  O_RDWR,
} from '../../src/ffi/constants.js';
import { decodeShmidDs, MQ_ATTR, SHMID_DS } from '../../src/ffi/layout.js';
import * as libc from '../../src/ffi/libc.js';

describe('libc bindings', () => {
  it('creates, stats, attaches, writes, reads and removes a System V segment', () => {
    const id = check(libc.shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0o640), 'shmget');
    const ds = Buffer.alloc(SHMID_DS.size);
    check(libc.shmctl(id, IPC_STAT, ds), 'shmctl');
    const segment = decodeShmidDs(ds, id);
    expect(segment).toMatchObject({ id, key: 0, size: 4096, mode: 0o640, nattch: 0, cpid: process.pid });
    const address = check(libc.shmat(id, 0), 'shmat');
    libc.copyToAddress(address + 10, Buffer.from('hello'));
    const back = Buffer.alloc(5);
    libc.copyFromAddress(back, address + 10);
    expect(back.toString()).toBe('hello');
    check(libc.shmdt(address), 'shmdt');
    check(libc.shmctl(id, IPC_RMID), 'shmctl');
    expect(() => check(libc.shmctl(id, IPC_STAT, ds), 'shmctl', { id })).toThrow(
      expect.objectContaining({ code: 'EINVAL', syscall: 'shmctl', id }),
    );
  });

  it('opens a POSIX message queue and reads its attributes', () => {
    const mqd = check(libc.mqOpen('/libc-smoke', O_RDWR | O_CREAT, 0o600), 'mq_open');
    const attr = Buffer.alloc(MQ_ATTR.size);
    check(libc.mqGetattr(mqd, attr), 'mq_getattr');
    expect(Number(attr.readBigInt64LE(MQ_ATTR.maxmsg))).toBeGreaterThan(0);
    check(libc.mqClose(mqd), 'mq_close');
    check(libc.mqUnlink('/libc-smoke'), 'mq_unlink');
  });

  it('makes the hot calls without errno and reads it only for a failure, never a stale one', () => {
    const id = check(libc.msgget(IPC_PRIVATE, IPC_CREAT | 0o600), 'msgget');
    const msgp = libc.nativeBuffer(8 + 64);
    try {
      msgp.view.writeBigInt64LE(1n, 0);
      // A failure first leaves errno at ENOMSG in this thread; the success after it must not report it.
      expect(libc.msgrcvAt(id, msgp.address, 64, 0, IPC_NOWAIT)).toMatchObject({
        value: -1,
        errnoCode: constants.errno.ENOMSG,
      });
      expect(libc.msgsndAt(id, msgp.address, 64, IPC_NOWAIT)).toEqual({
        value: 0,
        errnoCode: 0,
        errnoMessage: '',
      });
      expect(libc.msgrcvAt(id, msgp.address, 64, 0, IPC_NOWAIT)).toMatchObject({ value: 64, errnoCode: 0 });
      expect(libc.semtimedopAt(id, msgp.address, 1)).toMatchObject({
        value: -1,
        errnoCode: constants.errno.EINVAL,
      });
    } finally {
      libc.freeNativeBuffer(msgp);
      check(libc.msgctl(id, IPC_RMID), 'msgctl');
    }
  });

  it('reads a user name through getpwuid', () => {
    const passwd = checkPointer(libc.getpwuid(0), 'getpwuid');
    const pointer = Buffer.alloc(8);
    libc.copyFromAddress(pointer, passwd);
    const name = Number(pointer.readBigUInt64LE(0));
    const text = Buffer.alloc(libc.strlen(name));
    libc.copyFromAddress(text, name);
    expect(text.toString()).toBe('root');
  });
});
