export type {
  ArgumentMode,
  GetoptErrorKind,
  GetoptOptions,
  GetoptResult,
  LongOption,
  ParsedOption,
  ShortOptionKeys,
} from './getopt.js';
export { GetoptError, getopt } from './getopt.js';
export * from './io.js';
