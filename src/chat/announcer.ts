import type { Logger } from 'pino';
import { environmentChannel } from '../config/environments.js';
import type { Config } from '../config/schema.js';
import type { PipelineEvent } from '../pipeline/events.js';
import type { Pipeline } from '../pipeline/service.js';
import type { Deployment } from '../pipeline/types.js';
import type { CommitSummary } from '../integration/mirror.js';
import { deploymentPageUrl } from '../pipeline/links.js';
import { whoMayApprove } from '../pipeline/policy.js';
import { FINISHED } from '../pipeline/states.js';
import { approvalMessage, deploymentRoot, finishedReply, plain, promotionMessage, stepReply, type DeploymentContext } from './messages.js';
import { analysisMessage } from './analysis-message.js';
import { escapeMrkdwn, mrkdwn } from './mrkdwn.js';
import type { MessageTarget } from './outbox/model.js';
import type { Outbox } from './outbox/outbox.js';
import type { ChatMessage, MessageRef } from './port.js';
import { rollbackSummary } from './rollback-summary.js';
import { breakGlassText } from './break-glass-message.js';

/** Root messages are updated at most this often; the last state always goes out. */
const UPDATE_INTERVAL_MS = 1_000;

/** The names of a deployment's messages in the outbox. */
const rootKey = (id: string) => `deployment:${id}`;
const approvalKey = (id: string, requestedAt: string) => `deployment:${id}:approval:${requestedAt}`;
const promotionKey = (id: string, requestedAt: string) => `deployment:${id}:promotion:${requestedAt}`;
/** The reply that closes the story: updated when a later rollback undoes the deployment. */
const finishedKey = (id: string) => `deployment:${id}:finished`;
const KEY = /^deployment:([^:]+)(?::(approval|promotion):(.+))?$/;

/**
 * Tells each deployment's story in chat: the root message in the environment's channel, kept
 * current, and every step, note and the outcome as replies in its thread. Everything goes through
 * the outbox, in one lane per deployment, so the story arrives whole and in order however long the
 * chat is away; the refs of posted messages are kept on the deployment as they come back.
 */
