/**
 * Slack's side of Socket Mode, added to a fake Slack: `apps.connections.open` (called with the
 * app-level token) answers with the ws:// URL of a WebSocket server here, which speaks the protocol
 * as Slack does. On connect it sends `hello`; it pings; each envelope
 * `{ envelope_id, type, payload, accepts_response_payload }` waits for the app's ack
 * `{ envelope_id, payload }`; `requestReconnect()` sends `disconnect`, after which the app closes and
 * opens a new connection.
 *
 *   const slack = await startFakeSlack();
 *   const socket = await startFakeSlackSocket(slack, { appToken: 'xapp-1-test' });
 *   // ... start igor with SLACK_APP_TOKEN=xapp-1-test and SLACK_API_URL=slack.url ...
 *   const ack = await socket.slashCommand({ text: 'help', responseUrl: slack.responseUrl() });
 *   await socket.close();
 *
 * Payloads are the same objects Slack posts over HTTP (`slack-requests.ts` builds them), as JSON.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FakeSlack } from './fake-slack.js';
import { blockActionsPayload, slashCommandBody, type PressButtonOptions, type SignOptions, type SlashCommandOptions } from './slack-requests.js';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface FakeSocketConnection {
  id: number;
  openedAt: number;
  /** Every message the app sent on this connection, parsed. */
  received: Array<Record<string, unknown>>;
  /** Pings the app sent (the ws server pongs them) and pongs it sent back to ours. */
  pings: number;
  pongs: number;
  /**
   * Set once the connection is gone. `by: 'app'` with code 1000 is a clean close by the app;
   * 1006 means the TCP connection dropped without a close frame.
   */
  closed?: { code: number; reason: string; at: number; by: 'app' | 'slack' };
}

export interface FakeEnvelope {
  envelope_id: string;
  type: EnvelopeType;
  payload: Record<string, unknown>;
  accepts_response_payload: boolean;
  connection: number;
  /** The app's ack, once it came. */
  ack?: { payload?: Record<string, unknown>; at: number };
}

export interface FakeSlackSocketOptions {
  /** When set, `apps.connections.open` wants exactly this token (else `invalid_auth`). */
  appToken?: string;
  /** How often the fake pings each connection; default 5 000 ms. */
  pingEveryMs?: number;
  /** How long `send` waits for an ack (Slack gives 3 s, the test machine is slower); default 10 000 ms. */
  ackTimeoutMs?: number;
}

export interface FakeSlackSocket {
  /** `ws://127.0.0.1:PORT/link/` (each `apps.connections.open` adds its own ticket). */
  readonly url: string;
  readonly connections: FakeSocketConnection[];
  /** Every envelope sent, in order, with its ack once it came. */
  readonly envelopes: FakeEnvelope[];
  /** Sends an envelope on the newest open connection; resolves with it once the app acked it. */
  send(type: EnvelopeType, payload: Record<string, unknown>, options?: { acceptsResponsePayload?: boolean }): Promise<FakeEnvelope>;
  /** A slash command envelope (`accepts_response_payload: true`: the ack's payload is the reply). */
  slashCommand(options: Omit<SlashCommandOptions, keyof SignOptions>): Promise<FakeEnvelope>;
  /** A `block_actions` envelope, as when a user presses a button. */
  pressButton(options: Omit<PressButtonOptions, keyof SignOptions>): Promise<FakeEnvelope>;
  /** Sends `disconnect` on every open connection, as Slack does before it recycles one. */
  requestReconnect(reason?: 'refresh_requested' | 'warning' | 'link_disabled'): void;
  /** Resolves with the `count`-th connection once it is open (hello sent). */
  connection(count?: number): Promise<FakeSocketConnection>;
  /** Resolves with the connection once it is closed. */
  closedConnection(connection: FakeSocketConnection): Promise<FakeSocketConnection>;
  /** Closes what is still open (recorded as `by: 'slack'`) and stops the server. */
  close(): Promise<void>;
}

