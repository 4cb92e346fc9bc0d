/**
 * Writes the reference of igor.yml's keys into README.md, between its config-reference markers:
 *   npm run docs:config
 * Run it after changing src/config/schema.ts (test/docs/config-reference.test.ts fails until then).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { configReference, withReference } from './config-reference.js';

const readmePath = fileURLToPath(new URL('../../README.md', import.meta.url));
const readme = await readFile(readmePath, 'utf8');
const updated = withReference(readme, configReference());
if (updated === readme) console.log('README.md: the config reference is up to date');
else {
  await writeFile(readmePath, updated);
  console.log('README.md: config reference rewritten from src/config/schema.ts');
}
