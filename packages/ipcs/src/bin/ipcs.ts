import { runMain } from '@ipcutils/cli';
import { main } from '../ipcs/main.js';

void runMain(main);
