/** coreutils 9.1 `mkfifo --help`, with the program name as invoked (program_name is argv[0]). */
export function formatHelp(program: string, env: Readonly<Record<string, string | undefined>>): string {
  return `Usage: ${program} [OPTION]... NAME...
Create named pipes (FIFOs) with the given NAMEs.

Mandatory arguments to long options are mandatory for short options too.
  -m, --mode=MODE    set file permission bits to MODE, not a=rw - umask
  -Z                   set the SELinux security context to default type
      --context[=CTX]  like -Z, or if CTX is specified then set the SELinux
                         or SMACK security context to CTX
      --help        display this help and exit
      --version     output version information and exit

GNU coreutils online help: <https://www.gnu.org/software/coreutils/>
${translationLine(env)}Full documentation <https://www.gnu.org/software/coreutils/mkfifo>
or available locally via: info '(coreutils) mkfifo invocation'
`;
}

/** emit_ancillary_info() leaves this line out when LC_MESSAGES is an English locale ("en_*"). */
function translationLine(env: Readonly<Record<string, string | undefined>>): string {
  const messages = env.LC_ALL || env.LC_MESSAGES || env.LANG || 'C';
  return messages.startsWith('en_')
    ? ''
    : 'Report any translation bugs to <https://translationproject.org/team/>\n';
}
