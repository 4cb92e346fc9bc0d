import { WebClient } from '@slack/web-api';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSlackDirectory } from '../../../src/chat/slack/directory.js';
import { createLocalDirectory, namedMentions } from '../../../src/shared/directory.js';
import { startFakeSlack, type FakeSlack } from '../../support/fake-slack.js';
import { manualClock } from '../../support/manual-clock.js';

let slack: FakeSlack;
beforeAll(async () => {
  slack = await startFakeSlack();
});
beforeEach(() => slack.reset());
afterAll(async () => {
  await slack.close();
});

const client = () => new WebClient('xoxb-test', { slackApiUrl: slack.url, retryConfig: { retries: 0 }, timeout: 2_000 });

describe("the Slack directory (users.info)", () => {
  it('names people by display name, else real name, asking Slack once per person while the name is fresh', async () => {
    slack.setUser({ id: 'U0ALICE', name: 'alice', real_name: 'Alice Liddell', display_name: 'Alice' });
    slack.setUser({ id: 'U0BOB', name: 'bob', real_name: 'Bob Builder', display_name: '' });
    const directory = createSlackDirectory(client(), manualClock(), pino({ level: 'silent' }));
    await directory.load(['U0ALICE', 'U0BOB', 'U0ALICE', 'api', 'github:ada']);
    expect([directory.nameOf('U0ALICE'), directory.nameOf('U0BOB'), directory.nameOf('api')]).toEqual(['Alice', 'Bob Builder', 'api']);
    await directory.load(['U0ALICE']);
    expect(slack.callsOf('users.info').map((call) => call.body.user)).toEqual(['U0ALICE', 'U0BOB']);
    expect(namedMentions(':lock: <@U0ALICE> locked it; <@U0BOB|bob> too', directory)).toBe(':lock: @Alice locked it; @Bob Builder too');
  });

  it('keeps the id where users.info fails, and asks again only after five minutes', async () => {
    const clock = manualClock();
    const directory = createSlackDirectory(client(), clock, pino({ level: 'silent' }));
    slack.failNext('users.info', { error: 'missing_scope' });
    await directory.load(['U0CAROL']);
    expect(directory.nameOf('U0CAROL')).toBe('U0CAROL');
    slack.setUser({ id: 'U0CAROL', name: 'carol', display_name: 'Carol' });
    await directory.load(['U0CAROL']);
    expect(slack.callsOf('users.info')).toHaveLength(1);
    await clock.advance(5 * 60_000);
    await directory.load(['U0CAROL']);
    expect(directory.nameOf('U0CAROL')).toBe('Carol');
  });

  it('answers nameOf at once, with the id, and the name once the lookup it started is back', async () => {
    slack.setUser({ id: 'U0DAN', name: 'dan', display_name: 'Dan' });
    const directory = createSlackDirectory(client(), manualClock(), pino({ level: 'silent' }));
    expect(directory.nameOf('U0DAN')).toBe('U0DAN');
    await slack.waitFor(() => directory.nameOf('U0DAN') === 'Dan', { what: 'the name to arrive' });
  });
});

describe('the local directory', () => {
  it("names people from the config's people only (never Object.prototype's names)", () => {
    const people = Object.assign(Object.create(null) as Record<string, string>, { U0ALICE: 'Alice' });
    const directory = createLocalDirectory(people);
    expect([directory.nameOf('U0ALICE'), directory.nameOf('U0BOB'), directory.nameOf('constructor'), directory.nameOf('__proto__')]).toEqual(['Alice', 'U0BOB', 'constructor', '__proto__']);
  });
});
