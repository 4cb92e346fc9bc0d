import { OFREPProvider } from '@openfeature/ofrep-provider';
import { OpenFeature, type Client } from '@openfeature/server-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { request, startFlagsApp, type FlagsApp } from '../support/flags-app.js';

let app: FlagsApp | undefined;
let domains = 0;
afterEach(async () => {
  await OpenFeature.clearProviders();
  await app?.close();
  app = undefined;
});

/** A client of the real OpenFeature SDK whose provider is the real OFREP provider, pointed at igor. */
async function clientFor(baseUrl: string, headers?: Record<string, string>): Promise<Client> {
  const domain = `igor-${++domains}`;
  await OpenFeature.setProviderAndWait(domain, new OFREPProvider({ baseUrl, ...(headers ? { headers } : {}) }));
  return OpenFeature.getClient(domain);
}

async function start(options: Parameters<typeof startFlagsApp>[0] = {}) {
  app = await startFlagsApp(options);
  return app;
}

async function set(a: FlagsApp, key: string, value: string, environment = 'staging') {
  const response = await request(`${a.url}/api/flags/${environment}/${key}`, { method: 'PUT', body: { value, user: 'U0ALICE' } });
  expect(response.status).toBe(200);
}

const users = (count: number) => Array.from({ length: count }, (_, i) => `user-${i}`);

/** Each targeting key's answer, 50 requests at a time. */
async function answers(client: Client, key: string, targetingKeys: string[]): Promise<Map<string, boolean>> {
  const result = new Map<string, boolean>();
  for (let i = 0; i < targetingKeys.length; i += 50) {
    const batch = targetingKeys.slice(i, i + 50);
    const values = await Promise.all(batch.map((targetingKey) => client.getBooleanValue(key, false, { targetingKey })));
    batch.forEach((targetingKey, j) => result.set(targetingKey, values[j]!));
  }
  return result;
}

