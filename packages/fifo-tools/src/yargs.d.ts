// The parts of yargs 18 the tools use: the package ships no types for its main entry point.
declare module 'yargs' {
  export interface YargsOption {
    type?: 'string' | 'boolean' | 'count';
    alias?: string | readonly string[];
    /** The option must be followed by a value (yargs' narg 1). */
    requiresArg?: boolean;
  }

  export interface YargsArguments {
    _: (string | number)[];
    [key: string]: unknown;
  }

  export interface ParserConfiguration {
    'boolean-negation'?: boolean;
    'camel-case-expansion'?: boolean;
    'dot-notation'?: boolean;
    'duplicate-arguments-array'?: boolean;
    'parse-numbers'?: boolean;
    'parse-positional-numbers'?: boolean;
    'short-option-groups'?: boolean;
    'strip-aliased'?: boolean;
  }

  export interface Argv {
    options(options: Readonly<Record<string, YargsOption>>): Argv;
    parserConfiguration(configuration: ParserConfiguration): Argv;
    strictOptions(enabled?: boolean): Argv;
    help(enabled: false): Argv;
    version(enabled: false): Argv;
    exitProcess(enabled: boolean): Argv;
    locale(locale: string): Argv;
    fail(handler: (message: string | undefined, error: Error | undefined) => void): Argv;
    parseSync(args: readonly string[]): YargsArguments;
  }

  const yargs: (args?: readonly string[]) => Argv;
  export default yargs;
}
