/** A key as util-linux prints it: `0x%08x` of the key_t, negative keys as their unsigned bits. */
export function formatKey(key: number): string {
  return `0x${(key >>> 0).toString(16).padStart(8, '0')}`;
}
