export * from './filters.js';
export type {
  ArgumentMode,
  GetoptErrorKind,
  GetoptOptions,
  GetoptResult,
  GetoptUntilErrorResult,
  LongOption,
  ParsedOption,
  ShortOptionKeys,
} from './getopt.js';
export { GetoptError, getopt, getoptUntilError } from './getopt.js';
export * from './io.js';
export * from './locale.js';
export * from './numbers.js';
export * from './usage.js';
export * from './verdicts.js';
export * from './version.js';
export * from './vocabulary.js';
export * from './yargs-options.js';
