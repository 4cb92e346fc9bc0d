import { describe, expect, it } from 'vitest';
import { parseDeployCommand } from '../../../src/chat/commands/deploy-grammar.js';
import { UsageError } from '../../../src/chat/commands/usage.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';

/** The UsageError `parseDeployCommand` throws for `text`. */
function usageError(text: string): UsageError {
  try {
    parseDeployCommand(text);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error(`expected a UsageError for ${JSON.stringify(text)}, but it parsed`);
}

describe('parseDeployCommand: deploys', () => {
  it('deploys a branch to the default environment when no environment is named', () => {
    expect(parseDeployCommand('main')).toEqual({ kind: 'deploy', ref: 'main' });
  });

  it('deploys a branch to the environment after "to"', () => {
    expect(parseDeployCommand('main to staging')).toEqual({ kind: 'deploy', ref: 'main', environment: 'staging' });
  });

  it('deploys a tag', () => {
    expect(parseDeployCommand('v1.2.3')).toEqual({ kind: 'deploy', ref: 'v1.2.3' });
  });

  it('deploys a full commit sha', () => {
    expect(parseDeployCommand(SHA)).toEqual({ kind: 'deploy', ref: SHA });
  });

  it('deploys a branch named like a command when it is written as refs/heads/…', () => {
    expect(parseDeployCommand('refs/heads/status')).toEqual({ kind: 'deploy', ref: 'refs/heads/status' });
  });

  it('ignores extra spaces around and between the words', () => {
    expect(parseDeployCommand('  main   to\tstaging  ')).toEqual({ kind: 'deploy', ref: 'main', environment: 'staging' });
  });
});

describe('parseDeployCommand: commands', () => {
  it('reads status with and without an environment', () => {
    expect(parseDeployCommand('status')).toEqual({ kind: 'status' });
    expect(parseDeployCommand('status production')).toEqual({ kind: 'status', environment: 'production' });
  });

  it('reads history with and without an environment', () => {
    expect(parseDeployCommand('history')).toEqual({ kind: 'history' });
    expect(parseDeployCommand('history staging')).toEqual({ kind: 'history', environment: 'staging' });
  });

  it('reads cancel with and without an environment', () => {
    expect(parseDeployCommand('cancel')).toEqual({ kind: 'cancel' });
    expect(parseDeployCommand('cancel production')).toEqual({ kind: 'cancel', environment: 'production' });
  });

  it('reads lock with the rest of the words joined as the reason', () => {
    expect(parseDeployCommand('lock production deploy freeze for the holidays')).toEqual({
      kind: 'lock',
      environment: 'production',
      reason: 'deploy freeze for the holidays',
    });
  });

  it('reads lock without a reason', () => {
    expect(parseDeployCommand('lock production')).toEqual({ kind: 'lock', environment: 'production' });
  });

  it('reads unlock with its environment', () => {
    expect(parseDeployCommand('unlock production')).toEqual({ kind: 'unlock', environment: 'production' });
  });

  it('reads help', () => {
    expect(parseDeployCommand('help')).toEqual({ kind: 'help' });
  });

  it('answers empty text with help', () => {
    expect(parseDeployCommand('')).toEqual({ kind: 'help' });
    expect(parseDeployCommand('   ')).toEqual({ kind: 'help' });
  });
});

describe('parseDeployCommand: what it cannot understand', () => {
  it('refuses a ref followed by an environment without "to" and shows the deploy usage', () => {
    const error = usageError('main staging');
    expect(error.message).toContain('/deploy <ref> [to <env>]');
    expect(error.message).toContain('main staging');
  });

  it('refuses "to" with no environment after it', () => {
    expect(usageError('main to').message).toContain('/deploy <ref> [to <env>]');
  });

  it('refuses more words after "to <env>"', () => {
    expect(usageError('main to staging now').message).toContain('/deploy <ref> [to <env>]');
  });

  it('refuses status with two environments', () => {
    expect(usageError('status a b').message).toContain('/deploy status [env]');
  });

  it('refuses history and cancel with two environments', () => {
    expect(usageError('history a b').message).toContain('/deploy history [env]');
    expect(usageError('cancel a b').message).toContain('/deploy cancel [env]');
  });

  it('refuses unlock without an environment', () => {
    expect(usageError('unlock').message).toContain('/deploy unlock <env>');
  });

  it('refuses unlock with more than an environment', () => {
    expect(usageError('unlock production now').message).toContain('/deploy unlock <env>');
  });

  it('refuses lock without an environment', () => {
    expect(usageError('lock').message).toContain('/deploy lock <env> [reason]');
  });

  it('refuses help followed by more words', () => {
    expect(usageError('help me').message).toContain('/deploy help');
  });

  it('reads promote <from> to <env>, with an app named before the source', () => {
    expect(parseDeployCommand('promote staging to production')).toEqual({ kind: 'promote', from: 'staging', environment: 'production' });
    expect(parseDeployCommand('promote shop/staging to production')).toEqual({ kind: 'promote', from: 'shop/staging', environment: 'production' });
  });

  it('refuses promote without both environments', () => {
    expect(usageError('promote staging').message).toContain('/deploy promote <from> to <env>');
    expect(usageError('promote staging production').message).toContain('/deploy promote <from> to <env>');
  });
});

describe('parseDeployCommand: --break-glass', () => {
  it('takes the reason after --break-glass, in straight or curly quotes or none', () => {
    expect(parseDeployCommand('main to production --break-glass "checkout is down"')).toEqual({ kind: 'deploy', ref: 'main', environment: 'production', breakGlass: 'checkout is down' });
    expect(parseDeployCommand('main --break-glass \u201ccheckout is down\u201d')).toEqual({ kind: 'deploy', ref: 'main', breakGlass: 'checkout is down' });
    expect(parseDeployCommand("main --break-glass 'it cannot wait'")).toMatchObject({ breakGlass: 'it cannot wait' });
    expect(parseDeployCommand('main --break-glass hotfix for the outage')).toMatchObject({ breakGlass: 'hotfix for the outage' });
  });

  it('wants a reason, and a deploy to go with', () => {
    expect(usageError('main --break-glass').message).toContain('needs a reason');
    expect(usageError('main --break-glass ""').message).toContain('needs a reason');
    expect(usageError('status --break-glass "why"').message).toContain('goes with a deploy');
  });
});
