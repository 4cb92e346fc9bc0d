/* global document, window, TextDecoder, AbortController */
// A deployment's page: its facts, a timeline of the pipeline and of each host drawn as bars, and
// its steps' logs, streamed while they are written. Kept current by its own event stream.
import { escapeHtml, mrkdwn } from './blocks.js';
import { api, onceABurst, openEvents } from './session.js';

const id = decodeURIComponent(window.location.pathname.split('/').pop());
const $ = (name) => document.getElementById(name);
const PHASES = ['connect', 'upload', 'unpack', 'steps', 'switch', 'restart', 'health', 'prune', 'rollback'];
/** The log being shown: its step and the stream's abort controller. */
let openLog = null;
let last = null;

const ms = (iso) => Date.parse(iso);
function duration(milliseconds) {
  if (!(milliseconds >= 0)) return '';
  if (milliseconds < 1000) return `${Math.round(milliseconds)}ms`;
  if (milliseconds < 60_000) return `${(milliseconds / 1000).toFixed(1)}s`;
  return `${Math.floor(milliseconds / 60_000)}m${Math.round((milliseconds % 60_000) / 1000)}s`;
}

async function refresh() {
  const response = await api(`/console/deployments/${encodeURIComponent(id)}/data`);
  const data = await response.json();
  if (!response.ok) {
    $('error').textContent = data.error;
    return;
  }
  last = data;
  render(data);
}

function render({ deployment, timeline, logs, active, console: withConsole, analysisChart, timeSpent, names }) {
  // People by the name they go by, where igor knows it.
  const person = (id) => (id && names && Object.hasOwn(names, id) ? names[id] : id);
  const d = deployment;
  // With Slack there is no console to go back to; the list of deployments is there either way.
  $('to-console').hidden = !withConsole;
  document.title = `${d.kind} ${d.id} · ${d.environment} · igor`;
  $('title').innerHTML = `${escapeHtml(d.app)}: ${escapeHtml(d.kind)} <code>${escapeHtml(d.ref)}</code> to ${escapeHtml(d.environment)} <span class="state state-${escapeHtml(d.state)}">${escapeHtml(d.state)}</span>`;
  const facts = [
    ['Deployment', d.id],
    ['Commit', d.sha ?? '—'],
    ['Release', d.release ?? '—'],
    ['Requested by', person(d.requestedBy)],
    ['Approved by', person(d.approvedBy) ?? '—'],
    ['Started', new Date(d.createdAt).toLocaleString()],
    ['Took', duration((d.finishedAt ? ms(d.finishedAt) : Date.now()) - ms(d.createdAt)) + (active ? ' so far' : '')],
  ];
  // The whole time counts the wait for approval: what went where is told apart.
  for (const [name, span] of [['Tests', timeSpent?.tests], ['Waited for approval', timeSpent?.approval], ['Rolled out in', timeSpent?.rollout], ['Baked', timeSpent?.bake]]) {
    if (span) facts.push([name, duration((span.end ? ms(span.end) : Date.now()) - ms(span.start)) + (span.end ? '' : ' so far')]);
  }
  if (d.promotedFrom) {
    const from = d.promotedFrom;
    facts.push(['Promoted from', `${from.environment}: deployment ${from.deployment}, live there since ${new Date(from.liveSince).toLocaleString()}`]);
  }
  if (d.waiting) facts.push(['Waiting', d.waiting.frozenUntil ? `frozen until ${new Date(d.waiting.frozenUntil).toLocaleString()}${d.waiting.freezeReason ? ` (${d.waiting.freezeReason})` : ''}` : 'for its turn in the queue']);
  if (d.reason) facts.push(['Reason', d.reason]);
  $('facts').innerHTML = facts.map(([name, value]) => `<dt>${escapeHtml(name)}</dt><dd>${name === 'Reason' ? mrkdwn(value) : escapeHtml(value)}</dd>`).join('');
  const end = d.finishedAt ? ms(d.finishedAt) : Date.now();
  drawPipeline(d, timeSpent ?? {}, end);
  drawHosts(d, timeline, active ? Date.now() : null);
  $('hosts').innerHTML = d.hosts.length
    ? `<tr><th>Host</th><th>Wave</th><th>State</th><th>Release</th><th>Before</th><th>Error</th></tr>${d.hosts
        .map((h) => `<tr><td>${escapeHtml(h.host)}</td><td>${escapeHtml(h.wave ?? '')}</td><td class="state-${escapeHtml(h.state)}">${escapeHtml(h.state)}</td><td>${escapeHtml(h.release ?? '')}</td><td>${escapeHtml(h.previousRelease ?? '')}</td><td>${escapeHtml(h.error ?? '')}</td></tr>`)
        .join('')}`
    : '';
  renderAnalysis(d.analysis, analysisChart);
  renderSteps(d, logs);
}