export function createAnnouncer(options: { outbox: Outbox; config: Config; pipeline: Pipeline; publicUrl: () => string; log: Logger }) {
  const { outbox, config, log } = options;
  const pendingUpdate = new Map<string, NodeJS.Timeout>();
  const lastUpdate = new Map<string, number>();
  /** What each message was last set to, by its name, so an update that would change nothing is not queued. */
  const shown = new Map<string, string>();
  const approvalContext = new Map<string, { commits: CommitSummary[]; compareUrl: string | null }>();
  /** The newest approval request's name per deployment, to mark it superseded before its ref is known. */
  const lastApproval = new Map<string, string>();

  const lane = (deployment: Deployment) => rootKey(deployment.id);
  const target = (ref: MessageRef | null | undefined, key: string): MessageTarget => ref ?? key;

  function queued(work: Promise<void>): void {
    void work.catch((error: unknown) => log.error({ err: error }, 'could not queue a chat message about a deployment'));
  }

  function show(deployment: Deployment, ref: MessageRef | null | undefined, key: string, message: ChatMessage): void {
    const rendered = JSON.stringify(message);
    if (shown.get(key) === rendered) return;
    shown.set(key, rendered);
    queued(outbox.update(target(ref, key), message, { lane: lane(deployment) }));
  }

  function approvalView(deployment: Deployment): ChatMessage {
    const context = approvalContext.get(deployment.id);
    return approvalMessage(deployment, context?.commits ?? null, context?.compareUrl ?? null);
  }

  const channelOf = (deployment: Deployment) => environmentChannel(config, deployment.environment);

  /** Who may approve while it waits; the rollback that undid it, once it has finished. */
  function contextOf(deployment: Deployment): DeploymentContext {
    return {
      approvers: deployment.state === 'awaiting-approval' ? whoMayApprove(config.environments[deployment.environment]!, deployment.requestedBy) : null,
      rolledBackBy: FINISHED.has(deployment.state) ? (options.pipeline.rolledBackBy(deployment) ?? null) : null,
      queuePosition: deployment.waiting ? options.pipeline.queuePosition(deployment) : null,
    };
  }
  const rootView = (deployment: Deployment) => deploymentRoot(deployment, options.publicUrl(), contextOf(deployment));

  function updateRoot(deployment: Deployment): void {
    lastUpdate.set(deployment.id, Date.now());
    if (!outbox.knows(rootKey(deployment.id)) && !deployment.thread) return;
    show(deployment, deployment.thread, rootKey(deployment.id), rootView(deployment));
    // Only messages already posted or queued: an update queued before its own post would wait for
    // it at the head of the lane, in front of that very post.
    const queuedOrPosted = (ref: MessageRef | null | undefined, key: string) => Boolean(ref) || outbox.knows(key);
    if (deployment.approval) {
      const key = approvalKey(deployment.id, deployment.approval.requestedAt);
      if (queuedOrPosted(deployment.approval.message, key)) show(deployment, deployment.approval.message, key, approvalView(deployment));
    }
    if (deployment.promotion) {
      const key = promotionKey(deployment.id, deployment.promotion.requestedAt);
      if (queuedOrPosted(deployment.promotion.message, key)) show(deployment, deployment.promotion.message, key, promotionMessage(deployment));
    }
  }

  /** Throttled: at most one update a second, trailing, so the newest state is what stays. */
  function scheduleUpdate(deployment: Deployment): void {
    if (pendingUpdate.has(deployment.id)) return;
    const wait = Math.max(0, (lastUpdate.get(deployment.id) ?? 0) + UPDATE_INTERVAL_MS - Date.now());
    pendingUpdate.set(
      deployment.id,
      setTimeout(() => {
        pendingUpdate.delete(deployment.id);
        updateRoot(deployment);
      }, wait),
    );
  }

  function reply(deployment: Deployment, message: ChatMessage, key?: string): void {
    const root = rootKey(deployment.id);
    if (!deployment.thread && !outbox.knows(root)) return;
    queued(outbox.reply(target(deployment.thread, root), message, { lane: lane(deployment), ...(key ? { key } : {}) }));
  }

  /**
   * A rollback succeeded: the deployments whose release it took off (or put back) say so in their
   * root message and closing reply, which lose (or regain) their `Rollback` button.
   */
  function markRolledBack(rollback: Deployment): void {
    const touched = new Set([rollback.fromRelease, rollback.release].filter(Boolean));
    for (const deployment of options.pipeline.list({ environment: rollback.environment, limit: 100 })) {
      if (deployment.id === rollback.id || !deployment.release || !touched.has(deployment.release) || !FINISHED.has(deployment.state)) continue;
      const context = contextOf(deployment);
      if (deployment.thread || outbox.knows(rootKey(deployment.id))) {
        queued(outbox.update(target(deployment.thread, rootKey(deployment.id)), deploymentRoot(deployment, options.publicUrl(), context), { lane: lane(deployment) }));
      }
      if (outbox.knows(finishedKey(deployment.id))) queued(outbox.update(finishedKey(deployment.id), finishedReply(deployment, context), { lane: lane(deployment) }));
    }
  }

  /** A message of a deployment was posted: keep its ref on the deployment. */
  function posted(key: string, ref: MessageRef): void {
    const [, id, kind, requestedAt] = KEY.exec(key) ?? [];
    const deployment = id ? options.pipeline.get(id) : undefined;
    if (!deployment) return;
    const { approval, promotion } = deployment;
    if (!kind) deployment.thread = ref;
    else if (kind === 'approval' && approval && approval.requestedAt === requestedAt) approval.message = ref;
    else if (kind === 'promotion' && promotion && promotion.requestedAt === requestedAt) promotion.message = ref;
    else return;
    // The outbox keeps the ref too (it wrote it before telling us): waiting for a write here buys nothing.
    options.pipeline.saveSoon(deployment);
  }

  function handle(event: PipelineEvent): void {
    const { deployment } = event;
    switch (event.type) {
      case 'created': {
        const message = rootView(deployment);
        shown.set(rootKey(deployment.id), JSON.stringify(message));
        lastUpdate.set(deployment.id, Date.now());
        queued(outbox.post(channelOf(deployment), message, { key: rootKey(deployment.id), lane: lane(deployment) }));
        return;
      }
      case 'changed':
        scheduleUpdate(deployment);
        return;
      case 'step': {
        const message = stepReply(event.step, deploymentPageUrl(options.publicUrl(), deployment.id, event.step.step));
        if (message) reply(deployment, message);
        return;
      }
      case 'approval-requested': {
        approvalContext.set(deployment.id, { commits: event.commits, compareUrl: event.compareUrl });
        if (!deployment.approval) return;
        const previous = event.superseded ?? lastApproval.get(deployment.id) ?? null;
        const superseded = plain(`:arrows_counterclockwise: Superseded: ${mrkdwn(deployment.approval.reaskedBecause ?? 'the plan changed')}. Approval is asked again below.`);
        if (previous) {
          const previousKey = typeof previous === 'string' ? previous : `${previous.channel}/${previous.ts}`;
          show(deployment, typeof previous === 'string' ? null : previous, previousKey, superseded);
        }
        const key = approvalKey(deployment.id, deployment.approval.requestedAt);
        const message = approvalView(deployment);
        shown.set(key, JSON.stringify(message));
        lastApproval.set(deployment.id, key);
        reply(deployment, message, key);
        scheduleUpdate(deployment);
        return;
      }
      case 'promotion-requested': {
        if (!deployment.promotion) return;
        const key = promotionKey(deployment.id, deployment.promotion.requestedAt);
        const message = promotionMessage(deployment);
        shown.set(key, JSON.stringify(message));
        reply(deployment, message, key);
        return;
      }
      case 'note': {
        const text = mrkdwn(event.text);
        reply(deployment, plain(event.tone === 'warning' ? `:warning: ${text}` : event.tone === 'error' ? `:x: ${text}` : text));
        return;
      }
      case 'analysis':
        if (deployment.analysis) reply(deployment, analysisMessage(deployment.analysis));
        return;
      case 'break-glass': {
        // Told in the thread, and to the people who watch for trouble: a freeze was broken, by whom and why.
        const text = breakGlassText(deployment, event, options.publicUrl());
        reply(deployment, plain(text));
        queued(outbox.post(config.channels.alerts ?? config.channels.deploys, plain(text)));
        scheduleUpdate(deployment);
        return;
      }
      case 'rollout-stopped': {
        const text = escapeMrkdwn(rollbackSummary(deployment, event.reason));
        reply(deployment, plain(event.failures ? `:x: ${text}` : `:warning: ${text}`));
        return;
      }
      case 'finished': {
        clearTimeout(pendingUpdate.get(deployment.id));
        pendingUpdate.delete(deployment.id);
        updateRoot(deployment);
        reply(deployment, finishedReply(deployment, contextOf(deployment)), finishedKey(deployment.id));
        if (deployment.kind === 'rollback' && deployment.state === 'succeeded') markRolledBack(deployment);
        lastUpdate.delete(deployment.id);
        approvalContext.delete(deployment.id);
        lastApproval.delete(deployment.id);
        for (const key of [...shown.keys()]) if (key === rootKey(deployment.id) || key.startsWith(`${rootKey(deployment.id)}:`)) shown.delete(key);
        return;
      }
    }
  }

  const unsubscribe = options.pipeline.on(handle);
  const unlisten = outbox.onPosted(posted);
  return {
    /** Queues the throttled updates still waiting (used when stopping). */
    flush(): void {
      for (const [id, timer] of pendingUpdate) {
        clearTimeout(timer);
        pendingUpdate.delete(id);
        const deployment = options.pipeline.get(id);
        if (deployment) updateRoot(deployment);
      }
    },
    stop(): void {
      unsubscribe();
      unlisten();
    },
  };
}
