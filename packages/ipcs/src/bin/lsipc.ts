import { runMain } from '@ipcutils/core/cli';
import { main } from '../lsipc/main.js';

void runMain(main);
