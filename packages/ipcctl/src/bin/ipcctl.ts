import { runMain } from '@ipcutils/core/cli';
import { processSide } from '../host.js';
import { main } from '../main.js';

void runMain((argv, io) => main(argv, io, processSide()));
