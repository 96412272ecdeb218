/** The version every fifo-tools bin reports (`mkfifo (ipcutils) 0.1.0`). */
export const VERSION = '0.1.0';

/** The one-line --version text of a tool. */
export function formatVersion(tool: string): string {
  return `${tool} (ipcutils) ${VERSION}\n`;
}
