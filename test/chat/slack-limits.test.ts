import { describe, expect, it } from 'vitest';
import { fitToSlack, SLACK_LIMITS, truncateMrkdwn } from '../../src/chat/slack-limits.js';
import { beyondSlackLimits } from '../support/fake-slack.js';

describe("Slack's limits", () => {
  it('leaves a message that fits as it is', () => {
    const message = { text: 'hi', blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'hi' } }] };
    expect(fitToSlack(message)).toEqual(message);
  });

  it('cuts a 1 MB alert summary to what Slack takes, with an ellipsis', () => {
    const huge = 'x'.repeat(1024 * 1024);
    const fitted = fitToSlack({
      text: huge,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: `*${huge}*` }, fields: Array.from({ length: 12 }, () => ({ type: 'mrkdwn' as const, text: huge })) },
        { type: 'context', elements: Array.from({ length: 12 }, () => ({ type: 'mrkdwn' as const, text: huge })) },
        { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: huge }, action_id: 'igor.x', value: huge }] },
        ...Array.from({ length: 60 }, () => ({ type: 'divider' as const })),
      ],
    });
    expect(beyondSlackLimits(fitted.text, fitted.blocks as unknown as Array<Record<string, unknown>>)).toBeNull();
    expect(fitted.blocks).toHaveLength(SLACK_LIMITS.blocks);
    expect(JSON.stringify(fitted.blocks!.at(-1))).toContain('more block(s) not shown');
    expect(fitted.text.endsWith('…')).toBe(true);
  });

  it('never cuts inside an escape, a link or a mention, and closes an open code block', () => {
    expect(truncateMrkdwn('abcdef &lt;!channel&gt;', 13)).toBe('abcdef …');
    expect(truncateMrkdwn('see <https://example.com/a/long/path|the log> now', 20)).toBe('see …');
    const cut = truncateMrkdwn('```' + 'y'.repeat(100) + '```', 50);
    expect(cut.length).toBeLessThanOrEqual(50);
    expect((cut.match(/```/g) ?? []).length).toBe(2);
  });
});
