/* global document, window, localStorage, URL, CSS */
// The console page: igor's channels as Slack shows them, kept current by the event stream (no
// polling), with the slash command box and the buttons sending what Slack would send.
import { escapeHtml, renderMessage } from './blocks.js';
import { api, openEvents } from './session.js';

/** The buttons that ask why before they act (src/pipeline/actions.ts ACTIONS_WITH_REASON). */
const REASON_ASKED = new Set(['igor.deploy-anyway']);

const ACT_AS = 'igor.actAs';
const view = {
  app: 'igor',
  channels: [],
  users: [],
  commands: [],
  /** `channel/ts` → message. */
  messages: new Map(),
  channel: null,
  /** The root of the open thread: `channel/ts`. */
  thread: null,
  actingAs: localStorage.getItem(ACT_AS),
  unread: new Set(),
};
const $ = (id) => document.getElementById(id);
const keyOf = (message) => `${message.channel}/${message.ts}`;

/** Links to this igor's pages (deployments, step logs) open here, whatever host name they were written with. */
function rewriteUrl(url) {
  try {
    const parsed = new URL(url, window.location.href);
    const local = parsed.host === window.location.host || ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname);
    if (local && parsed.pathname.startsWith('/console/')) return `${parsed.pathname}${parsed.hash}`;
  } catch {
    // not a URL: shown as it is
  }
  return url;
}

/** The name a person goes by (the config's `people`), else their id. */
const nameOf = (id) => view.users.find((user) => user.id === id)?.name ?? id;

const renderOptions = () => ({
  channels: Object.fromEntries(view.channels.map((channel) => [channel.id, channel.name])),
  users: Object.fromEntries(view.users.map((user) => [user.id, user.name ?? user.id])),
  rewriteUrl,
});

function visible(message) {
  return message.user === null || message.user === view.actingAs;
}

function replies(root) {
  return [...view.messages.values()].filter((message) => message.channel === root.channel && message.threadTs === root.ts && visible(message));
}

