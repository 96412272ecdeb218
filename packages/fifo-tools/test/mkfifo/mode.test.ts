import { describe, expect, it } from 'vitest';
import { adjustMode, compileMode } from '../../src/mkfifo/mode.js';

/** The mode mkfifo -m MODE gives a FIFO under `umask` (coreutils: mode_adjust(0666, false, umask, ...)). */
function fifoMode(mode: string, umask: number): number | undefined {
  const changes = compileMode(mode);
  return changes && adjustMode(0o666, changes, { isDirectory: false, umask });
}

describe('compileMode + adjustMode', () => {
  it.each([
    // Examples from coreutils' documentation and tests/misc/mknod.sh.
    ['666', 0o077, 0o666],
    ['+r', 0o077, 0o666],
    ['=r', 0o022, 0o444],
    ['=r', 0o077, 0o400],
    ['u=rw,g=r', 0o022, 0o646],
    ['+x', 0o022, 0o777],
    ['+x', 0o077, 0o766],
    ['a-w', 0o022, 0o444],
    ['0', 0o022, 0],
    ['734', 0o777, 0o734],
    ['ug+rw,o+r', 0o777, 0o666],
    ['u=rwx,g=u,o=g-w', 0o022, 0o775],
    ['go=', 0o022, 0o600],
    ['a+X', 0o022, 0o666],
    ['u+x,a+X', 0o022, 0o777],
    ['=', 0o000, 0],
    ['+', 0o000, 0o666],
    ['=644', 0o777, 0o644],
    ['+7', 0o077, 0o667],
    ['u=g', 0o022, 0o666],
    ['o=u-w', 0o022, 0o664],
    ['4755', 0o022, 0o4755],
    ['u+s', 0o022, 0o4666],
    ['+t', 0o000, 0o1666],
  ])('%s under umask %o gives %o', (mode, umask, expected) => {
    expect(fifoMode(mode, umask)).toBe(expected);
  });

  it.each([
    '',
    'bogus',
    '888',
    '8',
    '17777',
    'u=7',
    'u=go',
    'rw',
    'u',
    'a=rwx,',
    ',a=r',
    'u=rw,,g=r',
    'A=r',
    '=644u',
    '=8',
  ])('rejects %j', (mode) => {
    expect(compileMode(mode)).toBeUndefined();
  });

  it('keeps a directory setgid bit unless a numeric mode of five digits says otherwise', () => {
    const short = compileMode('755')!;
    const long = compileMode('00755')!;
    const context = { isDirectory: true, umask: 0o022 };
    expect(adjustMode(0o2777, short, context)).toBe(0o2755);
    expect(adjustMode(0o2777, long, context)).toBe(0o755);
  });
});
