import { describe, expect, it } from 'vitest';
import { ciRetryButton, press, type ButtonHandler } from '../../src/chat/interactions.js';
import { consoleUser, slackUser } from '../../src/shared/actor.js';
import { phrase, user } from '../../src/shared/phrase.js';
import { RefusedError } from '../../src/shared/refusal.js';

const table = (entries: Array<[string, ButtonHandler]>): ReadonlyMap<string, ButtonHandler> => new Map(entries);

describe('pressing a button through the interaction table', () => {
  it('answers what the handler answers, with the actor it was given', async () => {
    const seen: string[] = [];
    const buttons = table([['approve', async (value, actor) => (seen.push(`${value} ${actor.user} ${actor.via}`), { ok: true, text: `Approved deployment ${value}.` })]]);
    expect(await press(buttons, 'approve', '7', slackUser('U0BOB'), () => undefined)).toEqual({ ok: true, text: 'Approved deployment 7.' });
    expect(seen).toEqual(['7 U0BOB slack']);
  });

  it('turns a refusal into an outcome for the presser, its people rendered as mentions', async () => {
    const buttons = table([['cancel', async () => { throw new RefusedError('forbidden', phrase`only ${user('U0ALICE')} may cancel here`); }]]);
    expect(await press(buttons, 'cancel', '3', consoleUser('U0EVE'), () => undefined)).toEqual({ ok: false, text: 'only <@U0ALICE> may cancel here' });
  });

  it('answers an unknown button, a prototype name included, without calling anything', async () => {
    const errors: unknown[] = [];
    for (const name of ['nope', '__proto__', 'constructor']) {
      expect(await press(table([]), name, '1', slackUser('U0BOB'), (error) => errors.push(error))).toEqual({ ok: false, text: `igor has no button igor.${name}` });
    }
    expect(errors).toEqual([]);
  });

  it('hands an unexpected failure to onError and tells the presser without igor\'s error text', async () => {
    const errors: unknown[] = [];
    const boom = new Error('ENOENT /var/lib/igor/secret-path');
    const outcome = await press(table([['promote', async () => { throw boom; }]]), 'promote', '<5>', slackUser('U0BOB'), (error) => errors.push(error));
    expect(errors).toEqual([boom]);
    expect(outcome.ok).toBe(false);
    expect(outcome.text).not.toContain('secret-path');
    expect(outcome.text).toContain('&lt;5&gt;');
  });

  it('retries a test run through ci-retry, escaping the run id it was given', async () => {
    const retried: string[] = [];
    const button = ciRetryButton({ retry: async (runId, who) => (retried.push(`${runId} ${who}`), { id: '13' }) });
    expect(await press(table([['ci-retry', button]]), 'ci-retry', '12', slackUser('U0BOB'), () => undefined)).toEqual({ ok: true, text: 'Test run 13 retries run 12.' });
    expect(retried).toEqual(['12 U0BOB']);
  });
});
