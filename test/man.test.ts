// The manual pages (docs/man/<bin>.1.adoc, built into packages/<pkg>/dist/man by
// scripts/build-man.mjs): one per bin, rendered by man and groff without a warning, listing the
// options the bin's --help lists.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bins, root } from './helpers/bins.js';

/** What `man --warnings` says on stderr while it formats the page file `page`. */
function manWarnings(page: string) {
  const result = spawnSync('man', ['--warnings', '-l', page], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, LC_ALL: 'C.UTF-8', MANWIDTH: '80', MANPAGER: 'cat', PAGER: 'cat' },
  });
  return { status: result.status, stderr: result.stderr, stdout: result.stdout };
}

/** Option names (-x, --long) in the left column of a --help text. */
function helpOptions(help: string): Set<string> {
  const names = new Set<string>();
  for (const line of help.split('\n')) {
    if (!line.trimStart().startsWith('-')) continue;
    const head = line.trimStart().split(/ {2,}/)[0]!;
    for (const [name] of head.matchAll(/(?<![\w-])--?[A-Za-z][\w-]*/g)) names.add(name);
  }
  return names;
}

/** Option names in the definition terms (`*-o*, *--output* _list_::`) of an AsciiDoc page. */
function pageOptions(adoc: string): Set<string> {
  const names = new Set<string>();
  for (const line of adoc.split('\n')) {
    if (!line.startsWith('*-') || !line.endsWith('::')) continue;
    for (const [, name] of line.matchAll(/\*(--?[A-Za-z][\w-]*)/g)) names.add(name!);
  }
  return names;
}

it('man --warnings reports what groff warns about (the check below can fail)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'man-'));
  try {
    const page = join(dir, 'broken.1');
    writeFileSync(page, '.TH BROKEN 1\n.SH NAME\nbroken \\- a page\n.NOSUCHMACRO x\n\\f(ZZbad\n');
    expect(manWarnings(page).stderr).toMatch(/warning/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('the options of a --help text and of a page are read as written', () => {
  expect([
    ...helpOptions(' -o, --output[=<list>]    define the columns\n     --creator=<user>  x\n  (see -m)\n'),
  ]).toEqual(['-o', '--output', '--creator']);
  expect([...pageOptions('*-a*, *--all*[=_category_]::\nText *-m*.\n*--creator=*_user_::\n*0*::\n')]).toEqual(
    ['-a', '--all', '--creator'],
  );
});

describe.each(bins)('$name', ({ name, file, packageDir }) => {
  const page = join(packageDir, 'dist', 'man', `${name}.1`);
  const adoc = readFileSync(join(root, 'docs', 'man', `${name}.1.adoc`), 'utf8');

  it('has a page with the sections util-linux pages have', () => {
    const sections = [...adoc.matchAll(/^== (.+)$/gm)].map((match) => match[1]);
    expect(sections).toEqual([
      'NAME',
      'SYNOPSIS',
      'DESCRIPTION',
      'OPTIONS',
      'ENVIRONMENT',
      'EXIT STATUS',
      'EXAMPLES',
      'SEE ALSO',
    ]);
  });

  it('renders with man and groff without a warning', () => {
    const result = manWarnings(page);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^NAME\\n\\s+${name} - `, 'm'));
  });

  it('lists the options --help lists', () => {
    const help = spawnSync(file, ['--help'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, LC_ALL: 'C' },
    });
    expect(help.status).toBe(0);
    const fromHelp = [...helpOptions(help.stdout)].sort();
    expect(fromHelp.length).toBeGreaterThan(2);
    expect([...pageOptions(adoc)].sort()).toEqual(fromHelp);
  });
});
