import { describe, expect, it } from 'vitest';
import { newAlarm } from '../../../src/alarms/model.js';
import { alarmMessage } from '../../../src/chat/alarm-messages.js';
import { approvalMessage, deploymentRoot, finishedReply, promotionMessage, stepReply } from '../../../src/chat/messages.js';
import { escapeHtml, mrkdwn, renderBlock, renderMessage } from '../../../src/chat/console/public/blocks.js';
import type { Deployment } from '../../../src/pipeline/types.js';

/** An emoji as the console shows it: igor's image of it, its name as the text. */
const emoji = (name: string) => `<img class="emoji" src="/console/emoji/${name}.svg" alt=":${name}:" title=":${name}:" draggable="false">`;

/** A deployment as the pipeline records one, with fixed times so the output is stable. */
function deployment(patch: Partial<Deployment> = {}): Deployment {
  return {
    id: '7',
    kind: 'deploy',
    app: 'shop',
    ref: 'main',
    sha: '0123456789abcdef0123456789abcdef01234567',
    release: '20260101T120000Z-0123456',
    environment: 'production',
    state: 'deploying',
    reason: null,
    requestedBy: 'U0ALICE',
    approvedBy: 'U0BOB',
    rejectedBy: null,
    approval: null,
    audit: [],
    retryOf: null,
    createdAt: '2026-01-01T12:00:00.000Z',
    updatedAt: '2026-01-01T12:01:00.000Z',
    finishedAt: null,
    steps: [
      { name: 'unit', state: 'succeeded', startedAt: '2026-01-01T12:00:01.000Z', finishedAt: '2026-01-01T12:00:03.000Z' },
      { name: 'deploy', state: 'running', startedAt: '2026-01-01T12:00:04.000Z', finishedAt: null },
    ],
    hosts: [
      { host: 'web-1', state: 'succeeded', release: '20260101T120000Z-0123456', previousRelease: null, error: null, wave: 'canary' },
      { host: 'web-2', state: 'deploying', release: null, previousRelease: null, error: null, wave: 'wave 1' },
    ],
    thread: null,
    ...patch,
  };
}

describe('the Block Kit renderer', () => {
  it('renders a header block as a heading, with its plain text escaped', () => {
    expect(renderBlock({ type: 'header', text: { type: 'plain_text', text: 'Release <1> & more' } })).toBe('<div class="bk-header">Release &lt;1&gt; &amp; more</div>');
  });

  it('renders a section with mrkdwn text and its fields in a grid', () => {
    const html = renderBlock({
      type: 'section',
      text: { type: 'mrkdwn', text: '*Deploy* to _production_' },
      fields: [
        { type: 'mrkdwn', text: '*Hosts*\n2' },
        { type: 'plain_text', text: '*not bold*' },
      ],
    });
    expect(html).toContain('<div class="bk-text"><b>Deploy</b> to <i>production</i></div>');
    expect(html).toContain('<div class="bk-fields"><div class="bk-field"><b>Hosts</b><br>2</div><div class="bk-field">*not bold*</div></div>');
  });

  it('renders a section accessory button beside the text', () => {
    const html = renderBlock({ type: 'section', text: { type: 'mrkdwn', text: 'x' }, accessory: { type: 'button', text: { type: 'plain_text', text: 'Open' }, action_id: 'igor.open', value: '1' } });
    expect(html).toContain('<div class="bk-accessory"><button type="button" class="bk-button" data-action="igor.open" data-value="1">Open</button></div>');
  });

  it('renders a context block as small text and images', () => {
    const html = renderBlock({
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: 'deployment `7`' },
        { type: 'image', image_url: 'https://example.com/a.png', alt_text: 'logo' },
      ],
    });
    expect(html).toBe('<div class="bk-context"><span>deployment <code class="bk-code">7</code></span><img class="bk-image" src="https://example.com/a.png" alt="logo"></div>');
  });

  it('renders a divider as a rule', () => {
    expect(renderBlock({ type: 'divider' })).toBe('<hr class="bk-divider">');
  });

  it('renders an actions block as buttons that carry igor.<action> and the value, with their style', () => {
    const html = renderBlock({
      type: 'actions',
      block_id: 'approval-7',
      elements: [
        { type: 'button', text: { type: 'plain_text', text: 'Approve' }, action_id: 'igor.approve', value: '7', style: 'primary' },
        { type: 'button', text: { type: 'plain_text', text: 'Reject' }, action_id: 'igor.reject', value: '7', style: 'danger' },
        { type: 'button', text: { type: 'plain_text', text: 'Docs' }, action_id: 'docs', url: 'https://example.com/docs' },
      ],
    });
    expect(html).toBe(
      '<div class="bk-actions">' +
        '<button type="button" class="bk-button bk-primary" data-action="igor.approve" data-value="7">Approve</button>' +
        '<button type="button" class="bk-button bk-danger" data-action="igor.reject" data-value="7">Reject</button>' +
        '<a class="bk-button" href="https://example.com/docs" target="_blank" rel="noopener noreferrer">Docs</a>' +
        '</div>',
    );
  });

  it('renders an image block with its title', () => {
    expect(renderBlock({ type: 'image', image_url: 'https://example.com/g.png', alt_text: 'graph', title: { type: 'plain_text', text: 'Latency' } })).toBe(
      '<div class="bk-image-block"><div class="bk-image-title">Latency</div><img class="bk-image" src="https://example.com/g.png" alt="graph"></div>',
    );
  });

  it('shows a block type it cannot render as a labelled placeholder, never dropping it', () => {
    const html = renderMessage({ text: 'fallback', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'before' } }, { type: 'video', title: 'x' }, { type: 'divider' }] });
    expect(html).toContain('before');
    expect(html).toContain('<div class="bk-unknown" data-type="video">[block “video” cannot be shown in the console]</div>');
    expect(html).toContain('bk-divider');
  });

  it('shows an element type it cannot render as a labelled placeholder too', () => {
    expect(renderBlock({ type: 'actions', elements: [{ type: 'static_select', action_id: 'pick' }] })).toContain('[element “static_select” cannot be shown in the console]');
  });

  it('renders the fallback text as mrkdwn when a message has no blocks', () => {
    expect(renderMessage({ text: 'hello *there*' })).toBe('<div class="bk-section"><div class="bk-text">hello <b>there</b></div></div>');
  });
});

