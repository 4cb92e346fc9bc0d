import { readdir, readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IGOR_MAIN, REPO_ROOT } from '../support/igor-dist.js';

const DIST = join(IGOR_MAIN, '..');
/**
 * Static imports, re-exports, side-effect imports and dynamic import() with a literal. The `from`
 * of an import follows a space, `}` or `*`: a string `'from'` in code (a config key) is none.
 */
const SPECIFIER = /(?<=^|[\s}*])from\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;

async function compiledFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  // public/ holds the console's browser scripts, copied as they are: the browser loads those.
  return entries.filter((e) => e.isFile() && e.name.endsWith('.js')).map((e) => join(e.parentPath, e.name)).filter((file) => !file.includes('/public/'));
}

function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

describe('the compiled igor (dist/, built by the global setup)', () => {
  it('imports only Node built-ins and production dependencies, so it runs after npm prune --omit=dev (the Dockerfile)', async () => {
    const manifest = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const files = await compiledFiles(DIST);
    expect(files.length).toBeGreaterThan(50);
    const missing: string[] = [];
    for (const file of files) {
      for (const match of (await readFile(file, 'utf8')).matchAll(SPECIFIER)) {
        const specifier = match[1] ?? match[2] ?? match[3]!;
        if (specifier.startsWith('.') || specifier.startsWith('node:') || builtinModules.includes(specifier)) continue;
        if (!(packageOf(specifier) in manifest.dependencies)) missing.push(`${relative(DIST, file)} imports ${specifier}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
