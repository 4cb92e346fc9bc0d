import { emptyIgorData, type IgorData } from '../../src/igor-data.js';
/**
 * The flags feature on a real express app on 127.0.0.1, port 0, with a real store in a temp folder,
 * local servers for `flags.push`, and a chat that records what it was asked to post. What the
 * composition root does for flags, without Slack, git or SSH.
 */
import type { Server as HttpServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { stringify } from 'yaml';
import { createOutbox } from '../../src/chat/outbox/outbox.js';
import type { Chat, ChatMessage, MessageRef } from '../../src/chat/port.js';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { createLocalDiscovery } from '../../src/fleet/discovery/local.js';
import { createLocalTransport } from '../../src/fleet/transport/local.js';
import type { Connect, Discovery } from '../../src/fleet/types.js';
import { createFlags, createFlagsCommand, type Flags } from '../../src/flags/index.js';
import { fromSingleApp } from '../../src/config/apps.js';
import type { FlagsAccess } from '../../src/flags/public-routes.js';
import { finishHttpApp } from '../../src/http/server.js';
import { createLogger } from '../../src/logger.js';
import { openStore, type Store } from '../../src/store/db.js';

export interface RecordedMessage extends ChatMessage {
  channel: string;
  ts: string;
}

/** A Chat that keeps every message as it stands now, and every ephemeral. */
export function recordingChat() {
  const messages: RecordedMessage[] = [];
  const ephemerals: Array<ChatMessage & { channel: string; user: string }> = [];
  let counter = 0;
  const chat: Chat = {
    name: 'recording',
    async post(channel: string, message: ChatMessage): Promise<MessageRef> {
      const ts = `1700000000.${String(++counter).padStart(6, '0')}`;
      messages.push({ ...message, channel, ts });
      return { channel, ts };
    },
    async reply(thread: MessageRef, message: ChatMessage): Promise<MessageRef> {
      return chat.post(thread.channel, message);
    },
    async update(ref: MessageRef, message: ChatMessage): Promise<void> {
      const found = messages.find((entry) => entry.channel === ref.channel && entry.ts === ref.ts);
      if (!found) throw new Error(`no message ${ref.channel}/${ref.ts}`);
      Object.assign(found, { text: message.text, blocks: message.blocks });
    },
    async ephemeral(channel: string, user: string, message: ChatMessage): Promise<void> {
      ephemerals.push({ ...message, channel, user });
    },
  };
  return { chat, messages, ephemerals };
}

export interface FlagsAppOptions {
  /** The environments of igor.yml; default `staging` (deployers U0ALICE, U0BOB; channel C0STAGING) and `production`. */
  environments?: Record<string, unknown>;
  flagsToken?: string;
  /** Who may read the flags (default: `token` with a token, else `open`). */
  flagsAccess?: FlagsAccess;
  /** Also listen on this Unix socket: a caller there is not known to be on this machine's loopback. */
  socketPath?: string;
  /** Replaces the discovery or connector of an environment (e.g. one that fails). */
  discoveries?: Record<string, Discovery>;
  connectors?: Record<string, Connect>;
}

export interface FlagsApp {
  url: string;
  dir: string;
  config: Config;
  store: Store<IgorData>;
  /** The flags feature, and the /flags command on this one app as app.ts builds it. */
  flags: Flags & { command: ReturnType<typeof createFlagsCommand>['answer'] };
  chat: ReturnType<typeof recordingChat>;
  close(): Promise<void>;
}

export const DEFAULT_ENVIRONMENTS = {
  staging: { channel: 'C0STAGING', deployers: ['U0ALICE', 'U0BOB'], servers: { local: [{ name: 'web-1', path: 'servers/staging-1' }] } },
  production: { servers: { local: [{ name: 'web-1', path: 'servers/production-1' }] } },
};

export async function startFlagsApp(options: FlagsAppOptions = {}): Promise<FlagsApp> {
  const dir = await mkdtemp(join(tmpdir(), 'igor-flags-'));
  let server: HttpServer | undefined;
  let close = async () => {
    if (server) await new Promise<void>((done) => server!.close(() => done()).closeAllConnections());
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const config = parseConfig(
      stringify({ app: 'shop', repo: dir, defaultEnvironment: 'staging', channels: { deploys: 'C0DEPLOYS' }, environments: options.environments ?? DEFAULT_ENVIRONMENTS }),
      'the flags test config',
    );
    const log = createLogger({ level: 'silent' });
    const store = await openStore(join(dir, 'data', 'db.json'), log, emptyIgorData);
    const chat = recordingChat();
    const discoveries: Record<string, Discovery> = {};
    const connectors: Record<string, Connect> = {};
    for (const [name, environment] of Object.entries(config.environments)) {
      discoveries[name] = options.discoveries?.[name] ?? createLocalDiscovery(environment, dir);
      connectors[name] = options.connectors?.[name] ?? (() => Promise.resolve(createLocalTransport({ home: dir })));
    }
    let url = '';
    // As app.ts does it: announcements go through the outbox; flush() here also waits for it to send.
    const outbox = createOutbox({ store, chat: chat.chat, log });
    outbox.start();
    const flags = createFlags({
      config,
      store,
      outbox,
      discoveries,
      connectors,
      flagsToken: options.flagsToken,
      flagsAccess: options.flagsAccess ?? (options.flagsToken ? 'token' : 'open'),
      log,
    });
    const flushDeliveries = flags.flush;
    flags.flush = async () => {
      await flushDeliveries();
      await outbox.drain(5_000);
    };
    const closeServers = close;
    close = async () => {
      await outbox.stop();
      // Store writes are queued: one more waits for those already queued (a posted message's ref)
      // before the data folder is removed under them.
      await store.write();
      await closeServers();
    };
    const app = express();
    app.use('/api/flags', flags.apiRoutes);
    app.use('/flags', flags.publicRoutes);
    finishHttpApp(app, log);
    server = await new Promise<HttpServer>((resolve, reject) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
      listening.once('error', reject);
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (options.socketPath) {
      const socketServer = await new Promise<HttpServer>((resolve, reject) => {
        const listening = app.listen(options.socketPath!, () => resolve(listening));
        listening.once('error', reject);
      });
      const closeTcp = close;
      close = async () => {
        await new Promise<void>((resolve) => socketServer.close(() => resolve()));
        await closeTcp();
      };
    }
    const command = createFlagsCommand({ apps: fromSingleApp(config), services: new Map([[config.app, flags.service]]), log, publicUrl: () => url });
    return {
      url,
      dir,
      config,
      store,
      flags: Object.assign(flags, { command: command.answer }),
      chat,
      close: async () => {
        await flags.flush();
        await close();
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** A JSON request to the app; answers status, headers and the parsed body (null when empty). */
export async function request(url: string, init: { method?: string; body?: unknown; headers?: Record<string, string>; raw?: string } = {}) {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { ...(init.body !== undefined || init.raw !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    ...(init.raw !== undefined ? { body: init.raw } : init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}
