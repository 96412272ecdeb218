import { runMain } from '@ipcutils/cli';
import { processSide } from '../host.js';
import { main } from '../main.js';

void runMain((argv, context) => main(argv, context, processSide()));