function time(iso) {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** One message as Slack lays it out: who, when, the blocks, and the thread's reply count. */
function messageHtml(message, { inThread = false } = {}) {
  const byIgor = message.from === 'igor';
  const author = byIgor ? `<b>igor</b><span class="badge">APP</span>` : `<b>${escapeHtml(nameOf(message.from))}</b>`;
  const body = byIgor ? renderMessage(message, renderOptions()) : `<div class="typed">${escapeHtml(message.text)}</div>`;
  const edited = message.editedAt ? '<span class="edited">(edited)</span>' : '';
  const count = !inThread && message.threadTs === null ? replies(message).length : 0;
  const thread = count ? `<button type="button" class="replies" data-thread="${escapeHtml(keyOf(message))}">${count} ${count === 1 ? 'reply' : 'replies'}</button>` : '';
  const only = message.user ? '<p class="only-you">Only visible to you</p>' : '';
  return `<article class="message${message.user ? ' ephemeral' : ''}" data-key="${escapeHtml(keyOf(message))}">
    <div class="avatar${byIgor ? ' bot' : ''}" aria-hidden="true">${byIgor ? 'i' : escapeHtml(nameOf(message.from).replace(/^U0?/, '').slice(0, 1))}</div>
    <div class="body"><div class="meta">${author}<time datetime="${escapeHtml(message.postedAt)}">${time(message.postedAt)}</time>${edited}</div>${body}${only}${thread}</div>
  </article>`;
}

function renderSidebar() {
  $('app-name').textContent = view.app;
  $('channels').innerHTML = view.channels
    .map((channel) => `<li><a href="#${escapeHtml(channel.id)}" data-channel="${escapeHtml(channel.id)}" class="${channel.id === view.channel ? 'current' : ''}${view.unread.has(channel.id) ? ' unread' : ''}"># ${escapeHtml(channel.name)}</a></li>`)
    .join('');
  $('act-as').innerHTML = view.users.map((user) => `<option value="${escapeHtml(user.id)}"${user.id === view.actingAs ? ' selected' : ''}>${escapeHtml(user.name && user.name !== user.id ? `${user.name} (${user.id})` : user.id)}</option>`).join('');
  const me = view.users.find((user) => user.id === view.actingAs);
  $('roles').textContent = me?.roles.length ? me.roles.join(' · ') : 'no role in the config';
  const name = view.channels.find((channel) => channel.id === view.channel)?.name ?? view.channel;
  $('channel-name').textContent = `# ${name}`;
  $('hint').textContent = `Slash commands: ${view.commands.join(', ')} (try ${view.commands.map((command) => `${command} help`).join(', ')}). Acting as ${nameOf(view.actingAs)}.`;
}

function renderChannel() {
  const roots = [...view.messages.values()].filter((message) => message.channel === view.channel && message.threadTs === null && visible(message));
  const list = $('messages');
  list.innerHTML = roots.map((message) => messageHtml(message)).join('') || '<p class="empty">Nothing here yet. Type a command below.</p>';
  list.scrollTop = list.scrollHeight;
}

function renderThread() {
  const root = view.thread && view.messages.get(view.thread);
  $('thread').hidden = !root;
  if (!root) return;
  $('thread-channel').textContent = `# ${view.channels.find((channel) => channel.id === root.channel)?.name ?? root.channel}`;
  $('thread-root').innerHTML = messageHtml(root, { inThread: true });
  const list = $('thread-messages');
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.innerHTML = replies(root).map((message) => messageHtml(message, { inThread: true })).join('');
  if (atBottom) list.scrollTop = list.scrollHeight;
}

function renderAll() {
  renderSidebar();
  renderChannel();
  renderThread();
}

/** A new or changed message: replaced in place where it is shown, added at the end otherwise. */
function upsert(message) {
  const key = keyOf(message);
  view.messages.set(key, message);
  if (!view.channels.some((channel) => channel.id === message.channel)) {
    view.channels.push({ id: message.channel, name: message.channel });
    renderSidebar();
  }
  if (message.threadTs === null && message.channel !== view.channel && visible(message)) {
    view.unread.add(message.channel);
    renderSidebar();
  }
  if (message.channel !== view.channel) return;
  const list = $('messages');
  if (message.threadTs === null) {
    if (!visible(message)) return;
    const shown = list.querySelector(`[data-key="${CSS.escape(key)}"]`);
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    if (shown) shown.outerHTML = messageHtml(message);
    else {
      list.querySelector('.empty')?.remove();
      list.insertAdjacentHTML('beforeend', messageHtml(message));
      if (atBottom || message.user === view.actingAs) list.scrollTop = list.scrollHeight;
    }
  } else {
    const root = view.messages.get(`${message.channel}/${message.threadTs}`);
    const shownRoot = root && list.querySelector(`[data-key="${CSS.escape(keyOf(root))}"]`);
    if (shownRoot) shownRoot.outerHTML = messageHtml(root);
  }
  if (view.thread === key || view.thread === `${message.channel}/${message.threadTs}`) renderThread();
}

function selectChannel(id) {
  view.channel = id;
  view.unread.delete(id);
  renderSidebar();
  renderChannel();
}

function load(snapshot) {
  view.app = snapshot.app;
  view.channels = snapshot.channels;
  view.users = snapshot.users;
  view.commands = snapshot.commands;
  view.messages = new Map(snapshot.messages.map((message) => [keyOf(message), message]));
  for (const message of view.messages.values()) if (!view.channels.some((channel) => channel.id === message.channel)) view.channels.push({ id: message.channel, name: message.channel });
  if (!view.users.some((user) => user.id === view.actingAs)) view.actingAs = view.users[0]?.id ?? 'U0GUEST';
  const wanted = window.location.hash.slice(1);
  if (!view.channel) view.channel = view.channels.some((channel) => channel.id === wanted) ? wanted : view.channels[0]?.id;
  renderAll();
}

async function send(path, body, button) {
  if (button) button.disabled = true;
  try {
    const response = await api(path, { method: 'POST', body: JSON.stringify({ ...body, user: view.actingAs }) });
    if (!response.ok) flash((await response.json().catch(() => ({}))).error ?? `igor answered ${response.status}`);
  } catch (error) {
    flash(`igor could not be reached: ${error.message}`);
  } finally {
    if (button) button.disabled = false;
  }
}

function flash(text) {
  $('connection').textContent = text;
  $('connection').classList.add('problem');
}

/** The sidebar as a drawer, on a phone's screen. */
function showSidebar(open) {
  document.body.classList.toggle('sidebar-open', open);
  $('open-sidebar').setAttribute('aria-expanded', String(open));
}

document.addEventListener('click', (event) => {
  const target = event.target.closest('[data-action], [data-thread], [data-channel], #close-thread, #back-from-thread, #open-sidebar, #close-sidebar');
  if (!target) return;
  if (target.id === 'open-sidebar' || target.id === 'close-sidebar') {
    showSidebar(target.id === 'open-sidebar');
    return;
  }
  if (target.dataset.action) {
    const message = view.messages.get(target.closest('[data-key]').dataset.key);
    // A refusal is answered where the press was: in the open thread (also for its root shown there), else beside the message.
    const inThread = Boolean(target.closest('#thread'));
    const thread = message?.threadTs ?? (inThread ? message?.ts : null) ?? null;
    // Buttons that need a reason (Deploy anyway) ask for it first, as Slack's modal does.
    const reason = REASON_ASKED.has(target.dataset.action) ? window.prompt('Why can this deployment not wait for the freeze to end? (audited, and told in the alerts channel)') : undefined;
    if (reason === null) return;
    void send('/console/action', { action: target.dataset.action, value: target.dataset.value, channel: message?.channel ?? view.channel, thread, ...(reason !== undefined ? { reason } : {}) }, target);
  } else if (target.dataset.thread) {
    view.thread = target.dataset.thread;
    renderThread();
  } else if (target.dataset.channel) {
    event.preventDefault();
    selectChannel(target.dataset.channel);
    showSidebar(false);
  } else {
    view.thread = null;
    renderThread();
  }
});

$('act-as').addEventListener('change', (event) => {
  view.actingAs = event.target.value;
  localStorage.setItem(ACT_AS, view.actingAs);
  renderAll();
});

$('composer').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $('command');
  const typed = input.value.trim();
  if (!typed) return;
  const match = /^(\/\S+)\s*([\s\S]*)$/.exec(typed);
  if (!match) {
    $('hint').textContent = `igor takes slash commands here: ${view.commands.join(', ')}.`;
    return;
  }
  input.value = '';
  void send('/console/command', { command: match[1], text: match[2], channel: view.channel });
});

async function start() {
  // The first request proves the token (asking for it if needed) and gets the stream's cookie.
  const response = await api('/console/state');
  if (!response.ok) return flash(`igor refused the console: ${(await response.json()).error}`);
  openEvents(
    '/console/events',
    {
      state: load,
      message: upsert,
    },
    (status) => {
      $('connection').textContent = status;
      $('connection').classList.toggle('problem', status !== 'live');
    },
  );
}

void start();