/** A number of the analysis as the thread shows it: `12ms`, `1.5%`, `0.03`. */
function metric(value, unit) {
  if (value === null || value === undefined) return '—';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  const round = (n) => Number(n.toPrecision(3));
  return unit === 'ms' ? `${round(value)}ms` : unit === '%' ? `${round(value * 100)}%` : String(round(value));
}

/** The analysis's table, and the server-drawn (escaped) SVG chart of p95 latency over the probe. */
function renderAnalysis(analysis, chart) {
  $('analysis-section').hidden = !analysis;
  if (!analysis) return;
  $('analysis-summary').innerHTML = `${escapeHtml(analysis.canary)} ${analysis.baseline ? `against ${escapeHtml(analysis.baseline)}` : '(no baseline: absolute limits)'}: <span class="state state-${escapeHtml({ passed: 'succeeded', failed: 'failed', stopped: 'cancelled' }[analysis.state] ?? 'baking')}">${escapeHtml(analysis.state)}</span>${analysis.reason ? ` · ${escapeHtml(analysis.reason)}` : ''}`;
  $('analysis').innerHTML = `<tr><th>Metric</th><th>Canary</th><th>Baseline</th><th>Limit</th><th>Verdict</th></tr>${analysis.rows
    .map((row) => `<tr><td>${escapeHtml(row.metric)}</td><td>${escapeHtml(metric(row.canary, row.unit))}</td><td>${escapeHtml(analysis.baseline ? metric(row.baseline, row.unit) : 'n/a')}</td><td>${escapeHtml(row.limit || '—')}</td><td${row.verdict === 'info' ? '' : ` class="state-${row.verdict === 'fail' ? 'failed' : 'succeeded'}"`}>${escapeHtml(row.verdict === 'info' ? '' : row.verdict)}</td></tr>`)
    .join('')}`;
  // Drawn and escaped by igor (src/chat/console/analysis-chart.ts): no script, no style attribute.
  $('analysis-chart').innerHTML = chart ?? '';
}

/** Bars on one time axis: `rows` of `{ label, segments: [{ name, start, end, title }] }`. */
function drawBars(container, rows, from, to) {
  container.replaceChildren();
  const span = Math.max(to - from, 1);
  const axis = document.createElement('div');
  axis.className = 'axis';
  axis.textContent = `0 → ${duration(span)}`;
  container.append(axis);
  for (const row of rows) {
    const line = document.createElement('div');
    line.className = 'row';
    const label = document.createElement('span');
    label.className = 'label';
    label.textContent = row.label;
    const track = document.createElement('div');
    track.className = 'track';
    for (const segment of row.segments) {
      const bar = document.createElement('div');
      bar.className = `bar phase-${segment.name}`;
      // Set through the DOM, not markup: the page's CSP allows no inline styles.
      bar.style.left = `${((segment.start - from) / span) * 100}%`;
      bar.style.width = `${Math.max(((segment.end - segment.start) / span) * 100, 0.4)}%`;
      bar.title = segment.title;
      track.append(bar);
    }
    line.append(label, track);
    container.append(line);
  }
}

/** A stretch that is waiting, not work (the approval, the bake), as a labelled row of its own. */
function waitRow(label, name, span, end) {
  const stop = span.end ? ms(span.end) : end;
  const took = duration(stop - ms(span.start));
  return { label: `${label} ${took}`, segments: [{ name, start: ms(span.start), end: stop, title: `${label}: ${took}${span.end ? '' : ' so far'}` }] };
}

/** The steps as bars on one axis, with the wait for approval before the deploy and the bake within it. */
function drawPipeline(d, spent, end) {
  const rows = [];
  let waited = false;
  for (const step of d.steps) {
    if (step.name === 'deploy' && spent.approval) {
      rows.push(waitRow('approval wait', 'approval', spent.approval, end));
      waited = true;
    }
    if (step.startedAt) {
      const stop = step.finishedAt ? ms(step.finishedAt) : end;
      rows.push({ label: step.name, segments: [{ name: `step-${step.state}`, start: ms(step.startedAt), end: stop, title: `${step.name}: ${step.state} ${duration(stop - ms(step.startedAt))}` }] });
    }
    if (step.name === 'deploy' && spent.bake) rows.push(waitRow('bake', 'bake', spent.bake, end));
  }
  if (spent.approval && !waited) rows.push(waitRow('approval wait', 'approval', spent.approval, end));
  if (!rows.length) {
    $('pipeline').textContent = 'No step has started yet.';
    return;
  }
  drawBars($('pipeline'), rows, ms(d.createdAt), end);
}

