/* global document, fetch, localStorage, EventSource, setTimeout */
// The page's side of the console's auth: the API token (when igor asks for one) goes with every
// request as a bearer token; the event stream, which cannot send headers, rides on the HttpOnly
// cookie that such a request got back.

const KEY = 'igor.apiToken';

/** `fetch` with the token; on 401 it asks for the token (again) and tries again. */
export async function api(path, init = {}) {
  for (;;) {
    const token = localStorage.getItem(KEY);
    const headers = { ...(init.body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) };
    const response = await fetch(path, { ...init, headers, credentials: 'same-origin' });
    if (response.status !== 401) return response;
    await askToken(token ? 'That token was refused.' : '');
  }
}

/** Shows the token dialog and resolves when a token was given. */
export function askToken(problem) {
  const dialog = document.getElementById('token-dialog');
  const form = document.getElementById('token-form');
  document.getElementById('token-error').textContent = problem;
  if (!dialog.open) dialog.showModal();
  return new Promise((resolve) => {
    form.addEventListener(
      'submit',
      (event) => {
        event.preventDefault();
        localStorage.setItem(KEY, document.getElementById('token').value.trim());
        dialog.close();
        resolve();
      },
      { once: true },
    );
  });
}

/**
 * The event stream, with a snapshot first on every (re)connection. `onStatus` hears
 * `live` / `reconnecting…`. The browser reconnects by itself; when the server refused the stream
 * (the token changed), a request to `probe` asks for the token and the stream starts again.
 */
export function openEvents(path, handlers, onStatus, probe = '/console/state') {
  let source;
  const start = () => {
    source = new EventSource(path);
    source.addEventListener('open', () => onStatus('live'));
    for (const [event, handle] of Object.entries(handlers)) source.addEventListener(event, (message) => handle(JSON.parse(message.data)));
    source.addEventListener('error', () => {
      onStatus('reconnecting…');
      if (source.readyState === EventSource.CLOSED) {
        setTimeout(() => api(probe).then(start, start), 2000);
      }
    });
  };
  start();
  return () => source.close();
}

/**
 * `run` at most once per burst of calls: the first call schedules it `ms` later, and the calls
 * until then are part of that one (many deployment changes arrive while hosts deploy).
 */
export function onceABurst(run, ms = 250) {
  let timer = null;
  return () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      run();
    }, ms);
  };
}
