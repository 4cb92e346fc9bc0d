/* global document, window, URLSearchParams */
// The list of deployments, newest first, filtered by app and environment (kept in the address, so
// a filtered list can be shared), each row linking to the deployment's page. Kept current by the
// same event stream as the deployment pages: any deployment's change refreshes the list.
import { escapeHtml } from './blocks.js';
import { api, onceABurst, openEvents } from './session.js';

const $ = (id) => document.getElementById(id);
/** Apps and their environments, as the last answer named them. */
let apps = [];

function filters() {
  const params = new URLSearchParams(window.location.search);
  return { app: params.get('app') ?? '', environment: params.get('environment') ?? '' };
}

/** When, in the reader's own time zone and words. */
function when(iso) {
  return new Date(iso).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
}

async function refresh() {
  const { app, environment } = filters();
  const query = new URLSearchParams();
  if (app) query.set('app', app);
  if (environment) query.set('environment', environment);
  const search = query.toString();
  const response = await api(`/console/deployments/list${search ? `?${search}` : ''}`);
  const data = await response.json();
  if (!response.ok) {
    $('error').textContent = data.error;
    return;
  }
  $('error').textContent = '';
  apps = data.apps;
  $('crumbs').hidden = !data.console;
  renderFilters();
  renderRows(data.deployments, data.names ?? {});
}

function renderFilters() {
  const { app, environment } = filters();
  const options = (values, chosen, every) => [`<option value="">${every}</option>`, ...values.map((value) => `<option value="${escapeHtml(value)}"${value === chosen ? ' selected' : ''}>${escapeHtml(value)}</option>`)].join('');
  $('app').innerHTML = options(apps.map((entry) => entry.name), app, 'every app');
  // Environments are an app's: with no app chosen, the default (first) app's.
  const environments = (apps.find((entry) => entry.name === app) ?? apps[0])?.environments ?? [];
  $('environment').innerHTML = options(environments, environment, 'every environment');
  $('app').closest('label').hidden = apps.length < 2;
}

function renderRows(deployments, names) {
  const person = (id) => (Object.hasOwn(names, id) ? names[id] : id);
  $('empty').hidden = deployments.length > 0;
  $('deployments').querySelector('tbody').innerHTML = deployments
    .map((d) => {
      const link = `/console/deployments/${encodeURIComponent(d.id)}`;
      const ref = `<code>${escapeHtml(d.ref)}</code>${d.sha ? ` <small class="muted">${escapeHtml(d.sha.slice(0, 7))}</small>` : ''}`;
      return `<tr data-id="${escapeHtml(d.id)}">
        <td><a href="${escapeHtml(link)}">${escapeHtml(d.kind)} ${escapeHtml(d.id)}</a></td>
        <td>${escapeHtml(d.app)}</td>
        <td>${escapeHtml(d.environment)}</td>
        <td>${ref}</td>
        <td><span class="state state-${escapeHtml(d.state)}">${escapeHtml(d.state)}</span></td>
        <td>${escapeHtml(person(d.requestedBy))}</td>
        <td><time datetime="${escapeHtml(d.createdAt)}">${escapeHtml(when(d.createdAt))}</time></td>
      </tr>`;
    })
    .join('');
}

/** A filter changed: the address says it, then the list follows. */
$('filters').addEventListener('change', (event) => {
  const params = new URLSearchParams(window.location.search);
  if (event.target.id === 'app') params.delete('environment');
  if (event.target.value) params.set(event.target.id, event.target.value);
  else params.delete(event.target.id);
  const search = params.toString();
  window.history.replaceState(null, '', `${window.location.pathname}${search ? `?${search}` : ''}`);
  void refresh();
});

/** Many changes arrive while hosts deploy: one refresh for each burst. */
const scheduleRefresh = onceABurst(() => void refresh());

async function start() {
  await refresh();
  openEvents(
    '/console/deployments/events',
    { hello: scheduleRefresh, deployment: scheduleRefresh },
    (status) => {
      $('connection').textContent = status;
    },
    '/console/deployments/list',
  );
}

void start();