describe('flags through the OpenFeature SDK and the OFREP provider', () => {
  it('answers false to everyone when a flag is off, with the variant and reason', async () => {
    const a = await start();
    await set(a, 'new-checkout', 'off');
    const client = await clientFor(`${a.url}/flags/staging`);
    expect([...(await answers(client, 'new-checkout', users(100))).values()].every((value) => value === false)).toBe(true);
    // The SDK's default is true here: false comes from igor.
    const details = await client.getBooleanDetails('new-checkout', true, {});
    expect(details).toMatchObject({ value: false, variant: 'off', reason: 'STATIC', flagMetadata: { environment: 'staging', rollout: 'off' } });
    expect(details.errorCode).toBeUndefined();
  });

  it('answers true to everyone when a flag is on, with or without a targeting key', async () => {
    const a = await start();
    await set(a, 'new-checkout', 'on');
    const client = await clientFor(`${a.url}/flags/staging`);
    expect([...(await answers(client, 'new-checkout', users(100))).values()].every(Boolean)).toBe(true);
    expect(await client.getBooleanDetails('new-checkout', false)).toMatchObject({ value: true, variant: 'on', reason: 'STATIC' });
  });

  it('turns a 25% flag on for 20–30% of 1000 users, each user the same answer every time', async () => {
    const a = await start();
    await set(a, 'new-checkout', '25%');
    const client = await clientFor(`${a.url}/flags/staging`);
    const first = await answers(client, 'new-checkout', users(1000));
    const on = [...first.values()].filter(Boolean).length;
    expect(on).toBeGreaterThanOrEqual(200);
    expect(on).toBeLessThanOrEqual(300);
    const sample = users(1000).filter((_, i) => i % 5 === 0);
    for (let round = 0; round < 2; round++) {
      const again = await answers(client, 'new-checkout', sample);
      expect([...again].filter(([user, value]) => first.get(user) !== value)).toEqual([]);
    }
    expect(await client.getBooleanDetails('new-checkout', false, { targetingKey: 'user-1' })).toMatchObject({ reason: 'TARGETING_MATCH', flagMetadata: { rollout: '25%' } });
  });

  it('keeps every user who had the flag when it is raised from 25% to 50%, and adds others', async () => {
    const a = await start();
    await set(a, 'new-checkout', '25%');
    const client = await clientFor(`${a.url}/flags/staging`);
    const before = await answers(client, 'new-checkout', users(500));
    await set(a, 'new-checkout', '50%');
    const after = await answers(client, 'new-checkout', users(500));
    const had = [...before].filter(([, value]) => value).map(([user]) => user);
    expect(had.length).toBeGreaterThan(0);
    expect(had.filter((user) => after.get(user) !== true)).toEqual([]);
    const now = [...after.values()].filter(Boolean).length;
    expect(now).toBeGreaterThan(had.length);
    expect(now).toBeGreaterThanOrEqual(200);
    expect(now).toBeLessThanOrEqual(300);
  });

  it("gives the SDK's default with FLAG_NOT_FOUND for a flag igor does not have", async () => {
    const a = await start();
    await set(a, 'new-checkout', 'on', 'production');
    const client = await clientFor(`${a.url}/flags/staging`);
    expect(await client.getBooleanDetails('new-checkout', true, { targetingKey: 'user-1' })).toMatchObject({ value: true, errorCode: 'FLAG_NOT_FOUND', reason: 'ERROR' });
    const raw = await request(`${a.url}/flags/staging/ofrep/v1/evaluate/flags/new-checkout`, { method: 'POST', body: {} });
    expect(raw).toMatchObject({ status: 404, body: { key: 'new-checkout', errorCode: 'FLAG_NOT_FOUND', errorDetails: 'there is no flag new-checkout in staging' } });
  });

  it("gives the SDK's default with TARGETING_KEY_MISSING for a rollout asked without a targeting key", async () => {
    const a = await start();
    await set(a, 'new-checkout', '25%');
    const client = await clientFor(`${a.url}/flags/staging`);
    expect(await client.getBooleanDetails('new-checkout', true, { email: 'a@example.com' })).toMatchObject({ value: true, errorCode: 'TARGETING_KEY_MISSING' });
  });

  it('answers PARSE_ERROR and INVALID_CONTEXT with 400, as the OFREP OpenAPI document lists them', async () => {
    const a = await start();
    await set(a, 'new-checkout', 'on');
    const single = `${a.url}/flags/staging/ofrep/v1/evaluate/flags/new-checkout`;
    const bulk = `${a.url}/flags/staging/ofrep/v1/evaluate/flags`;
    expect(await request(single, { method: 'POST', raw: '{"context": ' })).toMatchObject({ status: 400, body: { key: 'new-checkout', errorCode: 'PARSE_ERROR', error: expect.stringContaining('not valid JSON') } });
    expect(await request(single, { method: 'POST', raw: '[1, 2]' })).toMatchObject({ status: 400, body: { errorCode: 'PARSE_ERROR' } });
    expect(await request(single, { method: 'POST', body: { context: 'user-1' } })).toMatchObject({ status: 400, body: { key: 'new-checkout', errorCode: 'INVALID_CONTEXT' } });
    expect(await request(single, { method: 'POST', body: { context: { targetingKey: 42 } } })).toMatchObject({ status: 400, body: { errorCode: 'INVALID_CONTEXT', errorDetails: 'context.targetingKey must be a string' } });
    expect(await request(bulk, { method: 'POST', raw: 'nope' })).toMatchObject({ status: 400, body: { errorCode: 'PARSE_ERROR' } });
    expect((await request(bulk, { method: 'POST', raw: 'nope' })).body).not.toHaveProperty('key');
    // No body at all is an empty context.
    expect(await request(single, { method: 'POST' })).toMatchObject({ status: 200, body: { key: 'new-checkout', value: true, variant: 'on', reason: 'STATIC', metadata: { environment: 'staging', rollout: 'on' } } });
  });

  it('evaluates every flag in bulk, with an ETag that answers 304 to If-None-Match until something changes', async () => {
    const a = await start();
    await set(a, 'a-flag', 'on');
    await set(a, 'b-flag', '25%');
    const bulk = `${a.url}/flags/staging/ofrep/v1/evaluate/flags`;
    const first = await request(bulk, { method: 'POST', body: { context: { targetingKey: 'user-1' } } });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      flags: [
        { key: 'a-flag', value: true, variant: 'on', reason: 'STATIC', metadata: { environment: 'staging', rollout: 'on' } },
        { key: 'b-flag', value: expect.any(Boolean), variant: expect.stringMatching(/^(on|off)$/), reason: 'TARGETING_MATCH', metadata: { environment: 'staging', rollout: '25%' } },
      ],
    });
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    const unchanged = await request(bulk, { method: 'POST', body: { context: { targetingKey: 'user-1' } }, headers: { 'if-none-match': etag } });
    expect(unchanged.status).toBe(304);
    expect(unchanged.headers.get('etag')).toBe(etag);
    expect(unchanged.body).toBeNull();
    // Another user may get other answers: the tag is of what this caller gets.
    const withoutKey = await request(bulk, { method: 'POST', body: {}, headers: { 'if-none-match': etag } });
    expect(withoutKey.status).toBe(200);
    expect(withoutKey.body!.flags).toContainEqual(expect.objectContaining({ key: 'b-flag', errorCode: 'TARGETING_KEY_MISSING' }));
    await set(a, 'a-flag', 'off');
    const changed = await request(bulk, { method: 'POST', body: { context: { targetingKey: 'user-1' } }, headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it('serves flagd.json with an ETag that answers 304 to If-None-Match until a flag changes', async () => {
    const a = await start();
    await set(a, 'new-checkout', '25%');
    await set(a, 'banner', 'on');
    const url = `${a.url}/flags/staging/flagd.json`;
    const first = await request(url);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^application\/json/);
    expect(first.body).toEqual({
      $schema: 'https://flagd.dev/schema/v0/flags.json',
      flags: {
        banner: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' },
        'new-checkout': { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', targeting: { fractional: [['on', 25], ['off', 75]] } },
      },
    });
    const etag = first.headers.get('etag')!;
    expect(await request(url, { headers: { 'if-none-match': etag } })).toMatchObject({ status: 304, body: null });
    expect((await request(url, { headers: { 'if-none-match': '"something-else"' } })).status).toBe(200);
    await set(a, 'banner', 'off');
    const changed = await request(url, { headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect((await request(`${a.url}/flags/production/flagd.json`)).body).toEqual({ $schema: 'https://flagd.dev/schema/v0/flags.json', flags: {} });
  });

  it('answers 404 JSON for an environment igor does not know', async () => {
    const a = await start();
    expect(await request(`${a.url}/flags/qa/flagd.json`)).toMatchObject({ status: 404, body: { error: expect.stringContaining('there is no environment "qa"; configured: staging, production') } });
    expect(await request(`${a.url}/flags/qa/ofrep/v1/evaluate/flags`, { method: 'POST', body: {} })).toMatchObject({ status: 404, body: { error: expect.any(String) } });
  });

  it('enforces IGOR_FLAGS_TOKEN on every flag endpoint when it is set', async () => {
    const a = await start({ flagsToken: 'flags-secret' });
    await set(a, 'new-checkout', 'on');
    const anonymous = await clientFor(`${a.url}/flags/staging`);
    expect(await anonymous.getBooleanDetails('new-checkout', false, { targetingKey: 'user-1' })).toMatchObject({ value: false, reason: 'ERROR', errorCode: 'GENERAL' });
    const authorized = await clientFor(`${a.url}/flags/staging`, { Authorization: 'Bearer flags-secret' });
    expect(await authorized.getBooleanValue('new-checkout', false, { targetingKey: 'user-1' })).toBe(true);
    for (const [url, method] of [
      [`${a.url}/flags/staging/flagd.json`, 'GET'],
      [`${a.url}/flags/staging/ofrep/v1/evaluate/flags`, 'POST'],
      [`${a.url}/flags/staging/ofrep/v1/evaluate/flags/new-checkout`, 'POST'],
    ] as const) {
      expect(await request(url, { method })).toMatchObject({ status: 401, body: { error: expect.stringContaining('IGOR_FLAGS_TOKEN') } });
      expect((await request(url, { method, headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      expect((await request(url, { method, headers: { authorization: 'Bearer flags-secret' } })).status).toBe(200);
    }
  });
});
