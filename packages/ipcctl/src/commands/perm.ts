/** ipcctl chmod and chown: IPC_SET of a System V object's permission bits or owner. */
import type { Command } from '../command.js';
import { expectOperands, KEY_OPTION } from '../command.js';
import { onObject, resolveSysv, takeSysvRef } from '../objects.js';
import * as ops from '../ops.js';
import { parseInteger, parseMode } from '../parse.js';
import { success, UsageError } from '../result.js';

const KINDS = ['shm', 'msg', 'sem'] as const;
type Kind = (typeof KINDS)[number];

function kindOf(text: string | undefined): Kind {
  const kind = KINDS.find((k) => k === text);
  if (kind === undefined) {
    throw new UsageError(
      text === undefined ? 'missing operand: shm|msg|sem' : `unknown kind (shm, msg or sem): '${text}'`,
    );
  }
  return kind;
}

export const chmod: Command = {
  synopsis: 'shm|msg|sem ID MODE',
  summary: 'set the permission bits (octal, at most 777)',
  options: KEY_OPTION,
  async run(args) {
    const kind = kindOf(args.operands[0]);
    const { ref, operands } = takeSysvRef(kind, { ...args, operands: args.operands.slice(1) });
    expectOperands({ ...args, operands }, 1, 1, 'MODE');
    const mode = parseMode(operands[0]!);
    const { id, label } = resolveSysv(ref);
    onObject(label, () => ops.setPermissions(kind, id, { mode }));
    return success();
  },
};

export const chown: Command = {
  synopsis: 'shm|msg|sem ID USER[:GROUP]',
  summary: 'set the owner, and the group (names or numbers)',
  options: KEY_OPTION,
  async run(args) {
    const kind = kindOf(args.operands[0]);
    const { ref, operands } = takeSysvRef(kind, { ...args, operands: args.operands.slice(1) });
    expectOperands({ ...args, operands }, 1, 1, 'USER[:GROUP]');
    const owner = parseOwner(operands[0]!);
    const { id, label } = resolveSysv(ref);
    onObject(label, () => ops.setPermissions(kind, id, owner));
    return success();
  },
};

/** `USER`, `USER:GROUP` or `:GROUP`, by name or number (uid_t and gid_t are 32-bit). */
function parseOwner(text: string): { uid?: number; gid?: number } {
  const colon = text.indexOf(':');
  const user = colon === -1 ? text : text.slice(0, colon);
  const group = colon === -1 ? undefined : text.slice(colon + 1);
  if (user === '' && (group === undefined || group === '')) throw new UsageError(`invalid owner: '${text}'`);
  const owner: { uid?: number; gid?: number } = {};
  if (user !== '') owner.uid = idOf(user, 'user', ops.lookupUser);
  if (group !== undefined && group !== '') owner.gid = idOf(group, 'group', ops.lookupGroup);
  return owner;
}

function idOf(text: string, what: string, lookup: (name: string) => number | undefined): number {
  if (/^[0-9]+$/.test(text)) return parseInteger(text, what, 0, 0xffff_fffe);
  const id = lookup(text);
  if (id === undefined) throw new UsageError(`invalid ${what}: '${text}'`);
  return id;
}
