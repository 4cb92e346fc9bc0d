/* global URL */
// Block Kit to HTML, for the local console: the same block objects igor sends to Slack, shown as
// Slack shows them. A plain ES module with no DOM, so the browser and vitest load the same file.
// Everything that comes from a message is escaped; a block or element it does not know is shown
// as a labelled placeholder, never dropped.
import { EMOJI, emojiUrl } from './emoji.js';

/** `:name:` in text: an emoji, shown as igor's image of it when it has one. */
const EMOJI_NAME = /:([a-z0-9_+-]+):/g;

/** `:name:` as the emoji's image when igor has it (`set` sets the markup aside), else as written. */
function emoji(text, set = (html) => html) {
  return text.replace(EMOJI_NAME, (whole, name) => (Object.hasOwn(EMOJI, name) ? set(`<img class="emoji" src="${emojiUrl(name)}" alt="${whole}" title="${whole}" draggable="false">`) : whole));
}

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML content and attribute values. */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Slack's three escapes in message text: what a message says literally. */
function unescapeSlack(text) {
  return String(text).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * Only http(s) URLs and paths of this same page's origin become links; anything else
 * (`javascript:`, `//evil.example`, `/\\evil.example`) is shown as text. The target is resolved as
 * the browser would resolve it, so no spelling of another origin gets through.
 */
function safeUrl(url, origin) {
  const base = origin ?? globalThis.location?.origin ?? 'http://console.invalid';
  try {
    const resolved = new URL(url, base);
    if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return resolved.protocol === 'http:' || resolved.protocol === 'https:' ? resolved.href : null;
    return url.startsWith('/') && resolved.origin === new URL(base).origin ? resolved.pathname + resolved.search + resolved.hash : null;
  } catch {
    return null;
  }
}

/**
 * Slack mrkdwn as HTML: ```code blocks```, `code`, *bold*, _italics_, ~strike~, links `<url|text>`,
 * mentions `<@U…>`, `<#C…>`, `<!here>`, emoji names, and line breaks.
 * @example mrkdwn('*Hosts* <@U0BOB>') // '<b>Hosts</b> <span class="bk-mention">@U0BOB</span>'
 */
export function mrkdwn(text, options = {}) {
  // Pieces that must not be formatted are set aside behind markers, the rest is escaped, then
  // formatted, and the pieces are put back. The markers are private-use characters, removed from the text first, so it cannot fake one.
  const pieces = [];
  const keep = (html) => `\uE000${pieces.push(html) - 1}\uE001`;
  let source = String(text ?? '').replace(/[\uE000\uE001]/g, '');
  source = source.replace(/```\n?([\s\S]*?)```/g, (_, code) => keep(`<pre class="bk-pre">${escapeHtml(unescapeSlack(code))}</pre>`));
  source = source.replace(/`([^`\n]+)`/g, (_, code) => keep(`<code class="bk-code">${escapeHtml(unescapeSlack(code))}</code>`));
  source = source.replace(/<([^<>\n]+)>/g, (_, inner) => keep(special(inner, options)));
  let html = escapeHtml(unescapeSlack(source));
  // Set aside, so the formatting below never reaches into the image's attributes.
  html = emoji(html, keep);
  html = html.replace(/(^|[^\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])/g, '$1<b>$2</b>');
  html = html.replace(/(^|[^\w_])_(?=\S)([^_\n]*?\S)_(?![\w_])/g, '$1<i>$2</i>');
  html = html.replace(/(^|[^\w~])~(?=\S)([^~\n]*?\S)~(?![\w~])/g, '$1<s>$2</s>');
  html = html.replace(/\n/g, '<br>');
  return html.replace(/\uE000(\d+)\uE001/g, (_, index) => pieces[Number(index)]);
}

/** What is between `<` and `>`: a mention, a channel, a special mention or a link. */
function special(inner, options) {
  const [rawTarget, rawLabel] = splitOnce(inner, '|');
  const target = unescapeSlack(rawTarget);
  const label = unescapeSlack(rawLabel);
  if (target.startsWith('@')) {
    const id = target.slice(1);
    // A name typed in a message never indexes the map: only its own entries count.
    const name = label || (options.users && Object.hasOwn(options.users, id) ? options.users[id] : id);
    return `<span class="bk-mention" data-user="${escapeHtml(id)}">@${escapeHtml(name)}</span>`;
  }
  if (target.startsWith('#')) {
    const id = target.slice(1);
    const name = label || (options.channels && Object.hasOwn(options.channels, id) ? options.channels[id] : id);
    return `<a class="bk-channel" href="#${escapeHtml(id)}" data-channel="${escapeHtml(id)}">#${escapeHtml(name)}</a>`;
  }
  if (target.startsWith('!date^')) return dateHtml(target, label, options);
  if (target.startsWith('!')) {
    const [word, id] = target.slice(1).split('^');
    // `<!subteam^S0SRE>`: a user group, shown by its id where Slack would show its handle.
    return `<span class="bk-mention">@${escapeHtml(label || (word === 'subteam' && id ? id : word))}</span>`;
  }
  // Not a link either (`<checkout>` in a commit subject): the text as it was typed.
  if (!/^([a-z][a-z0-9+.-]*:|\/)/i.test(target)) return escapeHtml(`<${inner}>`);
  const href = safeUrl(options.rewriteUrl ? options.rewriteUrl(target) : target, options.origin);
  if (!href) return escapeHtml(label || target);
  return `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${escapeHtml(label || target)}</a>`;
}

