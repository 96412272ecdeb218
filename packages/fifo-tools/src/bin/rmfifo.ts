import { runMain, trapInterrupts } from '@ipcutils/cli';
import { main } from '../rmfifo/main.js';

void runMain((argv, context) => main(argv, context, { trapInterrupts }));
