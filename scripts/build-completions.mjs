#!/usr/bin/env node
// Builds the shell completions of every bin declared in packages/*/package.json, for bash, zsh and
// fish, into packages/<pkg>/dist/share/ (bash-completion/completions/<bin>,
// zsh/site-functions/_<bin>, fish/vendor_completions.d/<bin>.fish).
//
// The options, whether each takes a value, and their descriptions are read from the built bin's
// --help; completions/<bin>.json adds only what --help cannot say: how to complete the values
// (see CONTRIBUTING.md). A bin without that file gets its options completed, and files as operands.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const packagesDir = join(root, 'packages');

/**
 * The options of a --help text: each with its names (-x, --long), whether it takes a value
 * ('none', 'required', or 'optional': only attached, --opt=value), the values listed in the help
 * (--all[=a|b]) and the description. A name listed twice, once without and once with a value
 * (lsipc's --creator and --creator=<user>), takes an optional value.
 */
export function parseHelp(help) {
  const options = [];
  const byName = new Map();
  const lines = help.split('\n');
  for (const [i, line] of lines.entries()) {
    const text = line.trimStart();
    if (!text.startsWith('-')) continue;
    const [head, ...rest] = text.split(/ {2,}/);
    const names = [...head.matchAll(/(?<![\w-])--?[A-Za-z][\w-]*/g)].map((m) => m[0]);
    let after = head.slice(head.lastIndexOf(names.at(-1)) + names.at(-1).length);
    let description = rest.join(' ').trim();
    // "--time-format=<type> display dates": one space between the value and the description.
    const inline = /^((?:\[=|=| )\S+) (.+)$/.exec(after);
    if (description === '' && inline) [, after, description] = inline;
    if (description === '' && !lines[i + 1]?.trimStart().startsWith('-'))
      description = lines[i + 1]?.trim() ?? '';
    const arg = after === '' ? 'none' : after.startsWith('[=') ? 'optional' : 'required';
    const listed = /^\[=([\w|-]+)\]$/.exec(after)?.[1]?.split('|');
    const fresh = [];
    for (const name of names) {
      const known = byName.get(name);
      if (!known) fresh.push(name);
      else if (known.arg !== arg && (known.arg === 'none' || arg === 'none')) {
        // lsipc's -c, --creator and --creator=<user>: --creator takes an optional value, -c none.
        known.names = known.names.filter((n) => n !== name);
        const merged = {
          names: [name],
          arg: 'optional',
          description: arg === 'none' ? known.description : description,
        };
        options.push(merged);
        byName.set(name, merged);
      }
    }
    if (fresh.length === 0) continue;
    const option = { names: fresh, arg, description };
    if (listed) option.value = { words: listed };
    options.push(option);
    for (const name of fresh) byName.set(name, option);
  }
  return options;
}

/** The column names a --help text lists, right-aligned before their description. */
export function parseColumns(help) {
  return [...new Set([...help.matchAll(/^ {2,}([A-Z][A-Z0-9%_-]*) {2}\S/gm)].map((m) => m[1]))];
}

/** The options of a bin, with the value completions of its completions/<bin>.json. */
function describe(bin, file) {
  const help = execFileSync(process.execPath, [file, '--help'], { encoding: 'utf8', env: { LC_ALL: 'C' } });
  const specFile = join(root, 'completions', `${bin}.json`);
  const spec = existsSync(specFile) ? JSON.parse(readFileSync(specFile, 'utf8')) : {};
  const options = parseHelp(help);
  const columns = parseColumns(help);
  const resolve = (value) => (value?.list === 'columns' ? { list: columns } : value);
  for (const [name, value] of Object.entries(spec.values ?? {})) {
    const option = options.find((o) => o.names.includes(name));
    if (!option) throw new Error(`completions/${bin}.json: ${bin} --help lists no option ${name}`);
    if (value.arg) option.arg = value.arg;
    option.value = resolve(typeof value === 'string' ? value : (value.value ?? value));
  }
  return { bin, options, operands: resolve(spec.operands ?? 'files') };
}

const shortNames = (o) => o.names.filter((n) => !n.startsWith('--'));
const longNames = (o) => o.names.filter((n) => n.startsWith('--'));
const sq = (s) => `'${s.replaceAll("'", `'\\''`)}'`;
/** The commands of a value completion ({ command: a } or { command: [a, b] }), each run as `command a`. */
const commands = (value) => [value.command].flat().map((c) => `command ${c}`);

// ---- bash ----------------------------------------------------------------------------------

function bashValue(value) {
  if (value === undefined || value === 'none') return 'return';
  if (value === 'files') return '_filedir; return';
  if (value === 'dirs') return '_filedir -d; return';
  if (value === 'users') return 'COMPREPLY=($(compgen -u -- "$cur")); return';
  if (value === 'fifos') return '__ipcutils_fifos; return';
  if (value.words) return `COMPREPLY=($(compgen -W ${sq(value.words.join(' '))} -- "$cur")); return`;
  if (value.list) return `__ipcutils_list ${value.list.map(sq).join(' ')}; return`;
  if (value.command)
    return `COMPREPLY=($(compgen -W "$({ ${commands(value).join('; ')}; } 2>/dev/null)" -- "$cur")); return`;
  throw new Error(`unknown value completion ${JSON.stringify(value)}`);
}

function bash({ bin, options, operands }) {
  const fn = `_ipcutils_${bin.replaceAll('-', '_')}`;
  const cases = options
    .filter((o) => o.arg !== 'none')
    .map((o) => {
      const action = bashValue(o.value);
      // An optional value is attached (--all=shm): "--all shm" is an option and an operand.
      const body = o.arg === 'optional' ? `if $split; then ${action}; fi ;;` : `${action} ;;`;
      return `\t\t${o.names.join('|')})\n\t\t\t${body}`;
    });
  const words = options.flatMap((o) => longNames(o).concat(longNames(o).length ? [] : shortNames(o)));
  return `# bash completion for ${bin}, generated by ipcutils' scripts/build-completions.mjs