describe('mrkdwn', () => {
  it('formats bold, italics and strike-through only at word edges', () => {
    expect(mrkdwn('*bold* _italic_ ~gone~')).toBe('<b>bold</b> <i>italic</i> <s>gone</s>');
    expect(mrkdwn('snake_case_name and 2*3*4')).toBe('snake_case_name and 2*3*4');
  });

  it('keeps code and code blocks verbatim and escaped, unformatted', () => {
    expect(mrkdwn('run `npm *ci*` now')).toBe('run <code class="bk-code">npm *ci*</code> now');
    expect(mrkdwn('failed:\n```line <1>\n*two*```')).toBe('failed:<br><pre class="bk-pre">line &lt;1&gt;\n*two*</pre>');
  });

  it('turns <url|text> and <url> into links that open beside the console', () => {
    expect(mrkdwn('<https://example.com/a?b=1&c=2|the log>')).toBe('<a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">the log</a>');
    expect(mrkdwn('<http://localhost:3000/x>')).toBe('<a href="http://localhost:3000/x" target="_blank" rel="noopener noreferrer">http://localhost:3000/x</a>');
  });

  it('lets the console point links elsewhere (deployment API links to deployment pages)', () => {
    expect(mrkdwn('<http://h/api/deployments/7|details>', { rewriteUrl: (url) => url.replace(/.*\/api\/deployments\//, '/console/deployments/') })).toBe(
      '<a href="/console/deployments/7" target="_blank" rel="noopener noreferrer">details</a>',
    );
  });

  it('never makes a link of a javascript: or data: URL', () => {
    expect(mrkdwn('<javascript:alert(1)|click>')).toBe('click');
    expect(mrkdwn('<data:text/html,x>')).toBe('data:text/html,x');
  });

  it('shows user mentions, with a display name when one is known', () => {
    expect(mrkdwn('by <@U0ALICE>')).toBe('by <span class="bk-mention" data-user="U0ALICE">@U0ALICE</span>');
    expect(mrkdwn('<@U0BOB>', { users: { U0BOB: 'bob' } })).toBe('<span class="bk-mention" data-user="U0BOB">@bob</span>');
  });

  it('shows channel mentions by name, as links the console follows', () => {
    expect(mrkdwn('follow it in <#C0DEPLOYS>', { channels: { C0DEPLOYS: 'deploys' } })).toBe('follow it in <a class="bk-channel" href="#C0DEPLOYS" data-channel="C0DEPLOYS">#deploys</a>');
    expect(mrkdwn('<#C0X|ops>')).toBe('<a class="bk-channel" href="#C0X" data-channel="C0X">#ops</a>');
  });

  it("shows Slack's date tokens in the reader's own time zone and words, the fallback as the title", () => {
    const reader = { locale: 'en-US', timeZone: 'America/New_York', now: '2026-12-03T15:00:00Z' };
    // 10:02 UTC is 05:02 in New York: the same day there.
    expect(mrkdwn('since <!date^1796292151^{date_short_pretty} {time}|2026-12-03 10:02 UTC>', reader)).toBe(
      'since <time class="bk-date" datetime="2026-12-03T10:02:31.000Z" title="2026-12-03 10:02 UTC">today 05:02 AM</time>',
    );
    expect(mrkdwn('<!date^1796292151^{date_short_pretty} {time}|x>', { ...reader, now: '2026-12-04T15:00:00Z' })).toContain('>yesterday 05:02 AM<');
    expect(mrkdwn('<!date^1796292151^{date_short_pretty}|x>', { ...reader, now: '2026-12-20T15:00:00Z' })).toContain('>Dec 3, 2026<');
    expect(mrkdwn('<!date^1796292151^{date_num} {time_secs}|x>', { ...reader, timeZone: 'UTC' })).toContain('>2026-12-03 10:02:31 AM<');
  });

  it('shows the fallback of a date token it cannot read, escaped', () => {
    expect(mrkdwn('<!date^1796292151^{ago}|2026-12-03 10:02 UTC>')).toContain('>2026-12-03 10:02 UTC</time>');
    expect(mrkdwn('<!date^soon^{time}|when &lt;b&gt;>')).toBe('when &lt;b&gt;');
    expect(mrkdwn('<!date^1796292151^{constructor}|fine>')).toContain('>fine</time>');
  });

  it('shows special mentions such as <!here>', () => {
    expect(mrkdwn('<!here> look')).toBe('<span class="bk-mention">@here</span> look');
    expect(mrkdwn('<!subteam^S0SRE> look')).toBe('<span class="bk-mention">@S0SRE</span> look');
  });

  it('shows the emoji igor uses as images, and unknown names as they are', () => {
    expect(mrkdwn(':white_check_mark: done :not_an_emoji: at 12:30:00')).toBe(`${emoji('white_check_mark')} done :not_an_emoji: at 12:30:00`);
  });

  it('escapes every character that means something in HTML, in text, links, mentions and attributes', () => {
    expect(escapeHtml(`<script>"'&`)).toBe('&lt;script&gt;&quot;&#39;&amp;');
    expect(mrkdwn('<img src=x onerror=alert(1)> & "quotes"')).not.toMatch(/<img/);
    expect(mrkdwn('a < b > c')).toBe('a &lt; b &gt; c');
    expect(mrkdwn('<https://x.test/"onmouseover="alert(1)|t>')).toContain('href="https://x.test/%22onmouseover=%22alert(1)"');
    expect(mrkdwn('<@U1"><script>>')).not.toContain('<script>');
  });

  it('shows escaped text as the words it says, never as a mention or a link', () => {
    expect(mrkdwn('&lt;!channel&gt; &amp; &lt;https://evil.example|Approve here&gt;')).toBe('&lt;!channel&gt; &amp; &lt;https://evil.example|Approve here&gt;');
    expect(mrkdwn('`&lt;b&gt;`')).toBe('<code class="bk-code">&lt;b&gt;</code>');
  });

  it('links only http(s) URLs and paths of its own origin', () => {
    const origin = 'http://127.0.0.1:3000';
    expect(mrkdwn('</console/deployments/1|details>', { origin })).toBe('<a href="/console/deployments/1" target="_blank" rel="noopener noreferrer">details</a>');
    for (const target of ['/\\evil.example/x', '//evil.example/x', '/\\/evil.example', 'javascript:alert(1)', 'data:text/html,x', 'mailto:a@b.c']) {
      expect(mrkdwn(`<${target}|details>`, { origin }), target).not.toContain('<a ');
    }
    const button = renderBlock({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: '<b>x</b>' }, action_id: 'igor.a"b', value: '"><script>' }] });
    expect(button).toContain('data-action="igor.a&quot;b" data-value="&quot;&gt;&lt;script&gt;">&lt;b&gt;x&lt;/b&gt;</button>');
  });

  it('cannot be fooled by text that looks like its own placeholders', () => {
    expect(mrkdwn('\uE0000\uE001 `x`')).toBe('0 <code class="bk-code">x</code>');
  });
});

