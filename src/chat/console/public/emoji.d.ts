// Types of emoji.js, a plain ES module that the browser loads as it is (no build step).

/** Slack name → Twemoji file name (hex code points): a record without a prototype. */
export const EMOJI: Readonly<Record<string, string>>;
export function emojiUrl(name: string): string;
