// The words of a deployment's messages: who may approve on the root, the truth about its state
// later, where its time went, and times as each reader's own. Built from plain records.
import type { ActionsBlock, KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { approvalMessage, deploymentRoot, finishedReply, historyMessage } from '../../src/chat/messages.js';
import { lockMessage } from '../../src/chat/lock-announcer.js';
import { statusMessage } from '../../src/chat/status-message.js';
import { liveOn } from '../../src/pipeline/queries.js';
import type { ApproverRule } from '../../src/pipeline/policy.js';
import type { Deployment } from '../../src/pipeline/types.js';

const publicUrl = 'http://localhost:3000';
const at = (seconds: number) => new Date(Date.parse('2026-12-03T10:00:00.000Z') + seconds * 1_000).toISOString();
/** Slack's date token for `at(seconds)`. */
const dateToken = (seconds: number) => `<!date^${Math.floor(Date.parse(at(seconds)) / 1_000)}^{date_short_pretty} at {time}|${at(seconds).slice(0, 16).replace('T', ' ')} UTC>`;
const ISO_WITH_MS = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/;

function deployment(patch: Partial<Deployment> = {}): Deployment {
  return {
    id: '3',
    kind: 'deploy',
    app: 'shop',
    ref: 'main',
    sha: '0123456789abcdef0123456789abcdef01234567',
    release: '20261203T100000Z-0123456',
    environment: 'production',
    state: 'succeeded',
    reason: null,
    requestedBy: 'U0CAROL',
    approvedBy: 'U0BOB',
    rejectedBy: null,
    approval: null,
    audit: [],
    retryOf: null,
    createdAt: at(0),
    updatedAt: at(100),
    finishedAt: at(100),
    steps: [],
    hosts: [{ host: 'web-1', state: 'succeeded', release: '20261203T100000Z-0123456', previousRelease: '20261202T100000Z-fedcba9', error: null, switched: true }],
    thread: null,
    ...patch,
  };
}

const rollback = deployment({ id: '4', kind: 'rollback', ref: '20261202T100000Z-fedcba9', release: '20261202T100000Z-fedcba9', fromRelease: '20261203T100000Z-0123456', requestedBy: 'U0BOB', finishedAt: at(120) });

const textsOf = (blocks: KnownBlock[] | undefined) => JSON.stringify(blocks ?? []);
const buttonLabels = (blocks: KnownBlock[] | undefined) =>
  (blocks ?? []).filter((block): block is ActionsBlock => block.type === 'actions').flatMap((block) => block.elements.map((element) => (element.type === 'button' ? element.text.text : element.type)));
const buttonValues = (blocks: KnownBlock[] | undefined) =>
  (blocks ?? []).filter((block): block is ActionsBlock => block.type === 'actions').flatMap((block) => block.elements.map((element) => (element.type === 'button' ? `${element.action_id}=${element.value}` : '')));

describe('the root message while a deployment awaits approval', () => {
  const waiting = deployment({ state: 'awaiting-approval', approvedBy: null, finishedAt: null, hosts: [] });

  it('carries Approve and Reject beside Cancel, the same actions on the same deployment as the thread’s request', () => {
    const root = deploymentRoot(waiting, publicUrl, { approvers: { rule: 'approvers', users: ['U0ALICE', 'U0BOB'], requester: 'U0CAROL' } });
    expect(buttonLabels(root.blocks)).toEqual(['Approve', 'Reject', 'Cancel']);
    expect(buttonValues(root.blocks)).toEqual(['igor.approve=3', 'igor.reject=3', 'igor.cancel=3']);
    const request = approvalMessage({ ...waiting, approval: { plan: { sha: waiting.sha!, environment: 'production', hosts: ['web-1'], strategy: 'all hosts' }, requestedAt: at(5), expiresAt: at(1805), reaskedBecause: null, message: null } }, [], null);
    expect(buttonValues(request.blocks)).toEqual(['igor.approve=3', 'igor.reject=3']);
  });

  it('says whose approval it needs, by the environment’s rule', () => {
    const says = (approvers: ApproverRule) => textsOf(deploymentRoot(waiting, publicUrl, { approvers }).blocks);
    expect(says({ rule: 'approvers', users: ['U0ALICE', 'U0BOB'], requester: 'U0CAROL' })).toContain('approval needed from <@U0ALICE> or <@U0BOB>');
    expect(says({ rule: 'approvers', users: ['U0ALICE', 'U0BOB', 'U0DAN'], requester: null })).toContain('approval needed from <@U0ALICE>, <@U0BOB> or <@U0DAN>');
    expect(says({ rule: 'deployers', users: ['U0ALICE'], requester: null })).toContain('approval needed from any deployer: <@U0ALICE>');
    expect(says({ rule: 'anyone', requester: null })).toContain('approval needed from anyone');
    expect(says({ rule: 'anyone', requester: 'U0CAROL' })).toContain('approval needed from anyone but <@U0CAROL>, who asked');
    expect(says({ rule: 'approvers', users: [], requester: 'U0CAROL' })).toContain('approval needed from an approver other than <@U0CAROL>, who asked, and there is none');
  });

  it('loses Approve and Reject once decided', () => {
    const root = deploymentRoot({ ...waiting, state: 'deploying' }, publicUrl, { approvers: null });
    expect(buttonLabels(root.blocks)).toEqual(['Cancel', 'Rollback']);
    expect(textsOf(root.blocks)).not.toContain('approval needed');
  });
});

describe('states that tell the truth', () => {
  it('says the step is the bake while the canary bakes', () => {
    const baking = deployment({ state: 'baking', finishedAt: null, steps: [{ name: 'deploy', state: 'running', startedAt: at(10), finishedAt: null }] });
    expect(textsOf(deploymentRoot(baking, publicUrl).blocks)).toContain('*Step*\\nbake');
    expect(textsOf(deploymentRoot({ ...baking, state: 'deploying' }, publicUrl).blocks)).toContain('*Step*\\ndeploy');
  });

  it('marks a deployment a later rollback undid, saying who, when and by which deployment, and drops its Rollback button', () => {
    expect(buttonLabels(deploymentRoot(deployment(), publicUrl).blocks)).toEqual(['Rollback']);
    const root = deploymentRoot(deployment(), publicUrl, { rolledBackBy: rollback });
    expect(textsOf(root.blocks)).toContain(`rolled back by <@U0BOB> ${dateToken(120)} by deployment 4`);
    expect(root.text).toBe('shop: deploy main to production: succeeded, rolled back by deployment 4');
    expect(buttonLabels(root.blocks)).toEqual([]);
  });

  it('drops the stale Rollback button from the closing reply of a failed rollout once it was rolled back', () => {
    const failed = deployment({ state: 'failed', reason: 'web-2 failed its health check' });
    expect(buttonLabels(finishedReply(failed).blocks)).toEqual(['Rollback']);
    const undone = finishedReply(failed, { rolledBackBy: rollback });
    expect(buttonLabels(undone.blocks)).toEqual([]);
    expect(undone.text).toContain(`rolled back by <@U0BOB> ${dateToken(120)} by deployment 4`);
  });

  it('warns in the approval request that the commit was rolled back before', () => {
    const waiting = deployment({
      state: 'awaiting-approval',
      approval: { plan: { sha: deployment().sha!, environment: 'production', hosts: ['web-1'], strategy: 'all hosts' }, requestedAt: at(5), expiresAt: at(1805), reaskedBecause: null, message: null, badReleases: [{ environment: 'staging', release: 'R7', why: 'rolled back by deployment 4' }] },
    });
    const request = approvalMessage(waiting, [], null);
    expect(textsOf(request.blocks)).toContain(':warning: This commit was rolled back before: R7 in staging (rolled back by deployment 4).');
    expect(request.text).toContain('rolled back before');
    expect(textsOf(approvalMessage({ ...waiting, approval: { ...waiting.approval!, badReleases: [] } }, [], null).blocks)).not.toContain('rolled back before');
  });
});

describe('time that means something', () => {
  it('reports the tests, the wait for approval and the rollout apart in the closing reply', () => {
    const done = deployment({
      steps: [
        { name: 'unit', state: 'succeeded', startedAt: at(1), finishedAt: at(3.5) },
        { name: 'deploy', state: 'succeeded', startedAt: at(91), finishedAt: at(98) },
        { name: 'verify', state: 'succeeded', startedAt: at(98), finishedAt: at(98.6) },
      ],
      finishedAt: at(98.6),
      transitions: [
        { state: 'testing', at: at(0) },
        { state: 'awaiting-approval', at: at(7) },
        { state: 'deploying', at: at(91) },
        { state: 'baking', at: at(92) },
        { state: 'deploying', at: at(97) },
        { state: 'verifying', at: at(98) },
        { state: 'succeeded', at: at(98.6) },
      ],
    });
    expect(finishedReply(done).text).toBe(':white_check_mark: 20261203T100000Z-0123456 is live on 1 host(s) of production: tested in 2.5s, waited 1m 24s for approval, rolled out in 7.6s (baked 5.0s).');
  });

  it('says only what it knows for an approval by policy or a deployment of an older igor', () => {
    const byPolicy = deployment({ approvedBy: 'policy', finishedAt: at(12), transitions: [{ state: 'testing', at: at(0) }, { state: 'deploying', at: at(4) }, { state: 'verifying', at: at(11) }, { state: 'succeeded', at: at(12) }] });
    expect(finishedReply(byPolicy).text).toContain('production: rolled out in 8.0s.');
    expect(finishedReply(deployment({ finishedAt: at(12) })).text).toBe(':white_check_mark: 20261203T100000Z-0123456 is live on 1 host(s) of production.');
  });

  it("writes times as Slack's date token, never as raw ISO with milliseconds", () => {
    const approved = deployment({
      state: 'deploying',
      approval: { plan: { sha: deployment().sha!, environment: 'production', hosts: ['web-1'], strategy: 'all hosts' }, requestedAt: at(5), expiresAt: at(1805), reaskedBecause: null, message: null },
      audit: [{ action: 'approve', user: 'U0BOB', at: at(60), outcome: 'done', detail: null }],
    });
    expect(textsOf(approvalMessage(approved, null, null).blocks)).toContain(`approved by <@U0BOB> ${dateToken(60)}`);
    const waiting = approvalMessage({ ...approved, state: 'awaiting-approval' }, [], null);
    expect(textsOf(waiting.blocks)).toContain(`Expires ${dateToken(1805)}`);
    const history = historyMessage([rollback, deployment()], false, (d) => (d.id === '3' ? rollback : undefined));
    expect(history.text).toContain(`3 · production · \`main\` 0123456 · succeeded · by <@U0CAROL>, approved by <@U0BOB> · ${dateToken(0)} · :rewind: rolled back by <@U0BOB> ${dateToken(120)} by deployment 4`);
    for (const message of [waiting, history]) expect(JSON.stringify(message)).not.toMatch(ISO_WITH_MS);
  });
});

describe('/deploy status', () => {
  it('says which deployment the live rollback took off, by whom and when, and when locks began', () => {
    const live = liveOn([deployment(), rollback], 'production');
    const message = statusMessage(
      [
        {
          app: 'shop',
          environments: [
            {
              name: 'production',
              lock: null,
              manualLock: { environment: 'production', user: 'U0CAROL', reason: 'load test until 3pm', since: at(200) },
              last: rollback,
              live,
              rolledBack: { deployment: deployment(), by: rollback },
            },
          ],
        },
      ],
      false,
    );
    expect(message.text).toContain(`:lock: locked by <@U0CAROL> since ${dateToken(200)}: load test until 3pm`);
    expect(message.text).toContain(`:rewind: deployment 3 (\`main\` 0123456) rolled back by <@U0BOB> ${dateToken(120)} by deployment 4`);
    expect(message.text).not.toMatch(ISO_WITH_MS);
  });
});

describe('/deploy status of freezes and the queue', () => {
  const status = (freeze: { now: { start: Date; end: Date; reason: string | null } | null; next: { start: Date; end: Date; reason: string | null } | null }, queued: number) =>
    statusMessage([{ app: 'shop', environments: [{ name: 'production', lock: null, manualLock: null, last: undefined, live: liveOn([], 'production'), freeze, queued }] }], false).text;

  it('says the freeze in force, when it ends and why (escaped), and how many deployments are queued', () => {
    const text = status({ now: { start: new Date(at(0)), end: new Date(at(3_600)), reason: 'weekend <!channel>' }, next: null }, 2);
    expect(text).toContain(`:snowflake: frozen until ${dateToken(3_600)} (weekend &lt;!channel&gt;): deploys are queued`);
    expect(text).toContain(':hourglass: 2 deployment(s) queued');
  });

  it('says when the next freeze begins and ends, and nothing of a queue that is empty', () => {
    const text = status({ now: null, next: { start: new Date(at(60)), end: new Date(at(120)), reason: null } }, 0);
    expect(text).toContain(`next freeze: ${dateToken(60)} until ${dateToken(120)}`);
    expect(text).not.toContain('queued');
  });
});

describe('queued deployments', () => {
  const waiting = { since: at(0), frozenUntil: null, freezeReason: null, authorizedBy: null, breakGlass: null, tested: null };

  it('shows a queued deployment\'s place in line, with Cancel', () => {
    const message = deploymentRoot(deployment({ state: 'queued', sha: null, release: null, approvedBy: null, waiting }), publicUrl, { queuePosition: 2 });
    expect(message.blocks![0]).toMatchObject({ text: { text: expect.stringContaining(':hourglass: queued: number 2 in line for production') } });
    expect(JSON.stringify(message.blocks)).toContain('"action_id":"igor.cancel"');
    expect(JSON.stringify(message.blocks)).not.toContain('igor.deploy-anyway');
  });

  it('shows a frozen one\'s freeze, its end and reason (escaped), with Deploy anyway and Cancel', () => {
    const frozen = { ...waiting, frozenUntil: at(3_600), freezeReason: '<b>weekend</b>' };
    const message = deploymentRoot(deployment({ state: 'queued', sha: null, release: null, approvedBy: null, waiting: frozen }), publicUrl, { queuePosition: 1 });
    expect(message.blocks![0]).toMatchObject({ text: { text: expect.stringContaining(`:snowflake: production is frozen until ${dateToken(3_600)} (&lt;b&gt;weekend&lt;/b&gt;)`) } });
    const actions = message.blocks!.find((block) => block.type === 'actions') as { elements: Array<{ action_id: string; text: { text: string } }> };
    expect(actions.elements.map((element) => [element.text.text, element.action_id])).toEqual([
      ['Deploy anyway', 'igor.deploy-anyway'],
      ['Cancel', 'igor.cancel'],
    ]);
  });
});

describe('lock announcements', () => {
  const lock = { environment: 'production', user: 'U0CAROL', reason: 'load test <until> 3pm', since: at(0) };

  it('say who locked the environment and why, escaped', () => {
    expect(lockMessage({ type: 'locked', app: 'shop', lock }, 'production').text).toBe(':lock: <@U0CAROL> locked *production*: load test &lt;until&gt; 3pm. Deploys are refused until `/deploy unlock production`.');
  });

  it('say who unlocked it, and whose lock it was since when', () => {
    expect(lockMessage({ type: 'unlocked', app: 'shop', lock, by: 'U0CAROL' }, 'shop/production').text).toBe(`:unlock: <@U0CAROL> unlocked *shop/production* (locked ${dateToken(0)}: load test &lt;until&gt; 3pm). Deploys are open again.`);
    expect(lockMessage({ type: 'unlocked', app: 'shop', lock: { ...lock, reason: null }, by: 'U0ALICE' }, 'production').text).toBe(`:unlock: <@U0ALICE> unlocked *production* (<@U0CAROL> locked it ${dateToken(0)}). Deploys are open again.`);
  });
});