describe('the messages igor builds, rendered', () => {
  const publicUrl = 'http://localhost:3000';
  /** A reader held still: the times in messages are shown in the reader's locale and zone. */
  const reader = { locale: 'en-US', timeZone: 'UTC', now: '2026-01-01T15:00:00Z' };

  it('shows a root message with its state, fields, details link and buttons', () => {
    const html = renderMessage(deploymentRoot(deployment(), publicUrl));
    expect(html).toContain(`${emoji('rocket')} shop: deploy <code class="bk-code">main</code> (0123456) to production: <b>deploying</b>`);
    expect(html).toContain('<b>Requested by</b><br><span class="bk-mention" data-user="U0ALICE">@U0ALICE</span>');
    expect(html).toContain('1/2 done (canary 1/1, wave 1 0/1)');
    expect(html).toContain('href="http://localhost:3000/console/deployments/7"');
    expect(html).toContain('data-action="igor.cancel" data-value="7"');
    expect(html).toContain('data-action="igor.rollback" data-value="7"');
    expect(html).not.toContain('bk-unknown');
    expect(html).toMatchSnapshot();
  });

  it('shows an approval request with the plan and Approve / Reject', () => {
    const waiting = deployment({
      state: 'awaiting-approval',
      approvedBy: null,
      approval: { plan: { sha: '0123456789abcdef0123456789abcdef01234567', environment: 'production', hosts: ['web-1', 'web-2'], strategy: 'canary 1, then 100%' }, requestedAt: '2026-01-01T12:00:05.000Z', expiresAt: '2026-01-01T12:30:05.000Z', reaskedBecause: null, message: null },
    });
    const html = renderMessage(approvalMessage(waiting, [{ sha: 'abcdef0123456789', subject: 'Fix <checkout> & tax', author: 'Bob' }], 'https://github.com/acme/shop/compare/a...b'), reader);
    expect(html).toContain('Expires <time class="bk-date" datetime="2026-01-01T12:30:05.000Z" title="2026-01-01 12:30 UTC">today at 12:30 PM</time>');
    expect(html).toContain(`${emoji('raised_hand')} <b>Approval needed</b>`);
    expect(html).toContain('Fix &lt;checkout&gt; &amp; tax');
    expect(html).toContain('data-action="igor.approve" data-value="7">Approve</button>');
    expect(html).toContain('data-action="igor.reject" data-value="7">Reject</button>');
    expect(html).not.toContain('bk-unknown');
    expect(html).toMatchSnapshot();
  });

  it('shows a failed step with its log tail as a code block', () => {
    const message = stepReply({ type: 'failed', step: 'unit', durationMs: 1500, reason: 'exit code 1', logTail: 'AssertionError: <1> !== 2' }, `${publicUrl}/console/deployments/7#log-unit`);
    const html = renderMessage(message!);
    expect(html).toContain(`${emoji('x')} <code class="bk-code">unit</code> failed after`);
    expect(html).toContain('<pre class="bk-pre">AssertionError: &lt;1&gt; !== 2</pre>');
    expect(html).toMatchSnapshot();
  });

  it('shows the promotion question and the closing reply', () => {
    const baking = deployment({ state: 'baking', promotion: { requestedAt: '2026-01-01T12:01:00.000Z', message: null, decision: null, decidedBy: null } });
    expect(renderMessage(promotionMessage(baking))).toContain('data-action="igor.promote"');
    const done = deployment({ state: 'succeeded', finishedAt: '2026-01-01T12:02:00.000Z', hosts: deployment().hosts.map((host) => ({ ...host, state: 'succeeded', switched: true })) });
    expect(renderMessage(finishedReply(done))).toContain(`${emoji('white_check_mark')} 20260101T120000Z-0123456 is live on 2 host(s) of production`);
  });

  it('shows an alarm with Acknowledge, Silence 1h and Rollback', () => {
    const alarm = newAlarm(
      'A3',
      { key: 'health:production', source: 'monitor', severity: 'critical', environment: 'production', hosts: ['web-1'], summary: 'web-1 fails its health check', detail: 'HTTP 500', deploymentId: '7', link: 'http://localhost:3000/api/deployments/7' },
      new Date('2026-01-01T12:05:00.000Z'),
    );
    const html = renderMessage(alarmMessage(alarm, null), reader);
    expect(html).toContain('<b>Since</b><br><time class="bk-date" datetime="2026-01-01T12:05:00.000Z" title="2026-01-01 12:05 UTC">today at 12:05 PM</time>');
    expect(html).toContain(`${emoji('rotating_light')} web-1 fails its health check`);
    for (const action of ['acknowledge', 'silence', 'rollback']) expect(html).toContain(`data-action="igor.${action}" data-value="A3"`);
    expect(html).not.toContain('bk-unknown');
    expect(html).toMatchSnapshot();
  });
});
