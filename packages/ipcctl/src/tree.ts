/** ipcctl's commands. Issue 15's exists, wait, leakcheck and metrics join chmod and chown here. */
import type { CommandTree } from './command.js';
import { exists, wait } from './commands/check.js';
import { leakcheck } from './commands/leakcheck.js';
import { metrics } from './commands/metrics.js';
import { mq } from './commands/mq.js';
import { msg } from './commands/msg.js';
import { chmod, chown } from './commands/perm.js';
import { psem } from './commands/psem.js';
import { sem } from './commands/sem.js';
import { pshm, shm } from './commands/shm.js';

export const COMMANDS: CommandTree = {
  msg,
  sem,
  shm,
  mq,
  psem,
  pshm,
  chmod,
  chown,
  exists,
  wait,
  leakcheck,
  metrics,
};