export async function startFakeSlackSocket(slack: FakeSlack, options: FakeSlackSocketOptions = {}): Promise<FakeSlackSocket> {
  const connections: FakeSocketConnection[] = [];
  const envelopes: FakeEnvelope[] = [];
  const sockets = new Map<FakeSocketConnection, WebSocket>();
  const pending = new Map<string, { resolve: () => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  // Tickets are good for one connection, as Slack's are: a reconnect must call apps.connections.open again.
  const tickets = new Set<string>();
  let closing = false;

  const server = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, tcp, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== '/link/' || !tickets.delete(ticket)) {
      tcp.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, tcp, head, (ws) => accept(ws));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/link/`;

  slack.answer('apps.connections.open', (call) => {
    // Slack refuses bot and user tokens here: only an app-level token opens a connection.
    if (!call.token?.startsWith('xapp-')) return { ok: false, error: 'not_allowed_token_type' };
    if (options.appToken && call.token !== options.appToken) return { ok: false, error: 'invalid_auth' };
    const ticket = randomUUID();
    tickets.add(ticket);
    return { ok: true, url: `${url}?ticket=${ticket}&app_id=A0IGOR` };
  });

  const accept = (ws: WebSocket): void => {
    const connection: FakeSocketConnection = { id: connections.length + 1, openedAt: Date.now(), received: [], pings: 0, pongs: 0 };
    connections.push(connection);
    sockets.set(connection, ws);
    const pinger = setInterval(() => ws.ping(), options.pingEveryMs ?? 5_000);
    ws.on('ping', () => (connection.pings += 1));
    ws.on('pong', () => (connection.pongs += 1));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const message = JSON.parse(data.toString()) as Record<string, unknown>;
      connection.received.push(message);
      const envelope = envelopes.find((e) => e.envelope_id === message.envelope_id);
      if (!envelope || envelope.ack) return;
      envelope.ack = { ...(message.payload ? { payload: message.payload as Record<string, unknown> } : {}), at: Date.now() };
      const waiter = pending.get(envelope.envelope_id);
      pending.delete(envelope.envelope_id);
      if (waiter) {
        clearTimeout(waiter.timer);
        waiter.resolve();
      }
    });
    ws.on('close', (code, reason) => {
      clearInterval(pinger);
      sockets.delete(connection);
      connection.closed = { code, reason: reason.toString(), at: Date.now(), by: closing ? 'slack' : 'app' };
      for (const envelope of envelopes.filter((e) => e.connection === connection.id && !e.ack)) {
        const waiter = pending.get(envelope.envelope_id);
        pending.delete(envelope.envelope_id);
        if (!waiter) continue;
        clearTimeout(waiter.timer);
        waiter.reject(new Error(`connection ${connection.id} closed (${code}) before the app acked envelope ${envelope.type} ${envelope.envelope_id}`));
      }
    });
    const open = connections.filter((c) => !c.closed).length;
    ws.send(JSON.stringify({ type: 'hello', num_connections: open, debug_info: { host: 'applink-fake', approximate_connection_time: 18_060 }, connection_info: { app_id: 'A0IGOR' } }));
    ws.ping();
  };

  const newestOpen = (): [FakeSocketConnection, WebSocket] => {
    const entry = [...sockets].at(-1);
    if (!entry) throw new Error(`no open Socket Mode connection (${connections.length} closed)`);
    return entry;
  };

  const socket: FakeSlackSocket = {
    url,
    connections,
    envelopes,
    async send(type, payload, sendOptions = {}) {
      const [connection, ws] = newestOpen();
      const envelope: FakeEnvelope = {
        envelope_id: randomUUID(),
        type,
        payload,
        accepts_response_payload: sendOptions.acceptsResponsePayload ?? type === 'slash_commands',
        connection: connection.id,
      };
      envelopes.push(envelope);
      const acked = new Promise<void>((resolve, reject) => {
        const timeoutMs = options.ackTimeoutMs ?? 10_000;
        const timer = setTimeout(() => {
          pending.delete(envelope.envelope_id);
          reject(new Error(`the app did not ack ${type} envelope ${envelope.envelope_id} within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(envelope.envelope_id, { resolve, reject, timer });
      });
      const { connection: _connection, ack: _ack, ...wire } = envelope;
      ws.send(JSON.stringify(wire));
      await acked;
      return envelope;
    },
    slashCommand: (command) => socket.send('slash_commands', Object.fromEntries(new URLSearchParams(slashCommandBody(command)))),
    pressButton: (press) => socket.send('interactive', blockActionsPayload(press), { acceptsResponsePayload: false }),
    requestReconnect(reason = 'refresh_requested') {
      for (const ws of sockets.values()) ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-fake' } }));
    },
    connection: (count = 1) =>
      slack.waitFor(() => connections[count - 1], {
        what: `Socket Mode connection ${count} (${connections.length} so far)`,
        timeoutMs: 20_000,
      }),
    closedConnection: (connection) => slack.waitFor(() => (connection.closed ? connection : undefined), { what: `Socket Mode connection ${connection.id} to close` }),
    async close() {
      closing = true;
      for (const ws of sockets.values()) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return socket;
}
