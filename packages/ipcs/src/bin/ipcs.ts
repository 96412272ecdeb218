import { runMain } from '@ipcutils/core/cli';
import { main } from '../ipcs/main.js';

await runMain(main);
