/** The project version --version prints: the one in this package's manifest. */
import manifest from '../package.json' with { type: 'json' };

export const IPCUTILS_VERSION: string = manifest.version;
