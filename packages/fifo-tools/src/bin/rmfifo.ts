import { runMain } from '@ipcutils/core/cli';
import { main } from '../rmfifo/main.js';

void runMain(main);
