/**
 * A sentence for people, with its values typed by what they are, so each front end renders them
 * its own way: Slack mentions a user and escapes untrusted words, the API writes plain text.
 * The literal parts are igor's own words; a bare string value is untrusted text.
 *
 * @example
 * const why = phrase`${environment} is locked by ${user(lock.user)} since ${time(lock.since)}: ${lock.reason}`;
 * plainText(why); // 'production is locked by U0ALICE since 2026-12-03T10:00:00.000Z: release freeze'
 */
export type PhraseValue =
  /** Untrusted words (a reason someone typed, a commit subject, an error from a host). */
  | { kind: 'text'; text: string }
  /** A ref, a key, a command, a setting: shown as code. */
  | { kind: 'code'; text: string }
  /** A person, by their Slack user id or another name (`api`, `github:ada`). */
  | { kind: 'user'; id: string }
  /** A moment, ISO-8601. */
  | { kind: 'time'; iso: string };

export type PhrasePart = string | PhraseValue;

export class Phrase {
  constructor(readonly parts: readonly PhrasePart[]) {}

  /** The phrase as plain text, for logs, the API and errors. */
  toString(): string {
    return plainText(this);
  }
}

type Interpolated = string | number | PhraseValue | Phrase | null | undefined | false;

/** Builds a {@link Phrase}: literals are igor's words; bare strings and numbers are text; `null`, `undefined` and `false` vanish. */
export function phrase(literals: TemplateStringsArray, ...values: Interpolated[]): Phrase {
  const parts: PhrasePart[] = [];
  literals.forEach((literal, index) => {
    if (literal) parts.push(literal);
    if (index >= values.length) return;
    const value = values[index];
    if (value === null || value === undefined || value === false) return;
    if (value instanceof Phrase) parts.push(...value.parts);
    else if (typeof value === 'object') parts.push(value);
    else parts.push({ kind: 'text', text: String(value) });
  });
  return new Phrase(parts);
}

export const user = (id: string): PhraseValue => ({ kind: 'user', id });
export const code = (text: string): PhraseValue => ({ kind: 'code', text });
export const time = (iso: string): PhraseValue => ({ kind: 'time', iso });

/** Phrases joined with a separator (igor's own, like `, `). */
export function joinPhrases(items: readonly Phrase[], separator: string): Phrase {
  return new Phrase(items.flatMap((item, index) => (index ? [separator, ...item.parts] : [...item.parts])));
}

/** A phrase or a string (plain text) as plain text. */
export function plainText(words: Phrase | string): string {
  if (typeof words === 'string') return words;
  return words.parts
    .map((part) => {
      if (typeof part === 'string') return part;
      switch (part.kind) {
        case 'text':
          return part.text;
        case 'code':
          return `\`${part.text}\``;
        case 'user':
          return part.id;
        case 'time':
          return part.iso;
      }
    })
    .join('');
}
