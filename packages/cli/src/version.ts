/**
 * This project's version, which every tool's --version prints. packages/core/test/cli/version.test.ts
 * keeps it equal to the version in every package manifest.
 */
export const IPCUTILS_VERSION = '0.2.0';

/** --version in util-linux's wording ("ipcs from util-linux 2.38.1"), naming this project. */
export function formatUtilLinuxVersion(program: string): string {
  return `${program} from ipcutils ${IPCUTILS_VERSION}\n`;
}
