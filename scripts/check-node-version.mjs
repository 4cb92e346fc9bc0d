// .ci/run's first check: prints the Node version and exits 1 unless it satisfies package.json's
// engines.node, with a sentence saying what to install. It runs before `npm ci` (no semver
// package yet, and engine-strict would only say "notsup"), so it reads ranges itself: `||`
// alternatives of comparators (`>=20.19`, `<23`, `20.19.1`) plus `^` and `~`; anything else
// (x-ranges, hyphen ranges, pre-releases) exits 2 asking for a plainer range.
//   node scripts/check-node-version.mjs [--node v20.18.0] [path/to/package.json]
import { readFileSync } from 'node:fs';
import { fileURLToPath, URL } from 'node:url';
import process from 'node:process';

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
  admitted = satisfies(parse(version), range);
} catch (error) {
  process.stderr.write(`cannot read engines.node "${range}": ${error.message}\n`);
  process.exit(2);
}
process.stdout.write(`Node ${version} (package.json engines.node: ${range})\n`);
if (!admitted) {
  process.stderr.write(`Node ${version} does not satisfy engines.node "${range}": install a Node that does (README: "Supported Node versions")\n`);
  process.exit(1);
}

function satisfies(v, text) {
  return text.split('||').some((set) => set.trim().split(/\s+/).every((comparator) => matches(v, comparator)));
}

function matches(v, comparator) {
  const m = /^(>=|<=|>|<|=|\^|~)?v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(comparator);
  if (!m) throw new Error(`"${comparator}" is not a comparator this check reads`);
  const [, op = '=', major, minor, patch] = m;
  const low = [Number(major), Number(minor ?? 0), Number(patch ?? 0)];
  // As in semver, a partial version stands for all its releases: `20.19` is [20.19.0, 20.20.0).
  const high = minor === undefined ? [low[0] + 1, 0, 0] : patch === undefined ? [low[0], low[1] + 1, 0] : null;
  const atLeastLow = compare(v, low) >= 0;
  const belowHigh = high ? compare(v, high) < 0 : compare(v, low) <= 0;
  switch (op) {
    case '>=': return atLeastLow;
    case '>': return high ? compare(v, high) >= 0 : compare(v, low) > 0;
    case '<=': return belowHigh;
    case '<': return compare(v, low) < 0;
    case '=': return atLeastLow && belowHigh;
    // ^20.19.0: >=20.19.0 <21; ~20.19: >=20.19.0 <20.20; ~20: >=20 <21 (Node has no major 0).
    case '^': return atLeastLow && v[0] === low[0];
    case '~': return atLeastLow && v[0] === low[0] && (minor === undefined || v[1] === low[1]);
  }
  return false;
}

function parse(text) {
  const m = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (!m) throw new Error(`"${text}" is not a release version`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function compare(a, b) {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}
