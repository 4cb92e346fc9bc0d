import type { Phrase } from '../shared/phrase.js';

/**
 * Untrusted text as Slack mrkdwn shows it literally: `&`, `<` and `>` escaped, so `<!channel>`
 * pings nobody and `<https://evil.example|Approve>` is no link.
 * @example escapeMrkdwn('<!channel> & co') // '&lt;!channel&gt; &amp; co'
 */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** Inline code of untrusted text: escaped, and without backticks that would end it early. */
export function codeMrkdwn(text: string): string {
  return `\`${escapeMrkdwn(text.replaceAll('`', "'"))}\``;
}

/** A block of untrusted text as preformatted mrkdwn. */
export function preformatted(text: string): string {
  return `\`\`\`${escapeMrkdwn(text.replaceAll('```', "'''"))}\`\`\``;
}

/** The URL if it may be a link: http(s), parseable, with none of the characters that end or split a Slack link. */
export function safeUrl(url: string | null | undefined): string | null {
  if (!url || /[\s|<>]/.test(url)) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

/** `<url|label>` when the URL is safe to link; else the label alone (both escaped). */
export function linkMrkdwn(url: string | null | undefined, label: string): string {
  const safe = safeUrl(url);
  return safe ? `<${safe}|${escapeMrkdwn(label.replaceAll('|', '/'))}>` : escapeMrkdwn(label);
}

/** A Slack mention for Slack user ids; anyone else (`github:ada`, `api`) by name, as code. */
export function mention(user: string | null): string {
  if (!user) return '?';
  if (/^[UW][A-Z0-9]{2,}$/.test(user)) return `<@${user}>`;
  // A user group named by its id (in `approvers` or `deployers`) is mentioned as one: Slack notifies its members.
  if (/^S[A-Z0-9]{2,}$/.test(user)) return `<!subteam^${user}>`;
  return codeMrkdwn(user);
}

/**
 * A moment as Slack shows it to each reader, in their own time zone and words (`today 10:02`):
 * Slack's date token, with a UTC fallback for clients that cannot render it. An ISO string with
 * milliseconds never reaches people.
 * @example dateMrkdwn('2026-12-03T10:02:31.123Z') // '<!date^1796292151^{date_short_pretty} at {time}|2026-12-03 10:02 UTC>'
 */
export function dateMrkdwn(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return escapeMrkdwn(iso);
  const fallback = `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${Math.floor(ms / 1_000)}^{date_short_pretty} at {time}|${fallback}>`;
}

/** A channel link, for ids igor's config names. */
export function channelMention(channel: string): string {
  return /^[CGD][A-Z0-9]{2,}$/.test(channel) ? `<#${channel}>` : codeMrkdwn(channel);
}

/** A phrase (or plain text) as mrkdwn: igor's words as they are, every value rendered safely. */
export function mrkdwn(words: Phrase | string): string {
  if (typeof words === 'string') return escapeMrkdwn(words);
  return words.parts
    .map((part) => {
      if (typeof part === 'string') return part;
      switch (part.kind) {
        case 'text':
          return escapeMrkdwn(part.text);
        case 'code':
          return codeMrkdwn(part.text);
        case 'user':
          return mention(part.id);
        case 'time':
          return dateMrkdwn(part.iso);
      }
    })
    .join('');
}
