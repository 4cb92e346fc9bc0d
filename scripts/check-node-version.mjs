// .ci/run's first check: prints the Node version and exits 1 unless it satisfies package.json's
// engines.node, with a sentence saying what to install. It runs before `npm ci` (no semver
// package yet, and engine-strict would only say "notsup"), so node-range.mjs reads the range; one
// it cannot read exits 2.
//   node scripts/check-node-version.mjs [--node v20.18.0] [path/to/package.json]
import { readFileSync } from 'node:fs';
import { fileURLToPath, URL } from 'node:url';
import process from 'node:process';
import { satisfiesRange } from './node-range.mjs';

const args = process.argv.slice(2);
const nodeFlag = args.indexOf('--node');
const version = nodeFlag >= 0 ? args.splice(nodeFlag, 2)[1] : process.version;
const packageJson = args[0] ?? fileURLToPath(new URL('../package.json', import.meta.url));
const range = JSON.parse(readFileSync(packageJson, 'utf8')).engines?.node;

if (!range) {
  process.stdout.write(`Node ${version} (package.json sets no engines.node)\n`);
  process.exit(0);
}
let admitted;
try {
  admitted = satisfiesRange(version, range);
} catch (error) {
  process.stderr.write(`cannot read engines.node "${range}": ${error.message}\n`);
  process.exit(2);
}
process.stdout.write(`Node ${version} (package.json engines.node: ${range})\n`);
if (!admitted) {
  process.stderr.write(`Node ${version} does not satisfy engines.node "${range}": install a Node that does (README: "Supported Node versions")\n`);
  process.exit(1);
}
