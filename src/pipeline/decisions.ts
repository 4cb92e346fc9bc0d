import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { formatDuration } from '../config/duration.js';
import type { Discovery, Server } from '../fleet/types.js';
import type { Mirror } from '../integration/mirror.js';
import type { PipelineData } from './store-data.js';
import type { Store } from '../store/db.js';
import type { Clock } from '../shared/clock.js';
import { RefusedError } from '../shared/refusal.js';
import type { EventHub } from './events.js';
import { compareUrl, makePlan, planChange } from './plan.js';
import { approvalRefusal, deployRefusal } from './policy.js';
import { membersOf } from './members.js';
import { createLocalUserGroups, type UserGroups } from '../shared/user-groups.js';
import type { Recorder } from './records.js';
import type { Runs } from './runs.js';
import { FINISHED } from './states.js';
import type { Deployment } from './types.js';
import { viaOf, type Actor } from '../shared/actor.js';
import { plainText, type Phrase } from '../shared/phrase.js';
import { recordAudit } from './audit.js';
import { badReleasesOfCommit, liveOn, newestLive, ofApp } from './queries.js';

export interface DecisionOptions {
  config: Config;
  store: Store<PipelineData>;
  mirror: Mirror;
  discoveries: Record<string, Discovery>;
  recorder: Recorder;
  runs: Runs;
  events: EventHub;
  clock: Clock;
  log: Logger;
  /** Who is in the user groups the rules name; default: the config's `groups`. */
  userGroups?: UserGroups | undefined;
}

/**
 * What people decide about a running deployment: approve, reject, cancel; and the clock's own
 * decision, expiry. Every action is checked against the environment's rules and recorded in the
 * deployment's audit, refused ones too; a refusal changes nothing else.
 */
