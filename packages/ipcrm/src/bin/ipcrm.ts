import { runMain } from '@ipcutils/cli';
import { main } from '../main.js';

void runMain(main);
