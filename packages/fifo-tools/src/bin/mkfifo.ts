import { runMain } from '@ipcutils/core/cli';
import { main } from '../mkfifo/main.js';

void runMain(main);
