import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EMOJI, emojiUrl } from '../../../src/chat/console/public/emoji.js';
import { mrkdwn, textObject } from '../../../src/chat/console/public/blocks.js';

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));
const TWEMOJI = dirname(createRequire(import.meta.url).resolve('@twemoji/svg/package.json'));
/** A Slack emoji name where messages write one: at the start of a string or after a space, before a space or its end. */
const SHORTCODE = /(?:^|[`'" (])(:[a-z][a-z0-9_+-]*:)(?=[ `'"]|$)/gm;

async function* sources(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

describe('the emoji of igor messages, as images', () => {
  it('has a Twemoji image for every emoji name in src/', async () => {
    const used = new Set<string>();
    for await (const file of sources(SRC)) for (const match of (await readFile(file, 'utf8')).matchAll(SHORTCODE)) used.add(match[1]!.slice(1, -1));
    expect(used.size).toBeGreaterThan(10);
    expect([...used].filter((name) => !Object.hasOwn(EMOJI, name))).toEqual([]);
  });

  it('points each name at a file of @twemoji/svg', () => {
    expect(Object.entries(EMOJI).filter(([, file]) => !existsSync(join(TWEMOJI, `${file}.svg`)))).toEqual([]);
  });

  it('renders a known name as an image with the name as its text, and leaves any other name as written', () => {
    expect(mrkdwn(':rocket: *go*')).toBe(`<img class="emoji" src="${emojiUrl('rocket')}" alt=":rocket:" title=":rocket:" draggable="false"> <b>go</b>`);
    expect(textObject({ type: 'plain_text', text: ':x: no' })).toContain('alt=":x:"');
    expect(mrkdwn(':constructor: :__proto__: :not_an_emoji: 12:30:00')).toBe(':constructor: :__proto__: :not_an_emoji: 12:30:00');
    // Formatting never reaches into the image: `_` in its name is not italics.
    expect(mrkdwn('_done_ :white_check_mark: :no_entry_sign:')).toBe(`<i>done</i> <img class="emoji" src="/console/emoji/white_check_mark.svg" alt=":white_check_mark:" title=":white_check_mark:" draggable="false"> <img class="emoji" src="/console/emoji/no_entry_sign.svg" alt=":no_entry_sign:" title=":no_entry_sign:" draggable="false">`);
  });
});
