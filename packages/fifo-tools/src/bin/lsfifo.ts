import { runMain } from '@ipcutils/cli';
import { main } from '../lsfifo/main.js';

void runMain(main);
