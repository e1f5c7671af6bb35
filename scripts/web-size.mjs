#!/usr/bin/env node
// Size report of the built web workspace (run by `npm run build:web` after `vite build`).
// The first load is the entry chunk and every chunk it imports statically (Vite's manifest);
// lazily imported pages are listed apart. Fails (exit 1) when the first-load JavaScript exceeds
// the budget, gzipped.
//   node scripts/web-size.mjs [--budget-kb 300] [--dir dist/web]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const dir = option('--dir', 'dist/web');
const budgetKb = Number(option('--budget-kb', '300'));

let manifest;
try {
  manifest = JSON.parse(readFileSync(join(dir, '.vite', 'manifest.json'), 'utf8'));
} catch (error) {
  console.error(`web-size: cannot read ${join(dir, '.vite', 'manifest.json')} (${error.message}); run vite build first`);
  process.exit(1);
}

const sizes = new Map();
const sizeOf = (file) => {
  if (!sizes.has(file)) {
    const bytes = readFileSync(join(dir, file));
    sizes.set(file, { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
  }
  return sizes.get(file);
};
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

const entries = Object.entries(manifest).filter(([, chunk]) => chunk.isEntry);
if (entries.length === 0) {
  console.error('web-size: no entry chunk in the manifest');
  process.exit(1);
}
const firstLoad = new Set();
const css = new Set();
const visit = (key) => {
  const chunk = manifest[key];
  if (!chunk || firstLoad.has(chunk.file)) return;
  firstLoad.add(chunk.file);
  for (const file of chunk.css ?? []) css.add(file);
  for (const imported of chunk.imports ?? []) visit(imported);
};
for (const [key] of entries) visit(key);

const lazy = new Set();
for (const chunk of Object.values(manifest)) {
  if (chunk.file.endsWith('.js') && !firstLoad.has(chunk.file)) lazy.add(chunk.file);
}

const rows = (files) => [...files].sort().map((file) => ({ file, ...sizeOf(file) }));
const print = (title, list) => {
  console.log(title);
  for (const r of list) console.log(`  ${r.file.padEnd(48)} ${kb(r.raw).padStart(10)}  gzip ${kb(r.gzip).padStart(9)}`);
};
const first = rows(firstLoad);
const total = first.reduce((sum, r) => sum + r.gzip, 0);
print('First load (entry + static imports):', first);
if (css.size > 0) print('First-load CSS:', rows(css));
if (lazy.size > 0) print('Lazy chunks (loaded on demand):', rows(lazy));
const budget = budgetKb * 1024;
console.log(`First-load JavaScript: ${kb(total)} gzipped (budget ${budgetKb} KB)`);
if (total > budget) {
  console.error(`web-size: first-load JavaScript ${kb(total)} gzipped exceeds the budget of ${budgetKb} KB: move heavy pages behind React.lazy`);
  process.exit(1);
}
