import { afterEach, describe, expect, it } from 'vitest';
import type { CommandAnswer } from '../../src/chat/commands/answer.js';
import { startFlagsApp, type FlagsApp } from '../support/flags-app.js';

let app: FlagsApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function text(answer: CommandAnswer): Promise<string> {
  return (answer.now ?? (await answer.later!())).text;
}

describe('the /flags command', () => {
  it('lists the flags of the default environment, or of the one named, with where apps read them', async () => {
    app = await startFlagsApp();
    const flags = (words: string, user = 'U0ALICE') => text(app!.flags.command(words, { actor: { user, via: 'slack' }, channel: 'C0DEPLOYS' }));
    expect(await flags('')).toMatch(/^No flags in \*staging\* yet: `\/flags set &lt;key&gt; on\|off\|&lt;0-100&gt;% staging` creates one\.\nApps read them with OpenFeature's OFREP provider at `http:\/\/127\.0\.0\.1:\d+\/flags\/staging`/);
    expect(await flags('set new-checkout 25%')).toBe(':white_check_mark: `new-checkout` in staging: not set → 25% (change 1), announced in <#C0STAGING>.');
    expect(await flags('set banner on production', 'U0EVE')).toBe(':white_check_mark: `banner` in production: not set → on (change 2), announced in <#C0DEPLOYS>.');
    expect(await flags('', 'U0EVE')).toMatch(/^\*Flags in staging\* \(1\)\n• `new-checkout`: \*25%\* · <@U0ALICE> · <!date\^\d+\^\{date_short_pretty\} at \{time\}\|\d{4}-/);
    expect(await flags('production')).toContain('• `banner`: *on* · <@U0EVE>');
  });

  it('answers a change that changes nothing, a delete, and help', async () => {
    app = await startFlagsApp();
    const flags = (words: string) => text(app!.flags.command(words, { actor: { user: 'U0BOB', via: 'slack' }, channel: 'C0DEPLOYS' }));
    await flags('set new-checkout on');
    expect(await flags('set new-checkout ON staging')).toBe(':information_source: `new-checkout` is on in staging already: nothing changed.');
    expect(await flags('delete new-checkout')).toBe(':wastebasket: Deleted `new-checkout` in staging (it was on; change 2), announced in <#C0STAGING>.');
    expect(await flags('delete new-checkout')).toBe(':no_entry: there is no flag new-checkout in staging');
    expect(await flags('help')).toContain('`/flags set &lt;key&gt; on|off|&lt;0-100&gt;% [env]`');
  });

  it('refuses changes from people who are not deployers, and says what was expected for text it cannot read', async () => {
    app = await startFlagsApp();
    const flags = (words: string, user = 'U0EVE') => app!.flags.command(words, { actor: { user, via: 'slack' }, channel: 'C0DEPLOYS' });
    const refused = flags('set new-checkout on');
    expect(refused.now).toBeNull();
    expect(await text(refused)).toBe(':no_entry: only the deployers of staging may change flags in it (environments.staging.deployers): <@U0ALICE>, <@U0BOB>');
    expect(app.flags.service.flagsOf('staging')).toEqual({});
    const usage = flags('set new-checkout maybe');
    expect(usage.later).toBeUndefined();
    expect(usage.now!.text).toMatch(/^:warning: expected `\/flags set &lt;key&gt; on\|off\|&lt;0-100&gt;% \[env\]`: the value of `new-checkout` is on, off, or a share/);
    expect(flags('set new_checkout! on').now!.text).toContain('`new_checkout!` has "!"');
    expect(await text(flags('stagin'))).toMatch(/^:warning: there is no environment "stagin" \(did you mean staging\?\); configured: staging, production\n`\/flags \[env\]`/);
    expect(await text(flags('set x on qa', 'U0ALICE'))).toBe(':no_entry: there is no environment "qa"; configured: staging, production');
  });
});
