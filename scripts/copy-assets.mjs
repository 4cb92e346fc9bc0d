// Second half of `npm run build`: tsc emits only JavaScript, so every other file under src/ (the
// console's HTML, CSS and browser scripts) is copied to the same place under dist/, where the
// compiled code looks for it beside itself (import.meta.url).
// Plain JavaScript, so the build needs nothing but tsc and node. A file already identical is left
// alone: a test run building while another igor serves dist/ never sees a half-written file.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import process from 'node:process';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(root, 'src');
const to = join(root, 'dist');

let copied = 0;
for (const file of walk(from)) {
  if (file.endsWith('.ts')) continue;
  const target = join(to, relative(from, file));
  if (sameContent(file, target)) continue;
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(file, target);
  copied += 1;
}
if (copied > 0) process.stdout.write(`copied ${copied} asset file(s) to dist/\n`);

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

function sameContent(a, b) {
  try {
    return statSync(a).size === statSync(b).size && readFileSync(a).equals(readFileSync(b));
  } catch {
    return false;
  }
}
