import { describe, expect, it } from 'vitest';
import { codeMrkdwn, dateMrkdwn, escapeMrkdwn, linkMrkdwn, mention, mrkdwn, preformatted, safeUrl } from '../../src/chat/mrkdwn.js';
import { code, phrase, plainText, time, user } from '../../src/shared/phrase.js';

describe('untrusted text in Slack mrkdwn', () => {
  it('escapes &, < and > so that nothing pings, links or mentions', () => {
    expect(escapeMrkdwn('<!channel> <@U0BOB> <https://evil.example|Approve here> & co')).toBe('&lt;!channel&gt; &lt;@U0BOB&gt; &lt;https://evil.example|Approve here&gt; &amp; co');
    expect(codeMrkdwn('a`b<c>')).toBe("`a'b&lt;c&gt;`");
    expect(preformatted('x```<y>')).toBe("```x'''&lt;y&gt;```");
  });

  it('links only http(s) URLs that cannot close or split the link', () => {
    expect(linkMrkdwn('https://runbooks.example/db', 'the runbook')).toBe('<https://runbooks.example/db|the runbook>');
    for (const url of ['https://x.example/a|Approve', 'https://x.example/a>b', 'javascript:alert(1)', 'ftp://x.example', 'not a url', '']) {
      expect(safeUrl(url), url).toBeNull();
      expect(linkMrkdwn(url, 'the <runbook>'), url).toBe('the &lt;runbook&gt;');
    }
  });

  it('mentions Slack user ids and user group ids, and shows anyone else by name as code', () => {
    expect(mention('U0ALICE')).toBe('<@U0ALICE>');
    expect(mention('api')).toBe('`api`');
    expect(mention('S0SRE')).toBe('<!subteam^S0SRE>');
    expect(mention('@sre')).toBe('`@sre`');
    expect(mention('github:ada<!channel>')).toBe('`github:ada&lt;!channel&gt;`');
  });
});

describe('phrases', () => {
  const locked = phrase`production is locked by ${user('U0ALICE')} since ${time('2026-12-03T10:00:00.000Z')}: ${'<!channel> freeze'} (${code('/deploy unlock production')} lifts it)`;

  it('render people as mentions and untrusted words escaped in chat', () => {
    expect(mrkdwn(locked)).toBe('production is locked by <@U0ALICE> since <!date^1796292000^{date_short_pretty} at {time}|2026-12-03 10:00 UTC>: &lt;!channel&gt; freeze (`/deploy unlock production` lifts it)');
  });

  it("render a time as Slack's date token, in each reader's own time zone, with a fallback to the minute in UTC", () => {
    expect(dateMrkdwn('2026-12-03T10:02:31.123Z')).toBe('<!date^1796292151^{date_short_pretty} at {time}|2026-12-03 10:02 UTC>');
    expect(mrkdwn(phrase`until ${time('2026-12-03T11:00:00.000Z')}`)).not.toMatch(/\d\d:\d\d:\d\d\.\d{3}Z/);
    expect(dateMrkdwn('not a time <!channel>')).toBe('not a time &lt;!channel&gt;');
  });

  it('render as plain text for the API and the logs, with no Slack markup', () => {
    expect(plainText(locked)).toBe('production is locked by U0ALICE since 2026-12-03T10:00:00.000Z: <!channel> freeze (`/deploy unlock production` lifts it)');
    expect(String(locked)).toBe(plainText(locked));
  });

  it('treat a plain string as untrusted text', () => {
    expect(mrkdwn('<@U0BOB>')).toBe('&lt;@U0BOB&gt;');
    expect(mrkdwn(phrase`${null} a ${false}b${undefined} ${3}`)).toBe(' a b 3');
  });
});
