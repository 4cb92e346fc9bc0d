import type { Response } from 'express';

/** Comment lines that keep idle connections (and the proxies on their way) open. */
const HEARTBEAT_MS = 25_000;

/**
 * Server-Sent Events to every open page: `send(event, data)` writes to all of them. A page that
 * reconnects gets a fresh snapshot first (see the routers), so nothing is replayed here.
 */
export function createEventStream() {
  const clients = new Set<Response>();
  const heartbeat = setInterval(() => {
    for (const client of clients) client.write(': ping\n\n');
  }, HEARTBEAT_MS);
  heartbeat.unref();

  const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

  return {
    /** Turns a response into a stream, sends it `first`, and keeps it until the page goes. */
    open(response: Response, first: { event: string; data: unknown }): void {
      response.status(200).set({
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      response.flushHeaders();
      response.write(`retry: 2000\n${frame(first.event, first.data)}`);
      clients.add(response);
      response.on('close', () => clients.delete(response));
    },
    send(event: string, data: unknown): void {
      if (clients.size === 0) return;
      const text = frame(event, data);
      for (const client of clients) client.write(text);
    },
    get size() {
      return clients.size;
    },
    close(): void {
      clearInterval(heartbeat);
      for (const client of clients) client.end();
      clients.clear();
    },
  };
}
export type EventStream = ReturnType<typeof createEventStream>;
