import { runMain } from '@ipcutils/cli';
import { main } from '../rmfifo/main.js';

void runMain(main);
