import type { Logger } from 'pino';
import { environmentChannel } from '../config/environments.js';
import type { Config } from '../config/schema.js';
import type { PipelineEvent } from '../pipeline/events.js';
import type { Pipeline } from '../pipeline/service.js';
import type { Deployment } from '../pipeline/types.js';
import type { PipelineData } from '../pipeline/store-data.js';
import type { Store } from '../store/db.js';
import type { CommitSummary } from '../integration/mirror.js';
import { deploymentPageUrl } from '../pipeline/links.js';
import { approvalMessage, deploymentRoot, finishedReply, plain, promotionMessage, stepReply } from './messages.js';
import { analysisMessage } from './analysis-message.js';
import { escapeMrkdwn, mrkdwn } from './mrkdwn.js';
import { rollbackSummary } from './rollback-summary.js';
import type { Chat, ChatMessage } from './port.js';

/** Root messages are updated at most this often; the last state always goes out. */
const UPDATE_INTERVAL_MS = 1_000;

/**
 * Tells each deployment's story in chat: the root message in the environment's channel, kept
 * current, and every step, note and the outcome as replies in its thread. Chat calls for one
 * deployment go out in order; a failing chat call is logged and never stops the deployment.
 */
export function createAnnouncer(options: { chat: Chat; config: Config; store: Store<PipelineData>; pipeline: Pipeline; publicUrl: string; log: Logger }) {
  const { chat, config, store, log } = options;
  const queues = new Map<string, Promise<void>>();
  const pendingUpdate = new Map<string, NodeJS.Timeout>();
  const lastUpdate = new Map<string, number>();
  /** What each message last showed, so an update that would change nothing is not sent. */
  const shown = new Map<string, string>();
  const approvalContext = new Map<string, { commits: CommitSummary[]; compareUrl: string | null }>();

  async function show(ref: { channel: string; ts: string }, message: ChatMessage): Promise<void> {
    const key = `${ref.channel}/${ref.ts}`;
    const rendered = JSON.stringify(message);
    if (shown.get(key) === rendered) return;
    await chat.update(ref, message);
    shown.set(key, rendered);
  }

  function approvalView(deployment: Deployment): ChatMessage {
    const context = approvalContext.get(deployment.id);
    return approvalMessage(deployment, context?.commits ?? null, context?.compareUrl ?? null);
  }

  function enqueue(deployment: Deployment, work: () => Promise<void>): Promise<void> {
    const previous = queues.get(deployment.id) ?? Promise.resolve();
    const next = previous
      .then(work)
      .catch((error: unknown) => log.error({ err: error, deployment: deployment.id, chat: chat.name }, 'could not tell the chat about a deployment'));
    queues.set(deployment.id, next);
    return next;
  }

  const channelOf = (deployment: Deployment) => environmentChannel(config, deployment.environment);

  function updateRoot(deployment: Deployment): Promise<void> {
    return enqueue(deployment, async () => {
      lastUpdate.set(deployment.id, Date.now());
      if (deployment.thread) await show(deployment.thread, deploymentRoot(deployment, options.publicUrl));
      if (deployment.approval?.message) await show(deployment.approval.message, approvalView(deployment));
      if (deployment.promotion?.message) await show(deployment.promotion.message, promotionMessage(deployment));
    });
  }

  /** Throttled: at most one update a second, trailing, so the newest state is what stays. */
  function scheduleUpdate(deployment: Deployment): void {
    if (pendingUpdate.has(deployment.id)) return;
    const wait = Math.max(0, (lastUpdate.get(deployment.id) ?? 0) + UPDATE_INTERVAL_MS - Date.now());
    pendingUpdate.set(
      deployment.id,
      setTimeout(() => {
        pendingUpdate.delete(deployment.id);
        void updateRoot(deployment);
      }, wait),
    );
  }

  function reply(deployment: Deployment, message: ChatMessage): Promise<void> {
    return enqueue(deployment, async () => {
      if (deployment.thread) await chat.reply(deployment.thread, message);
    });
  }

  function handle(event: PipelineEvent): void {
    const { deployment } = event;
    switch (event.type) {
      case 'created':
        void enqueue(deployment, async () => {
          deployment.thread = await chat.post(channelOf(deployment), deploymentRoot(deployment, options.publicUrl));
          lastUpdate.set(deployment.id, Date.now());
          await store.write();
        });
        return;
      case 'changed':
        scheduleUpdate(deployment);
        return;
      case 'step': {
        const message = stepReply(event.step, deploymentPageUrl(options.publicUrl, deployment.id, event.step.step));
        if (message) void reply(deployment, message);
        return;
      }
      case 'approval-requested':
        approvalContext.set(deployment.id, { commits: event.commits, compareUrl: event.compareUrl });
        void enqueue(deployment, async () => {
          if (!deployment.thread || !deployment.approval) return;
          if (event.superseded) await show(event.superseded, plain(`:arrows_counterclockwise: Superseded: ${mrkdwn(deployment.approval.reaskedBecause ?? 'the plan changed')}. Approval is asked again below.`));
          const message = approvalView(deployment);
          deployment.approval.message = await chat.reply(deployment.thread, message);
          shown.set(`${deployment.approval.message.channel}/${deployment.approval.message.ts}`, JSON.stringify(message));
          await store.write();
        });
        scheduleUpdate(deployment);
        return;
      case 'promotion-requested':
        void enqueue(deployment, async () => {
          if (!deployment.thread || !deployment.promotion) return;
          const message = promotionMessage(deployment);
          deployment.promotion.message = await chat.reply(deployment.thread, message);
          shown.set(`${deployment.promotion.message.channel}/${deployment.promotion.message.ts}`, JSON.stringify(message));
          await store.write();
        });
        return;
      case 'analysis':
        if (deployment.analysis) void reply(deployment, analysisMessage(deployment.analysis));
        return;
      case 'note': {
        const text = mrkdwn(event.text);
        void reply(deployment, plain(event.tone === 'warning' ? `:warning: ${text}` : event.tone === 'error' ? `:x: ${text}` : text));
        return;
      }
      case 'rollout-stopped': {
        const text = escapeMrkdwn(rollbackSummary(deployment, event.reason));
        void reply(deployment, plain(event.failures ? `:x: ${text}` : `:warning: ${text}`));
        return;
      }
      case 'finished':
        clearTimeout(pendingUpdate.get(deployment.id));
        pendingUpdate.delete(deployment.id);
        void updateRoot(deployment);
        void reply(deployment, finishedReply(deployment)).then(() => {
          queues.delete(deployment.id);
          lastUpdate.delete(deployment.id);
          approvalContext.delete(deployment.id);
          for (const ref of [deployment.thread, deployment.approval?.message, deployment.promotion?.message]) if (ref) shown.delete(`${ref.channel}/${ref.ts}`);
        });
        return;
    }
  }

  const unsubscribe = options.pipeline.on(handle);
  return {
    /** Waits for every queued chat call (used when stopping). */
    async flush(): Promise<void> {
      for (const [id, timer] of pendingUpdate) {
        clearTimeout(timer);
        pendingUpdate.delete(id);
        const deployment = options.pipeline.get(id);
        if (deployment) void updateRoot(deployment);
      }
      await Promise.all(queues.values());
    },
    stop: unsubscribe,
  };
}
