import { IPCUTILS_VERSION } from '@ipcutils/cli';

/** The one-line --version text of a tool, in coreutils' wording (`mkfifo (ipcutils) 0.2.0`). */
export function formatVersion(tool: string): string {
  return `${tool} (ipcutils) ${IPCUTILS_VERSION}\n`;
}
