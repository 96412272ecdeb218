import { runMain } from '@ipcutils/core/cli';
import { main } from '../ipcs/main.js';

void runMain(main);
