/**
 * The suite's one JSON vocabulary (docs/json.md): every tool's typed JSON, printed by the built
 * bins on real objects in a private namespace, is checked with ajv against the published schema
 * (docs/json/ipcutils.schema.json), and the schema itself refuses what the tools used to print.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ajv2020 from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IpcNamespace, type RunOptions, withNamespace } from './helpers/namespace.js';

const ROOT = join(import.meta.dirname, '..');
const SCHEMA = JSON.parse(readFileSync(join(ROOT, 'docs/json/ipcutils.schema.json'), 'utf8'));
const ENV = { PATH: `${join(ROOT, 'bin')}:/usr/bin:/bin:/usr/sbin:/sbin`, TZ: 'UTC', LC_ALL: 'C' };

// ajv and ajv-formats are CommonJS: their class and plugin are module.exports.default.
const Ajv2020 = ajv2020.default;
const addFormats = ajvFormats.default;
// strictRequired would refuse "required" inside if/then branches whose properties sit one level up.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
addFormats(ajv);
ajv.addSchema(SCHEMA);

/** 'valid' when `value` is a valid `def` (and, for a tool's output, a document of the vocabulary); else ajv's errors. */
function check(def: string, value: unknown, { document = true } = {}): string {
  const validate = ajv.getSchema(`${SCHEMA.$id}#/$defs/${def}`);
  if (validate === undefined) throw new Error(`no $defs/${def} in the schema`);
  if (!validate(value)) return ajv.errorsText(validate.errors, { dataVar: def });
  const whole = ajv.getSchema(SCHEMA.$id)!;
  return !document || whole(value) ? 'valid' : ajv.errorsText(whole.errors);
}

let ns: IpcNamespace;
let close: () => void;

/** One namespace for the file: the tools run in it as root unless asked otherwise. */
beforeAll(async () => {
  for (const bin of ['ipcmk', 'ipcrm', 'lsipc', 'ipcctl', 'lsfifo']) {
    if (!existsSync(join(ROOT, 'bin', bin))) throw new Error(`bin/${bin} is missing: run pnpm build`);
  }
  await new Promise<void>((ready) => {
    void withNamespace(
      (namespace) =>
        new Promise<void>((done) => {
          ns = namespace;
          close = done;
          ready();
        }),
      { pid: true },
    );
  });
}, 30_000);

afterAll(() => close?.());

async function json(command: string, options: RunOptions = {}): Promise<unknown> {
  const result = await ns.sh(command, { env: ENV, ...options });
  expect(result.stderr, command).toBe('');
  return JSON.parse(result.stdout);
}

