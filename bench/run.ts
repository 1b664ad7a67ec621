// `npm run bench`: runs every bench/*.bench.ts in its own process and prints each figure beside its
// baseline from the same run, as a table and as JSON (also saved to bench/results/latest.json).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Figure } from './lib.ts';

const dir = import.meta.dirname;
const only = process.argv[2];
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.bench.ts') && (!only || f.includes(only)));
const figures: Figure[] = [];
let failed = false;

for (const file of files) {
  process.stderr.write(`running ${file}…\n`);
  const run = spawnSync(process.execPath, [path.join(dir, file)], { encoding: 'utf8', env: process.env, maxBuffer: 64 * 1024 * 1024 });
  for (const line of run.stdout.split('\n')) if (line.startsWith('BENCH ')) figures.push(JSON.parse(line.slice(6)) as Figure);
  if (run.status !== 0) {
    failed = true;
    process.stderr.write(`${file} failed:\n${run.stderr}\n`);
  }
}

const rows = figures.map((f) => [f.id, f.name, `${f.value} ${f.unit}`, `${f.baseline.value} ${f.unit}  (${f.baseline.name})`, f.goal ?? '']);
const header = ['id', 'figure', 'value', 'baseline', 'goal'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of rows) console.log(line(row));
const json = JSON.stringify({ at: new Date().toISOString(), figures }, null, 2);
fs.mkdirSync(path.join(dir, 'results'), { recursive: true });
fs.writeFileSync(path.join(dir, 'results', 'latest.json'), json);
console.log(json);
process.exit(failed ? 1 : 0);