# from ${bin} --help and completions/${bin}.json.

# Completes a comma-separated list of the words given: those not in it yet, after the last comma.
__ipcutils_list()
{
	local realcur="\${cur##*,}" prefix word words=()
	prefix="\${cur%"$realcur"}"
	for word in "$@"; do
		[[ ,$prefix == *,"$word",* ]] || words+=("$word")
	done
	compopt -o nospace
	COMPREPLY=($(compgen -P "$prefix" -S , -W "\${words[*]}" -- "$realcur"))
}

# Completes FIFOs, and directories on the way to them.
__ipcutils_fifos()
{
	local path keep=()
	_filedir
	for path in "\${COMPREPLY[@]}"; do
		[[ -p $path || -d $path ]] && keep+=("$path")
	done
	COMPREPLY=("\${keep[@]}")
}

${fn}()
{
	local cur prev words cword split
	_init_completion -s || return
	case $prev in
${cases.join('\n')}
	esac
	$split && return
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W ${sq(words.join(' '))} -- "$cur"))
		return
	fi
	${bashValue(operands)}
}
complete -F ${fn} ${bin}
`;
}

// ---- zsh -----------------------------------------------------------------------------------

function zshValue(value) {
  if (value === undefined || value === 'none') return ' ';
  if (value === 'files') return '_files';
  if (value === 'dirs') return '_files -/';
  if (value === 'users') return '_users';
  if (value === 'fifos') return '_files -g "*(-p)"';
  if (value.words) return `(${value.words.join(' ')})`;
  if (value.list) return `_sequence -s , compadd - ${value.list.join(' ')}`;
  if (value.command) return `{compadd - \${(f)"$({ ${commands(value).join('; ')}; } 2>/dev/null)"}}`;
  throw new Error(`unknown value completion ${JSON.stringify(value)}`);
}

function zsh({ bin, options, operands }) {
  const clean = (s) => s.replace(/[[\]]/g, (c) => (c === '[' ? '(' : ')')).replaceAll(':', ' -');
  const specs = options.flatMap((o) =>
    o.names.map((name) => {
      const desc = `[${clean(o.description)}]`;
      const label = name.replace(/^-+/, '');
      if (o.arg === 'none') return `${name}${desc}`;
      if (o.arg === 'optional') return `${name}=-${desc}::${label}:${zshValue(o.value)}`;
      return `${name}${name.startsWith('--') ? '=' : '+'}${desc}:${label}:${zshValue(o.value)}`;
    }),
  );
  specs.push(`*:operand:${zshValue(operands)}`);
  return `#compdef ${bin}