/** Slack's date tokens, each as the reader's own locale and time zone write it. */
const DATE_TOKENS = {
  date_num: (date, { timeZone }) => date.toLocaleDateString('en-CA', { timeZone }),
  date: (date, { timeZone, locale }) => date.toLocaleDateString(locale, { timeZone, year: 'numeric', month: 'long', day: 'numeric' }),
  date_short: (date, { timeZone, locale }) => date.toLocaleDateString(locale, { timeZone, year: 'numeric', month: 'short', day: 'numeric' }),
  date_long: (date, { timeZone, locale }) => date.toLocaleDateString(locale, { timeZone, weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' }),
  time: (date, { timeZone, locale }) => date.toLocaleTimeString(locale, { timeZone, hour: '2-digit', minute: '2-digit' }),
  time_secs: (date, { timeZone, locale }) => date.toLocaleTimeString(locale, { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit' }),
};
for (const size of ['', '_short', '_long']) {
  const plain = DATE_TOKENS[`date${size}`];
  DATE_TOKENS[`date${size}_pretty`] = (date, reader) => relativeDay(date, reader) ?? plain(date, reader);
}

/** `today`, `yesterday` or `tomorrow` in the reader's time zone, else null. */
function relativeDay(date, { timeZone, now }) {
  const day = (moment) => Date.parse(`${moment.toLocaleDateString('en-CA', { timeZone })}T00:00:00Z`);
  const days = Math.round((day(date) - day(now)) / 86_400_000);
  return { 0: 'today', [-1]: 'yesterday', 1: 'tomorrow' }[days] ?? null;
}

/**
 * Slack's `<!date^UNIX^FORMAT|fallback>` as the console's reader would see it in Slack: in their own
 * locale and time zone (`options.locale`, `options.timeZone` and `options.now` hold them still in
 * tests), the fallback when the token cannot be read.
 */
function dateHtml(target, fallback, options) {
  const [, seconds, format = ''] = target.split('^');
  const date = new Date(Number(seconds) * 1000);
  if (!/^\d+$/.test(seconds ?? '') || Number.isNaN(date.getTime())) return escapeHtml(fallback || target);
  const reader = { locale: options.locale, timeZone: options.timeZone, now: options.now ? new Date(options.now) : new Date() };
  let known = true;
  const text = format.replace(/\{([a-z_]+)\}/g, (whole, token) => {
    const render = Object.hasOwn(DATE_TOKENS, token) ? DATE_TOKENS[token] : null;
    if (!render) known = false;
    return render ? render(date, reader) : whole;
  });
  return `<time class="bk-date" datetime="${escapeHtml(date.toISOString())}" title="${escapeHtml(fallback)}">${escapeHtml(known ? text : fallback || text)}</time>`;
}

function splitOnce(text, separator) {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}

/** A text object: `mrkdwn` formatted, `plain_text` escaped (with emoji names, as Slack does). */
export function textObject(text, options = {}) {
  if (!text || typeof text !== 'object') return '';
  if (text.type === 'mrkdwn') return mrkdwn(text.text, options);
  return emoji(escapeHtml(text.text ?? ''));
}

function placeholder(kind, type) {
  return `<div class="bk-unknown" data-type="${escapeHtml(type)}">[${kind} “${escapeHtml(type)}” cannot be shown in the console]</div>`;
}

/** A button carries what the page needs to send the same action as Slack: `igor.<action>` and its value. */
function element(item, options) {
  if (item?.type === 'button') {
    const style = item.style === 'primary' || item.style === 'danger' ? ` bk-${item.style}` : '';
    const label = textObject(item.text, options);
    const url = item.url ? safeUrl(item.url, options.origin) : null;
    if (url) return `<a class="bk-button${style}" href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${label}</a>`;
    const disabled = options.interactive === false ? ' disabled' : '';
    return `<button type="button" class="bk-button${style}" data-action="${escapeHtml(item.action_id ?? '')}" data-value="${escapeHtml(item.value ?? '')}"${disabled}>${label}</button>`;
  }
  if (item?.type === 'image') return image(item);
  return placeholder('element', item?.type ?? 'unknown');
}

function image(item) {
  const src = item.image_url ? safeUrl(item.image_url) : null;
  if (!src) return `<span class="bk-image-alt">${escapeHtml(item.alt_text ?? 'image')}</span>`;
  return `<img class="bk-image" src="${escapeHtml(src)}" alt="${escapeHtml(item.alt_text ?? '')}">`;
}

/** One block as HTML. */
export function renderBlock(block, options = {}) {
  switch (block?.type) {
    case 'header':
      return `<div class="bk-header">${textObject(block.text, options)}</div>`;
    case 'section': {
      const text = block.text ? `<div class="bk-text">${textObject(block.text, options)}</div>` : '';
      const fields = Array.isArray(block.fields) && block.fields.length
        ? `<div class="bk-fields">${block.fields.map((field) => `<div class="bk-field">${textObject(field, options)}</div>`).join('')}</div>`
        : '';
      const accessory = block.accessory ? `<div class="bk-accessory">${element(block.accessory, options)}</div>` : '';
      return `<div class="bk-section"><div class="bk-section-body">${text}${fields}</div>${accessory}</div>`;
    }
    case 'context': {
      const items = (block.elements ?? []).map((item) => (item?.type === 'image' ? image(item) : item?.type === 'mrkdwn' || item?.type === 'plain_text' ? `<span>${textObject(item, options)}</span>` : placeholder('element', item?.type ?? 'unknown')));
      return `<div class="bk-context">${items.join('')}</div>`;
    }
    case 'divider':
      return '<hr class="bk-divider">';
    case 'actions':
      return `<div class="bk-actions">${(block.elements ?? []).map((item) => element(item, options)).join('')}</div>`;
    case 'image':
      return `<div class="bk-image-block">${block.title ? `<div class="bk-image-title">${textObject(block.title, options)}</div>` : ''}${image(block)}</div>`;
    default:
      return placeholder('block', block?.type ?? 'unknown');
  }
}

/** A whole message: its blocks, or its fallback text (mrkdwn) when it has none. */
export function renderMessage(message, options = {}) {
  const blocks = Array.isArray(message?.blocks) && message.blocks.length ? message.blocks : null;
  if (!blocks) return `<div class="bk-section"><div class="bk-text">${mrkdwn(message?.text ?? '', options)}</div></div>`;
  return blocks.map((block) => renderBlock(block, options)).join('');
}
