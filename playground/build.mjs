// Bundles the playground into one script and one stylesheet in invoicegraph/playground_static/,
// and copies the example operations (and their variables) beside them, so the Python package
// ships everything the page needs. Run with `make playground` (npm ci, then this).
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'invoicegraph', 'playground_static');
const operationsOut = join(out, 'operations');

rmSync(out, { recursive: true, force: true });
mkdirSync(operationsOut, { recursive: true });

await esbuild.build({
  entryPoints: { playground: join(here, 'src', 'main.jsx') },
  outdir: out,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  jsx: 'automatic',
  // Fonts and images the stylesheets refer to are inlined, so there is exactly one .js and one
  // .css file (font-src and img-src then need data:).
  loader: { '.woff': 'dataurl', '.woff2': 'dataurl', '.ttf': 'dataurl', '.svg': 'dataurl' },
  define: { 'process.env.NODE_ENV': '"production"' },
  legalComments: 'eof',
  charset: 'utf8',
  logLevel: 'info',
});

for (const name of readdirSync(join(here, 'operations')).sort()) {
  if (name.endsWith('.graphql')) copyFileSync(join(here, 'operations', name), join(operationsOut, name));
}
copyFileSync(join(here, 'variables.json'), join(operationsOut, 'variables.json'));

for (const name of readdirSync(out).sort()) {
  const path = join(out, name);
  if (statSync(path).isFile()) console.log(`${name}\t${statSync(path).size} bytes`);
}