export function createDecisions(options: DecisionOptions) {
  const { config, recorder, runs, clock } = options;
  const userGroups = options.userGroups ?? createLocalUserGroups(config.groups);
  /** The environment's rules with their user groups expanded, asked again for `actor` on a miss. */
  const membersFor = (environment: string, actor: Actor) => membersOf(userGroups, config.environments[environment]!, actor.user);

  function audit(deployment: Deployment, action: string, actor: Actor, outcome: 'done' | 'refused', detail: string | null = null): void {
    recordAudit(deployment.audit, { action, user: actor.user, ...viaOf(actor), at: clock.now().toISOString(), outcome, detail });
  }

  async function refuse(deployment: Deployment, action: string, actor: Actor, code: 'forbidden' | 'conflict', message: Phrase | string): Promise<never> {
    audit(deployment, action, actor, 'refused', plainText(message));
    await recorder.changed(deployment);
    throw new RefusedError(code, message);
  }

  /** Asks for approval of the plan in the thread (again, saying why, when the plan changed). */
  async function askForApproval(deployment: Deployment, servers: readonly Server[], reaskedBecause: string | null): Promise<void> {
    const environment = config.environments[deployment.environment]!;
    const now = clock.now();
    const expiresAt = new Date(now.getTime() + environment.approval.expiresAfter);
    const approval = {
      plan: makePlan(deployment.sha!, deployment.environment, servers, environment.strategy),
      requestedAt: now.toISOString(),
      expiresAt: expiresAt.toISOString(),
      reaskedBecause,
      message: null,
      badReleases: badReleasesOfCommit(deployment, options.store.data.deployments, options.store.data.badReleases),
    };
    const superseded = deployment.approval?.message ?? null;
    // Armed at the moment expiresAt is counted from, before anything is awaited: the deadline
    // people are shown and the timer that enforces it are the same instant.
    const run = runs.get(deployment.id);
    if (run) {
      run.expiryTimer?.cancel();
      run.expiryTimer = clock.schedule(() => void expire(deployment).catch((error: unknown) => options.log.error({ err: error }, 'could not expire')), environment.approval.expiresAfter);
    }
    if (deployment.state === 'awaiting-approval') {
      deployment.approval = approval;
      await recorder.changed(deployment);
    } else {
      await recorder.transition(deployment, 'requestApproval', { approval });
    }
    const since = newestLive(liveOn(ofApp(options.store.data.deployments, deployment.app), deployment.environment))?.sha ?? null;
    const commits = await options.mirror.commitsBetween(since, deployment.sha!).catch(() => []);
    options.events.emit({ type: 'approval-requested', deployment, commits, compareUrl: compareUrl(config.repo, since, deployment.sha!), superseded });
  }

  async function expire(deployment: Deployment): Promise<void> {
    const run = runs.get(deployment.id);
    if (deployment.state !== 'awaiting-approval' || run?.deciding) return;
    const after = formatDuration(config.environments[deployment.environment]!.approval.expiresAfter);
    await recorder.transition(deployment, 'expire', { reason: `nobody approved it within ${after}` });
    run?.decide({ outcome: 'expired' });
  }

  /** The deployment, if the action can still apply to it; refusals for finished ones say what happened. */
  async function pending(deployment: Deployment, action: string, actor: Actor): Promise<void> {
    if (deployment.state !== 'awaiting-approval') {
      await refuse(deployment, action, actor, 'conflict', `deployment ${deployment.id} is ${deployment.state}: there is nothing to ${action}`);
    }
    if (runs.get(deployment.id)?.deciding) await refuse(deployment, action, actor, 'conflict', `deployment ${deployment.id} is being approved already`);
  }

  return {
    askForApproval,

    /**
     * Approves the plan. The hosts are discovered again first: if they changed since the request
     * (or the commit did), the approval lapses and is asked again, saying what changed.
     */
    async approve(deployment: Deployment, actor: Actor): Promise<'approved' | 'reasked'> {
      // The rule's user groups are asked for first: from the check that it is pending to `deciding`, nothing waits.
      const members = await membersFor(deployment.environment, actor);
      await pending(deployment, 'approve', actor);
      const environment = config.environments[deployment.environment]!;
      const refusal = approvalRefusal(deployment.environment, environment, members, deployment, actor, 'approve');
      if (refusal) await refuse(deployment, 'approve', actor, 'forbidden', refusal);
      const run = runs.get(deployment.id);
      if (!run) return refuse(deployment, 'approve', actor, 'conflict', `deployment ${deployment.id} is not running in this igor (was it restarted?)`);
      run.deciding = true;
      try {
        const servers = await options.discoveries[deployment.environment]!.servers();
        const change = planChange(deployment.approval!.plan, makePlan(deployment.sha!, deployment.environment, servers, environment.strategy));
        if (change) {
          audit(deployment, 'approve', actor, 'refused', `the plan changed: ${change}`);
          await askForApproval(deployment, servers, change);
          return 'reasked';
        }
        audit(deployment, 'approve', actor, 'done');
        run.expiryTimer?.cancel();
        await recorder.transition(deployment, 'approve', { approvedBy: actor.user });
        run.decide({ outcome: 'approved', servers });
        return 'approved';
      } finally {
        run.deciding = false;
      }
    },

    async reject(deployment: Deployment, actor: Actor): Promise<void> {
      const members = await membersFor(deployment.environment, actor);
      await pending(deployment, 'reject', actor);
      const refusal = approvalRefusal(deployment.environment, config.environments[deployment.environment]!, members, deployment, actor, 'reject');
      if (refusal) await refuse(deployment, 'reject', actor, 'forbidden', refusal);
      audit(deployment, 'reject', actor, 'done');
      await recorder.transition(deployment, 'reject', { rejectedBy: actor.user, reason: `rejected by ${actor.user}` });
      runs.get(deployment.id)?.decide({ outcome: 'rejected' });
    },

    /**
     * Stops a deployment that is queued, testing or waiting for approval: the running step's whole
     * process tree is killed, teardown still runs, the lock is released. Resolves once it has ended.
     */
    async cancel(deployment: Deployment, actor: Actor): Promise<void> {
      if (FINISHED.has(deployment.state)) await refuse(deployment, 'cancel', actor, 'conflict', `deployment ${deployment.id} is ${deployment.state} already`);
      const environment = config.environments[deployment.environment]!;
      const refusal = actor.user === deployment.requestedBy ? null : deployRefusal(deployment.environment, environment, await membersFor(deployment.environment, actor), actor.user, 'cancel deployments in');
      if (refusal) await refuse(deployment, 'cancel', actor, 'forbidden', refusal);
      if (deployment.state === 'verifying') {
        await refuse(deployment, 'cancel', actor, 'conflict', `deployment ${deployment.id} is verifying: every host is switched already; use Rollback once it ends`);
      }
      const run = runs.get(deployment.id);
      audit(deployment, 'cancel', actor, 'done');
      if (!run) {
        await recorder.transition(deployment, 'cancel', { reason: `cancelled by ${actor.user}` });
        return;
      }
      run.stopReason = 'cancelled';
      run.cancelledBy = actor.user;
      if (deployment.state === 'awaiting-approval') {
        run.expiryTimer?.cancel();
        await recorder.transition(deployment, 'cancel', { reason: `cancelled by ${actor.user}` });
        run.decide({ outcome: 'cancelled' });
      } else {
        run.controller.abort();
        run.hostCommands.abort();
        run.decidePromotion('stop');
      }
      await run.done;
    },

    /** Promote after a canary's bake, when `promote: manual`. */
    async promote(deployment: Deployment, actor: Actor): Promise<void> {
      if (deployment.state !== 'baking' || !deployment.promotion || deployment.promotion.decision) {
        await refuse(deployment, 'promote', actor, 'conflict', `deployment ${deployment.id} is ${deployment.state}: there is no canary waiting to be promoted`);
      }
      const refusal = deployRefusal(deployment.environment, config.environments[deployment.environment]!, await membersFor(deployment.environment, actor), actor.user, 'promote deployments in');
      if (refusal) await refuse(deployment, 'promote', actor, 'forbidden', refusal);
      const run = runs.get(deployment.id);
      if (!run) return refuse(deployment, 'promote', actor, 'conflict', `deployment ${deployment.id} is not running in this igor`);
      Object.assign(deployment.promotion!, { decision: 'promote', decidedBy: actor.user });
      audit(deployment, 'promote', actor, 'done');
      await recorder.changed(deployment);
      run.decidePromotion('promote');
    },

    /**
     * The Rollback button on a deployment that is still rolling out or baking: stops it and puts
     * back every switched host; it ends `rolled-back`. Resolves once it has ended.
     */
    async rollBackRunning(deployment: Deployment, actor: Actor): Promise<void> {
      const refusal = deployRefusal(deployment.environment, config.environments[deployment.environment]!, await membersFor(deployment.environment, actor), actor.user, 'roll back');
      if (refusal) await refuse(deployment, 'rollback', actor, 'forbidden', refusal);
      const run = runs.get(deployment.id);
      if (!run || !['deploying', 'baking'].includes(deployment.state)) {
        return refuse(deployment, 'rollback', actor, 'conflict', `deployment ${deployment.id} is ${deployment.state}: it is not rolling out`);
      }
      audit(deployment, 'rollback', actor, 'done');
      if (deployment.promotion && !deployment.promotion.decision) Object.assign(deployment.promotion, { decision: 'rollback', decidedBy: actor.user });
      run.stopReason = 'rolled-back';
      run.controller.abort();
      run.hostCommands.abort();
      run.decidePromotion('rollback');
      await run.done;
    },
  };
}
export type Decisions = ReturnType<typeof createDecisions>;
