import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { PipelineEvent } from '../pipeline/events.js';
import type { Pipeline } from '../pipeline/service.js';
import type { Deployment } from '../pipeline/types.js';
import type { Store } from '../store/db.js';
import { deploymentRoot, finishedReply, plain, stepReply } from './messages.js';
import type { Chat, ChatMessage } from './port.js';

/** Root messages are updated at most this often; the last state always goes out. */
const UPDATE_INTERVAL_MS = 1_000;

/**
 * Tells each deployment's story in chat: the root message in the environment's channel, kept
 * current, and every step, note and the outcome as replies in its thread. Chat calls for one
 * deployment go out in order; a failing chat call is logged and never stops the deployment.
 */
export function createAnnouncer(options: { chat: Chat; config: Config; store: Store; pipeline: Pipeline; publicUrl: string; log: Logger }) {
  const { chat, config, store, log } = options;
  const queues = new Map<string, Promise<void>>();
  const pendingUpdate = new Map<string, NodeJS.Timeout>();
  const lastUpdate = new Map<string, number>();

  function enqueue(deployment: Deployment, work: () => Promise<void>): Promise<void> {
    const previous = queues.get(deployment.id) ?? Promise.resolve();
    const next = previous
      .then(work)
      .catch((error: unknown) => log.error({ err: error, deployment: deployment.id, chat: chat.name }, 'could not tell the chat about a deployment'));
    queues.set(deployment.id, next);
    return next;
  }

  function channelOf(deployment: Deployment): string {
    return config.environments[deployment.environment]?.channel ?? config.channels.deploys;
  }

  function updateRoot(deployment: Deployment): Promise<void> {
    return enqueue(deployment, async () => {
      lastUpdate.set(deployment.id, Date.now());
      if (deployment.thread) await chat.update(deployment.thread, deploymentRoot(deployment, options.publicUrl));
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
        const message = stepReply(event.step, deployment.steps.find((step) => step.name === event.step.step));
        if (message) void reply(deployment, message);
        return;
      }
      case 'note':
        void reply(deployment, plain(event.tone === 'warning' ? `:warning: ${event.text}` : event.tone === 'error' ? `:x: ${event.text}` : event.text));
        return;
      case 'finished':
        clearTimeout(pendingUpdate.get(deployment.id));
        pendingUpdate.delete(deployment.id);
        void updateRoot(deployment);
        void reply(deployment, finishedReply(deployment)).then(() => {
          queues.delete(deployment.id);
          lastUpdate.delete(deployment.id);
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
