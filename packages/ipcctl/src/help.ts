/** ipcctl's help, in util-linux's layout: the whole tool, or one group of commands. */
import { type Command, type CommandTree, type Group, isGroup } from './command.js';

const METRICS = `
Metrics options:
     --top <n>              series for the <n> queues holding the most bytes (10)
     --textfile <file>      write them to <file> for node_exporter, atomically
     --listen <addr:port>   serve them at /metrics until interrupted
                              (<port> or :<port>: address 127.0.0.1)
`;

const EXIT_STATUS = `
Exit status:
 0  success
 1  failure (usage, permission, no such object, kernel error)
 2  timed out, or would block (--nowait); exists and wait: the object is not
    there (with --gone: still there)
 3  leakcheck: CMD succeeded but left IPC objects behind
 128+N  interrupted by signal N while waiting (nothing was taken or changed)
 \`sem run\`, \`psem run\` and \`leakcheck\` exit with the status of CMD when it fails.
`;

const CHECKS = `
Checks (exists, wait, leakcheck):
     --gone           wait until the object no longer exists
     --isolate        run CMD in private IPC and mount namespaces
`;

const GLOBAL = `
 -h, --help           display this help
 -V, --version        display version
`;

const COMMON = `
Common options:
     --key <key>      name a System V object by key instead of ID
     --nowait         fail at once (exit 2) instead of waiting
     --timeout <dur>  wait at most <dur> (500ms, 2s, 1.5, 1m, 1h), then exit 2
 -J, --json           print data as JSON (bytes in base64)
${GLOBAL}`;

export function formatHelp(program: string, tree: CommandTree): string {
  const lines = Object.entries(tree).flatMap(([name, entry]) =>
    isGroup(entry)
      ? Object.entries(entry.actions).map(
          ([action, command]) => ` ${program} ${name} ${action} ${command.synopsis}`,
        )
      : [` ${program} ${name} ${entry.synopsis}`],
  );
  return `
Usage:
${lines.join('\n')}

Use System V and POSIX IPC objects from the shell: send and receive messages,
take and release semaphores, read and write shared memory; export usage
to Prometheus.
System V objects are named by ID (as ipcs shows it) or --key KEY, POSIX
objects by /NAME. DATA comes from the argument, else from standard input,
byte for byte; received bytes go to standard output unchanged.
exists, wait and leakcheck check objects and commands in scripts and CI.
${COMMON}${CHECKS}${METRICS}${EXIT_STATUS}
See '${program} <command> --help' and ipcctl(1).
`;
}

export function formatGroupHelp(program: string, name: string, group: Group): string {
  const rows = Object.entries(group.actions).map(([action, command]) => {
    const head = ` ${action}`.padEnd(10);
    return `${head}${command.summary}`;
  });
  const usage = Object.entries(group.actions).map(
    ([action, command]) => ` ${program} ${name} ${action} ${command.synopsis}`,
  );
  return `
Usage:
${usage.join('\n')}

${group.summary}; objects are named by ${group.objects}.

Commands:
${rows.join('\n')}
${COMMON}${EXIT_STATUS}`;
}

/** One top-level command that has its own help (exists, wait, leakcheck). */
export function formatCommandHelp(program: string, name: string, command: Command, help: string): string {
  return `
Usage:
 ${program} ${name} ${command.synopsis}

${help}${GLOBAL}${EXIT_STATUS}`;
}
