// Reads a Node `engines` range without the semver package, for scripts/check-node-version.mjs,
// which runs before `npm ci`: `||` alternatives of space-separated comparators (`>=20.19`, `<23`,
// `20.19.1`, `20`) plus `^` and `~`, partial versions meaning all their releases as in semver.
// Anything else (x-ranges, hyphen ranges, pre-releases) throws rather than guess.

/**
 * Whether `version` (`v20.19.0` or `20.19.0`) satisfies `range`.
 * @example satisfiesRange('v20.20.2', '>=20.19') // true
 */
export function satisfiesRange(version, range) {
  return satisfies(parse(version), range);
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
