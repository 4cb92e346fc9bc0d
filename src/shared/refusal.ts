import { Phrase, phrase } from './phrase.js';

/** What kind of refusal an error is; the HTTP layer maps it to a status, chat to a sentence. */
export type RefusalCode = 'bad-input' | 'forbidden' | 'not-found' | 'conflict';

/**
 * A request igor refuses; its words say why and what to do instead. A string is plain text
 * (rendered escaped in chat); a {@link Phrase} carries people and code that chat renders its way.
 */
export class RefusedError extends Error {
  override name = 'RefusedError';
  readonly words: Phrase;
  constructor(
    readonly code: RefusalCode,
    words: Phrase | string,
    options?: ErrorOptions,
  ) {
    const typed = typeof words === 'string' ? phrase`${words}` : words;
    super(typed.toString(), options);
    this.words = typed;
  }
}
