import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import { membersOf } from '../../src/pipeline/members.js';
import { approvalRefusal, deployRefusal, whoMayApprove } from '../../src/pipeline/policy.js';
import type { Deployment } from '../../src/pipeline/types.js';
import { plainText } from '../../src/shared/phrase.js';
import { createLocalUserGroups, UserGroupsError, type UserGroups } from '../../src/shared/user-groups.js';

const config = (settings: Record<string, unknown>) =>
  parseConfig(
    stringify({
      app: 'shop',
      repo: '/srv/git/shop.git',
      channels: { deploys: 'C0DEPLOYS' },
      groups: { sre: ['U0ALICE', 'U0BOB'] },
      environments: { production: { servers: { local: [{ name: 'web-1', path: '/srv/shop' }] }, ...settings } },
    }),
  );

const waiting = { id: '7', requestedBy: 'U0CAROL', requestedVia: undefined } as unknown as Deployment;

describe('rules that name user groups', () => {
  it('lets a member of @sre approve and refuses a non-member, naming the group', async () => {
    const settings = config({ deployers: ['U0CAROL', '@sre'], approval: { mode: 'required', approvers: ['@sre'] } });
    const production = settings.environments.production!;
    const groups = createLocalUserGroups(settings.groups);
    const bob = await membersOf(groups, production, 'U0BOB');
    expect(bob.approvers).toEqual(['U0ALICE', 'U0BOB']);
    expect(approvalRefusal('production', production, bob, waiting, { user: 'U0BOB', via: 'slack' }, 'approve')).toBeNull();
    const dave = await membersOf(groups, production, 'U0DAVE');
    const refusal = approvalRefusal('production', production, dave, waiting, { user: 'U0DAVE', via: 'slack' }, 'approve');
    expect(plainText(refusal!)).toBe('only the approvers of production may approve (environments.production.approval.approvers): `@sre`');
    expect(deployRefusal('production', production, bob, 'U0BOB')).toBeNull();
    expect(plainText(deployRefusal('production', production, dave, 'U0DAVE')!)).toBe('only the deployers of production may deploy to it (environments.production.deployers): U0CAROL, `@sre`');
  });

  it('tells people the group, not its members, while a deployment waits', () => {
    const production = config({ approval: { mode: 'required', approvers: ['@sre', 'U0CAROL'] } }).environments.production!;
    expect(whoMayApprove(production, 'U0CAROL')).toEqual({ rule: 'approvers', users: ['@sre'], requester: 'U0CAROL' });
  });

  it('says when a group could not be resolved: a handle that names no group, or groups that cannot be asked', async () => {
    const production = config({ deployers: ['@dba'] }).environments.production!;
    const unknown = await membersOf(createLocalUserGroups({}), production, 'U0ALICE');
    expect(unknown).toEqual({ deployers: [], approvers: [], unresolved: ['@dba'] });
    expect(plainText(deployRefusal('production', production, unknown, 'U0ALICE')!)).toContain('(no members known for `@dba`: no such user group, or it could not be asked)');
    const down: UserGroups = { name: 'down', members: () => Promise.reject(new UserGroupsError('[slack] usergroups.list: timeout')), idOf: () => Promise.resolve(null) };
    expect((await membersOf(down, production, 'U0ALICE')).unresolved).toEqual(['@dba']);
  });
});
