import { runMain } from '@ipcutils/core/cli';
import { main } from '../main.js';

void runMain(main);
