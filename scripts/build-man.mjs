#!/usr/bin/env node
// Builds the manual pages: docs/man/<bin>.1.adoc, for every bin declared in packages/*/package.json,
// is converted to roff by Asciidoctor's manpage backend into packages/<pkg>/dist/man/<bin>.1, which
// npm installs with the package (its manifest's "man" lists them, in the order of "bin").
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convert } from '@asciidoctor/core';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const packagesDir = join(root, 'packages');
const sources = join(root, 'docs', 'man');

let pages = 0;
for (const name of readdirSync(packagesDir)) {
  const dir = join(packagesDir, name);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const bins = Object.keys(manifest.bin ?? {});
  if (bins.length === 0) continue;
  const declared = bins.map((bin) => `./dist/man/${bin}.1`);
  if (JSON.stringify(manifest.man) !== JSON.stringify(declared)) {
    throw new Error(`${manifest.name}: package.json needs "man": ${JSON.stringify(declared)}`);
  }
  const out = join(dir, 'dist', 'man');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const bin of bins) {
    let source;
    try {
      source = readFileSync(join(sources, `${bin}.1.adoc`), 'utf8');
    } catch {
      throw new Error(`${manifest.name}: bin ${bin} has no manual page docs/man/${bin}.1.adoc`);
    }
    const roff = await convert(source, {
      doctype: 'manpage',
      backend: 'manpage',
      standalone: true,
      safe: 'secure',
      attributes: { 'release-version': manifest.version, reproducible: '' },
    });
    writeFileSync(join(out, `${bin}.1`), String(roff));
    pages++;
  }
}
console.log(`built ${pages} manual pages`);
