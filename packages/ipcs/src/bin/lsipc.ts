import { runMain } from '@ipcutils/cli';
import { main } from '../lsipc/main.js';

void runMain(main);
