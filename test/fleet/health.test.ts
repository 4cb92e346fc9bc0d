import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { expectedBody } from '../../src/fleet/health.js';

describe('health.expectBody', () => {
  it('fills {sha} and {release} with the release expected, escaped to match only themselves', () => {
    const pattern = expectedBody({ expectBody: '"revision":"{sha}".*"release":"{release}"' }, { sha: 'a'.repeat(40), release: '20261203T100000Z-aaaaaaa' })!;
    expect(pattern.test(`{"revision":"${'a'.repeat(40)}","release":"20261203T100000Z-aaaaaaa"}`)).toBe(true);
    expect(pattern.test(`{"revision":"${'b'.repeat(40)}","release":"20261203T100000Z-aaaaaaa"}`)).toBe(false);
    expect(expectedBody({ expectBody: 'v={release}' }, { sha: 'x', release: 'a.b' })!.test('v=aXb')).toBe(false);
  });

  it('matches any release when none is expected yet, and is null without expectBody', () => {
    expect(expectedBody({ expectBody: '"revision":"{sha}"' }, null)!.test('"revision":"0123abc"')).toBe(true);
    expect(expectedBody({}, null)).toBeNull();
  });

  it('is a config error when it is not a regular expression', () => {
    const yaml = `
app: shop
repo: ./shop.git
channels: { deploys: C0DEPLOYS }
environments:
  production:
    servers: { local: [{ name: web-1, path: ./web-1 }] }
    health: { url: "http://{host}:8080/health", expectBody: "revision\\":\\"({sha}" }
`;
    expect(() => parseConfig(yaml)).toThrow('environments.production.health.expectBody: must be a regular expression ({sha} and {release} stand for the release expected)');
  });
});
