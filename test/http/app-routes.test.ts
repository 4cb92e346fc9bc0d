/**
 * routedByApp: `/shop/staging/…` is the app shop's `/staging/…`; `/staging/…` the default app's; an
 * environment of the default app that is named like an app keeps its meaning. A real express app.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routedByApp } from '../../src/http/app-routes.js';

let server: Server;
let base: string;

beforeAll(async () => {
  const app = express();
  const apps = new Set(['shop', 'billing', 'worker']);
  // The default app, shop, has an environment named like the app worker.
  const shopEnvironments = new Set(['staging', 'production', 'worker']);
  app.use(
    '/flags',
    routedByApp({
      isApp: (name) => apps.has(name),
      isDefaultEnvironment: (name) => shopEnvironments.has(name),
      routesOf: (name) => (request, response) => void response.json({ app: name ?? 'default', url: request.url }),
    }),
  );
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/flags`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const get = async (path: string) => (await fetch(`${base}${path}`)).json();

describe('routes of an app’s environments', () => {
  it("hands /app/env/… to that app's routes with the app taken off the path", async () => {
    expect(await get('/billing/production/flagd.json')).toEqual({ app: 'billing', url: '/production/flagd.json' });
    expect(await get('/shop/staging/ofrep/v1/evaluate/flags')).toEqual({ app: 'shop', url: '/staging/ofrep/v1/evaluate/flags' });
  });

  it("hands /env/… to the default app's routes unchanged", async () => {
    expect(await get('/production/flagd.json')).toEqual({ app: 'default', url: '/production/flagd.json' });
  });

  it('keeps an environment of the default app named like an app, and a lone segment, for the default app', async () => {
    expect(await get('/worker/flagd.json')).toEqual({ app: 'default', url: '/worker/flagd.json' });
    expect(await get('/billing')).toEqual({ app: 'default', url: '/billing' });
  });

  it('takes no prototype name or undecodable segment for an app', async () => {
    expect(await get('/__proto__/production/flagd.json')).toEqual({ app: 'default', url: '/__proto__/production/flagd.json' });
    expect(await get('/%E0%A4%A/production/flagd.json')).toEqual({ app: 'default', url: '/%E0%A4%A/production/flagd.json' });
  });
});