function drawHosts(d, timeline, now) {
  const waves = Object.fromEntries(d.hosts.map((host) => [host.host, host.wave]));
  const all = timeline.flatMap((host) => host.segments);
  if (!all.length) {
    $('hosts-timeline').textContent = 'No host has been touched yet.';
    $('legend').replaceChildren();
    return;
  }
  const from = Math.min(...all.map((segment) => ms(segment.start)));
  const latest = Math.max(...all.map((segment) => ms(segment.end ?? segment.start)));
  const to = now ?? latest;
  const rows = timeline.map((host) => ({
    label: `${host.host}${waves[host.host] ? ` (${waves[host.host]})` : ''}`,
    segments: host.segments.map((segment) => {
      const stop = segment.end ? ms(segment.end) : to;
      return { name: PHASES.includes(segment.phase) ? segment.phase : 'other', start: ms(segment.start), end: stop, title: `${segment.phase} ${duration(stop - ms(segment.start))}` };
    }),
  }));
  drawBars($('hosts-timeline'), rows, from, Math.max(to, latest));
  const used = new Set(all.map((segment) => (PHASES.includes(segment.phase) ? segment.phase : 'other')));
  $('legend').innerHTML = [...PHASES, 'other'].filter((phase) => used.has(phase)).map((phase) => `<span><i class="bar phase-${phase}"></i>${phase}</span>`).join('');
}

function renderSteps(d, logs) {
  const container = $('steps');
  const openStep = openLog?.step;
  const html = d.steps
    .map((step) => {
      const took = step.startedAt ? duration((step.finishedAt ? ms(step.finishedAt) : Date.now()) - ms(step.startedAt)) : '';
      const hasLog = logs.includes(step.name) || step.state === 'running';
      return `<div class="step" id="step-${escapeHtml(step.name)}">
        <span class="state state-${escapeHtml(step.state)}">${escapeHtml(step.state)}</span> <b>${escapeHtml(step.name)}</b> <span class="took">${took}</span>
        ${hasLog ? `<button type="button" data-log="${escapeHtml(step.name)}">${openStep === step.name ? 'hide log' : 'show log'}</button>` : ''}
        ${step.error ? `<p class="error">${escapeHtml(step.error)}</p>` : ''}
      </div>`;
    })
    .join('');
  // The open log's <pre> is kept, so a refresh does not cut the stream.
  const pre = openStep ? $('log') : null;
  container.innerHTML = html;
  if (pre && openStep) document.getElementById(`step-${openStep}`)?.append(pre);
}

/** Streams a step's log into the page: all of it, then what is written while the step runs. */
async function showLog(step) {
  openLog?.controller.abort();
  const controller = new AbortController();
  openLog = { step, controller };
  const pre = document.createElement('pre');
  pre.id = 'log';
  pre.className = 'log';
  $('log')?.remove();
  document.getElementById(`step-${step}`)?.append(pre);
  if (last) renderSteps(last.deployment, last.logs);
  try {
    const response = await api(`/console/deployments/${encodeURIComponent(id)}/logs/${encodeURIComponent(step)}`, { signal: controller.signal });
    if (!response.ok) {
      pre.textContent = (await response.json()).error;
      return;
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const follow = pre.scrollHeight - pre.scrollTop - pre.clientHeight < 40;
      pre.textContent += decoder.decode(value, { stream: true });
      if (follow) pre.scrollTop = pre.scrollHeight;
    }
  } catch (error) {
    if (error.name !== 'AbortError') pre.textContent += `\n[the log stream stopped: ${error.message}]`;
  }
}

document.addEventListener('click', (event) => {
  const button = event.target.closest('[data-log]');
  if (!button) return;
  if (openLog?.step === button.dataset.log) {
    openLog.controller.abort();
    openLog = null;
    $('log')?.remove();
    if (last) renderSteps(last.deployment, last.logs);
  } else void showLog(button.dataset.log);
});

/** Many changes arrive while hosts deploy: one refresh for each burst. */
const scheduleRefresh = onceABurst(() => void refresh());

async function start() {
  await refresh();
  const wanted = /^#log-(.+)$/.exec(window.location.hash)?.[1];
  if (wanted && last?.deployment.steps.some((step) => step.name === wanted)) void showLog(wanted);
  openEvents(
    `/console/deployments/${encodeURIComponent(id)}/events`,
    {
      hello: scheduleRefresh,
      deployment: (change) => {
        if (change.id === id) scheduleRefresh();
      },
    },
    () => {},
    `/console/deployments/${encodeURIComponent(id)}/data`,
  );
}

void start();
