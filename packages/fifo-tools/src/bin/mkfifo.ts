import { runMain } from '@ipcutils/cli';
import { main } from '../mkfifo/main.js';

void runMain(main, { writeErrors: 'coreutils' });
