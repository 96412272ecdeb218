const S_IFMT = 0o170000;
// A Map: Biome's useSimpleNumberKeys rewrites octal object keys into wrong decimal ones.
const TYPE_LETTERS = new Map<number, string>([
  [0o010000, 'p'],
  [0o020000, 'c'],
  [0o040000, 'd'],
  [0o060000, 'b'],
  [0o100000, '-'],
  [0o120000, 'l'],
  [0o140000, 's'],
]);

/** `ls -l`'s mode string: "prw-r--r--", with s/S and t/T for the special bits. */
export function formatMode(mode: number): string {
  const type = TYPE_LETTERS.get(mode & S_IFMT) ?? '?';
  const triplet = (shift: number, special: number, letter: string): string => {
    const bits = (mode >> shift) & 7;
    const execute = bits & 1;
    let x = execute ? 'x' : '-';
    if (mode & special) x = execute ? letter : letter.toUpperCase();
    return `${bits & 4 ? 'r' : '-'}${bits & 2 ? 'w' : '-'}${x}`;
  };
  return type + triplet(6, 0o4000, 's') + triplet(3, 0o2000, 's') + triplet(0, 0o1000, 't');
}

/** What kind of file a mode is, for messages: "regular file", "directory", "symbolic link". */
export function describeFileType(mode: number): string {
  switch (mode & S_IFMT) {
    case 0o010000:
      return 'fifo';
    case 0o020000:
      return 'character special file';
    case 0o040000:
      return 'directory';
    case 0o060000:
      return 'block special file';
    case 0o100000:
      return 'regular file';
    case 0o120000:
      return 'symbolic link';
    case 0o140000:
      return 'socket';
    default:
      return 'unknown file type';
  }
}