# zsh completion for ${bin}, generated by ipcutils' scripts/build-completions.mjs
# from ${bin} --help and completions/${bin}.json.

_arguments -s -S \\
${specs.map((s) => `  ${sq(s)}`).join(' \\\n')}
`;
}

// ---- fish ----------------------------------------------------------------------------------

function fishValue(value) {
  if (value === undefined || value === 'none') return ['-x'];
  if (value === 'files') return ['-r', '-F'];
  if (value === 'dirs') return ['-x', '-a', sq('(__fish_complete_directories)')];
  if (value === 'users') return ['-x', '-a', sq('(__fish_complete_users)')];
  if (value === 'fifos') return ['-x', '-a', sq('(__ipcutils_fifos)')];
  if (value.words) return ['-x', '-a', sq(value.words.join(' '))];
  if (value.list)
    return ['-x', '-a', sq(`(__fish_complete_list , "string split ' ' -- '${value.list.join(' ')}'")`)];
  if (value.command) return ['-x', '-a', sq(`(begin; ${commands(value).join('; ')}; end 2>/dev/null)`)];
  throw new Error(`unknown value completion ${JSON.stringify(value)}`);
}

function fish({ bin, options, operands }) {
  const lines = options.map((o) => {
    const names = [
      ...shortNames(o).map((n) => `-s ${n.slice(1)}`),
      ...longNames(o).map((n) => `-l ${n.slice(2)}`),
    ];
    const value = o.arg === 'none' ? [] : fishValue(o.value);
    return ['complete -c', bin, ...names, ...value, '-d', sq(o.description)].join(' ');
  });
  const operand = operands === 'files' ? [] : [`complete -c ${bin} ${fishValue(operands).join(' ')}`];
  return `# fish completion for ${bin}, generated by ipcutils' scripts/build-completions.mjs
# from ${bin} --help and completions/${bin}.json.

function __ipcutils_fifos --description 'FIFOs, and directories on the way to them'
    for path in (commandline -ct)*
        if test -d $path
            echo $path/
        else if test -p $path
            echo $path
        end
    end
end

${lines.join('\n')}
${operand.join('\n')}
`;
}

// ---- main ----------------------------------------------------------------------------------

if (import.meta.url === `file://${process.argv[1]}`) {
  let count = 0;
  for (const name of readdirSync(packagesDir)) {
    const dir = join(packagesDir, name);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const bins = Object.entries(manifest.bin ?? {});
    if (bins.length === 0) continue;
    const share = join(dir, 'dist', 'share');
    rmSync(share, { recursive: true, force: true });
    const targets = {
      'bash-completion/completions': ['bash', (bin) => bin, bash],
      'zsh/site-functions': ['zsh', (bin) => `_${bin}`, zsh],
      'fish/vendor_completions.d': ['fish', (bin) => `${bin}.fish`, fish],
    };
    for (const [bin, file] of bins) {
      // A tool whose command tree --help cannot describe (ipcctl's subcommands) has its
      // completions written by hand in completions/<shell>/: they are installed as they are.
      const written = (shell, fileName) => join(root, 'completions', shell, fileName(bin));
      const byHand = Object.values(targets).every(([shell, fileName]) =>
        existsSync(written(shell, fileName)),
      );
      const tool = byHand ? undefined : describe(bin, join(dir, file));
      for (const [sub, [shell, fileName, generate]] of Object.entries(targets)) {
        mkdirSync(join(share, sub), { recursive: true });
        const text = byHand ? readFileSync(written(shell, fileName), 'utf8') : generate(tool);
        writeFileSync(join(share, sub, fileName(bin)), text);
      }
      count++;
    }
  }
  console.log(`built bash, zsh and fish completions of ${count} bins`);
}
