// `npm test`: builds the SPAs when their sources changed, runs every vitest project once on the
// database chosen by the environment, and ends with one line "N passed, M failed".
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const dialect = process.env.DATABASE_URL ? 'postgres' : 'pglite';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

function isStale(app: string): boolean {
  const index = path.join(root, app, 'dist/index.html');
  if (!fs.existsSync(index)) return true;
  const sources = Math.max(newestMtime(path.join(root, app, 'src')), newestMtime(path.join(root, 'platform/src/contracts')));
  return sources > fs.statSync(index).mtimeMs;
}

const stale = ['runtime', 'designer'].filter(isStale);
if (stale.length > 0) {
  const build = spawnSync('npm', ['run', 'build', ...stale.flatMap((w) => ['--workspace', w])], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) {
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

const report = path.join(root, 'test-results', `vitest-${dialect}.json`);
fs.mkdirSync(path.dirname(report), { recursive: true });
fs.rmSync(report, { force: true });
console.log(`Running every suite on ${dialect}.`);
const run = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});

type Report = {
  numPassedTests: number;
  numFailedTests: number;
  testResults: { name: string; status: string; message?: string; assertionResults: { status: string; fullName: string }[] }[];
};

let passed = 0;
let failed = run.status === 0 ? 0 : 1;
if (fs.existsSync(report)) {
  const result = JSON.parse(fs.readFileSync(report, 'utf8')) as Report;
  // A file that failed without a failing test (it did not load, or a hook threw) counts as one failure.
  const brokenFiles = result.testResults.filter((f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed')).length;
  passed = result.numPassedTests;
  failed = result.numFailedTests + brokenFiles;
  if (run.status !== 0 && failed === 0) failed = 1;
  // Named again at the end, where a CI log's tail shows them, so a failure far up the log is not lost.
  for (const file of result.testResults.filter((f) => f.status === 'failed')) {
    const where = path.relative(root, file.name);
    const tests = file.assertionResults.filter((a) => a.status === 'failed');
    if (tests.length === 0) console.log(`FAILED ${where}: ${(file.message ?? 'the file did not run').split('\n')[0]}`);
    for (const test of tests) console.log(`FAILED ${where} > ${test.fullName}`);
  }
}
console.log(`${dialect}: ${passed} passed, ${failed} failed`);
process.exit(run.status ?? 1);
