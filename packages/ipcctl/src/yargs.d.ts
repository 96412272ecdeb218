// What ipcctl's command tree uses of yargs 18, added to the declarations in
// packages/fifo-tools/src/yargs.d.ts (the package ships no types for its main entry point).
import 'yargs';

declare module 'yargs' {
  interface Argv {
    command(command: string, description: false, builder: (yargs: Argv) => Argv): Argv;
    demandCommand(min: number, max: number, minMessage: string, maxMessage: string): Argv;
    strict(enabled?: boolean): Argv;
  }

  interface ParserConfiguration {
    'populate--'?: boolean;
  }
}
