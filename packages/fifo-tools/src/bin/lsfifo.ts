import { runMain } from '@ipcutils/core/cli';
import { main } from '../lsfifo/main.js';

void runMain(main);