/** JSON lines (ipcctl prints one object per line). */
async function jsonLines(command: string, options: RunOptions = {}): Promise<unknown[]> {
  const result = await ns.sh(command, { env: ENV, ...options });
  expect(result.stderr, command).toBe('');
  return result.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

describe('the schema', () => {
  it('is a valid draft 2020-12 schema that ajv compiles in strict mode', () => {
    expect(ajv.validateSchema(SCHEMA)).toBe(true);
    expect(SCHEMA.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    for (const def of Object.keys(SCHEMA.$defs))
      expect(ajv.getSchema(`${SCHEMA.$id}#/$defs/${def}`)).toBeDefined();
  });

  it('refuses the old spellings: kind, keyHex, an unnamed table, a POSIX name without "/", owner as a number', () => {
    expect(
      check('ipcmkReport', { resources: [{ kind: 'shm', id: 0, key: 1, keyHex: '0x00000001' }] }),
    ).not.toBe('valid');
    expect(check('lsipcTypedJson', { '': [] })).not.toBe('valid');
    expect(check('pshmRow', { name: 'data' }, { document: false })).not.toBe('valid');
    expect(check('pshmRow', { name: '/data' }, { document: false })).toBe('valid');
    const object = { type: 'shm', id: 1, key: 2, owner: 0, uid: 0, cuser: 'root', cuid: 0, changed: null };
    const asObject = { document: false };
    expect(check('ipcObject', object, asObject)).not.toBe('valid');
    expect(check('ipcObject', { ...object, owner: 'root' }, asObject)).toBe('valid');
    expect(check('ipcObject', { ...object, owner: 'root', name: '/x' }, asObject)).not.toBe('valid');
    expect(check('ipcctlMsgMessage', { id: 0, type: 1, size: 0, data: '' })).not.toBe('valid');
  });
});

describe('every tool prints the vocabulary', () => {
  it('lsipc --typed-json names its table after the kind even when nothing exists', async () => {
    const tables = {
      '-m': 'sharedmemory',
      '-q': 'messages',
      '-s': 'semaphores',
      '-M': 'posix-sharedmemory',
      '-Q': 'posix-messages',
      '-S': 'posix-semaphores',
    };
    for (const [option, table] of Object.entries(tables)) {
      const typed = await json(`lsipc ${option} --typed-json`);
      expect(typed).toEqual({ [table]: [] });
      expect(check('lsipcTypedJson', typed)).toBe('valid');
    }
    // util-linux's own --json keeps its "" (the drop-in output is unchanged).
    expect((await ns.sh('lsipc -m --json', { env: ENV })).stdout).toBe('{\n   "": [\n\n   ]\n}\n');
  });

  it('ipcmk --json: type, key and key_hex, POSIX names with their "/"', async () => {
    const sysv = await json('ipcmk -M 4096 -Q -S 2 --json');
    expect(check('ipcmkReport', sysv)).toBe('valid');
    // Shared memory and semaphores may be named without the "/" (util-linux prints them as given).
    const posix = await json('ipcmk -m 4096 -s -n vocab --json');
    expect(check('ipcmkReport', posix)).toBe('valid');
    expect(posix).toEqual({
      resources: [
        { type: 'pshm', name: '/vocab' },
        { type: 'psem', name: '/vocab' },
      ],
    });
    expect(await json('ipcmk -q -n /vocab --json')).toEqual({
      resources: [{ type: 'pmsg', name: '/vocab' }],
    });
  });

  it('lsipc --typed-json of each kind, with every column, the set elements and the limits', async () => {
    const sysv = 'KEY,ID,OWNER,PERMS,CUID,CUSER,CGID,CGROUP,UID,USER,GID,GROUP,CTIME';
    const views = [
      ['-m', `${sysv},SIZE,NATTCH,STATUS,ATTACH,DETACH,COMMAND,CPID,LPID,TYPE,HOLDERS`],
      ['-q', `${sysv},USEDBYTES,MSGS,SEND,RECV,LSPID,LRPID,TYPE,HOLDERS`],
      ['-s', `${sysv},NSEMS,OTIME,TYPE,HOLDERS`],
      ['-M', '+CUID,CUSER,CGID,CGROUP,UID,USER,GID,GROUP,TYPE,HOLDERS'],
      ['-Q', '+CUID,CUSER,CGID,CGROUP,UID,USER,GID,GROUP,TYPE,HOLDERS'],
      ['-S', '+CUID,CUSER,CGID,CGROUP,UID,USER,GID,GROUP,TYPE,HOLDERS'],
    ];
    for (const [option, columns] of views) {
      const typed = (await json(`lsipc ${option} -o ${columns} --typed-json`)) as Record<string, unknown[]>;
      expect(check('lsipcTypedJson', typed), option).toBe('valid');
      expect(Object.values(typed)[0]?.length, option).toBeGreaterThan(0);
    }
    const posix = (await json('lsipc -M -o NAME,OWNER,UID --typed-json')) as Record<string, unknown[]>;
    expect(posix['posix-sharedmemory']).toEqual([{ name: '/vocab', owner: 'root', uid: 0 }]);
    expect(check('lsipcTypedJson', await json('lsipc -s -i 0 --typed-json'))).toBe('valid');
    expect(check('lsipcTypedJson', await json('lsipc -g --typed-json'))).toBe('valid');
    expect(check('lsipcTypedJson', await json('lsipc --older-than 0s --typed-json'))).toBe('valid');
    expect(check('lsipcTypedJson', await json('lsipc --orphaned --typed-json'))).toBe('valid');
  });

  it('ipcrm --json: a dry run with --explain, a removal, a named object that does not exist', async () => {
    const dryRun = await json('ipcrm --orphaned --older-than 0s --dry-run --explain --json');
    expect(check('ipcrmReport', dryRun)).toBe('valid');
    expect((dryRun as { judged: unknown[] }).judged.length).toBeGreaterThan(0);
    const missing = await ns.sh('ipcrm --json -m 424242 --posix-shmem nosuch', { env: ENV });
    expect(missing.status).toBe(1);
    const report = JSON.parse(missing.stdout);
    expect(check('ipcrmReport', report)).toBe('valid');
    expect(report.failed.map((failed: { id?: number; name?: string }) => failed.id ?? failed.name)).toEqual([
      424242,
      '/nosuch',
    ]);
    const removal = await ns.sh('ipcrm --all=pshm --all=psem --json', { env: ENV });
    expect(check('ipcrmReport', JSON.parse(removal.stdout))).toBe('valid');
  });

  it('ipcctl --json: every command that prints data', async () => {
    const id = (await ns.sh('ipcmk -Q | grep -o "[0-9]*$"', { env: ENV })).stdout.trim();
    const sem = (await ns.sh('ipcmk -S 2 | grep -o "[0-9]*$"', { env: ENV })).stdout.trim();
    const shm = (await ns.sh('ipcmk -M 64 | grep -o "[0-9]*$"', { env: ENV })).stdout.trim();
    await ns.sh(
      `ipcctl msg send ${id} --type 3 one; ipcctl msg send ${id} two; ipcctl msg send ${id} three`,
      {
        env: ENV,
      },
    );
    await ns.sh('ipcmk -m 64 -q -s -n /tool; ipcctl mq send /tool hello', { env: ENV });
    const lines = await jsonLines(
      [
        `ipcctl msg peek ${id} --json`,
        `ipcctl msg recv ${id} --json`,
        `ipcctl msg drain ${id} --json`,
        `ipcctl sem get ${sem} --json`,
        `ipcctl sem get ${sem} 1 --json`,
        `printf abc | ipcctl shm write ${shm} --json`,
        `ipcctl shm read ${shm} --length 3 --json`,
        'printf xyz | ipcctl pshm write /tool --json',
        'ipcctl pshm read /tool --length 3 --json',
        'ipcctl mq attr /tool --json',
        'ipcctl mq attr /tool --nonblock on --json',
        'ipcctl mq recv /tool --json',
        'ipcctl psem get /tool --json',
      ].join('; '),
    );
    expect(lines).toHaveLength(13);
    for (const line of lines) expect(check('ipcctlOutput', line), JSON.stringify(line)).toBe('valid');
    expect(lines[1]).toEqual({ id: Number(id), mtype: 3, size: 3, data: 'b25l' });
  });

  it("ipcctl leakcheck --json: what the command left, in the objects' vocabulary", async () => {
    const result = await ns.sh(
      "ipcctl leakcheck --json -- sh -c 'ipcmk -M 64 >/dev/null; ipcmk -Q >/dev/null'; ipcctl leakcheck --isolate --json -- ipcmk -m 8 -n /left",
      { env: ENV },
    );
    const reports = result.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
    expect(reports).toHaveLength(2);
    for (const report of reports)
      expect(check('ipcctlLeakcheck', report), JSON.stringify(report)).toBe('valid');
    expect(reports[1].left).toMatchObject([{ type: 'pshm', name: '/left', owner: 'root', uid: 0 }]);
  });

  it('lsfifo --json', async () => {
    await ns.sh('mkdir /dev/shm/fifos && mkfifo /dev/shm/fifos/a /dev/shm/fifos/b');
    const listing = await json('lsfifo --json /dev/shm/fifos');
    expect(check('lsfifoJson', listing)).toBe('valid');
    expect((listing as { fifos: unknown[] }).fifos).toHaveLength(2);
  });
});
