import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import { whoMayApprove } from '../../src/pipeline/policy.js';

/** The production environment of an igor.yml, as igor reads it (defaults filled in). */
const environment = (settings: Record<string, unknown>) =>
  parseConfig(stringify({ app: 'shop', repo: '/srv/git/shop.git', channels: { deploys: 'C0DEPLOYS' }, environments: { production: { servers: { local: [{ name: 'web-1', path: '/srv/shop' }] }, ...settings } } })).environments.production!;

describe('who may approve', () => {
  it('names the approvers, leaving out the requester when self-approval is off', () => {
    const production = environment({ deployers: ['U0ALICE', 'U0BOB', 'U0CAROL'], approval: { mode: 'required', approvers: ['U0ALICE', 'U0BOB'], allowSelfApproval: false } });
    expect(whoMayApprove(production, 'U0CAROL')).toEqual({ rule: 'approvers', users: ['U0ALICE', 'U0BOB'], requester: 'U0CAROL' });
    expect(whoMayApprove(production, 'U0ALICE')).toEqual({ rule: 'approvers', users: ['U0BOB'], requester: 'U0ALICE' });
  });

  it('falls back to any deployer, then to anyone, as the rule does', () => {
    expect(whoMayApprove(environment({ deployers: ['U0ALICE', 'U0BOB'], approval: { mode: 'required', allowSelfApproval: true } }), 'U0ALICE')).toEqual({ rule: 'deployers', users: ['U0ALICE', 'U0BOB'], requester: null });
    expect(whoMayApprove(environment({ approval: { mode: 'required', allowSelfApproval: false } }), 'U0ALICE')).toEqual({ rule: 'anyone', requester: 'U0ALICE' });
  });
});
