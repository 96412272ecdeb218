/**
 * Linux's O_PATH (x86-64 and arm64), which node:fs does not export: a descriptor that names a file
 * without opening it, so it needs no read permission; fstat and /proc/self/fd/N work through it.
 */
export const O_PATH = 0o10000000;
