import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { createFleets } from '../../src/fleet/environments.js';

describe('createFleets', () => {
  it('picks each environment\'s discovery from the one servers key it has', () => {
    const config = parseConfig(`
app: shop
repo: ./shop.git
channels: { deploys: C0DEPLOYS }
environments:
  aws: { path: /srv/shop, servers: { ec2: { region: eu-west-1 } } }
  google: { path: /srv/shop, servers: { gce: { project: acme-shop, zones: [europe-west1-b] } } }
  microsoft: { path: /srv/shop, servers: { azure: { subscription: sub-1, tags: { app: shop } } } }
  fixed: { path: /srv/shop, servers: { static: [{ host: 192.0.2.1 }] } }
  here: { servers: { local: [{ name: web-1, path: ./web-1 }] } }
`);
    // Building a discovery asks no cloud anything: only servers() does.
    const { discoveries } = createFleets(config, { dataDir: '/tmp/igor-test', user: 'deploy', home: '/home/deploy', hostKeys: { get: () => undefined, remember: () => {} } });

    expect(Object.fromEntries(Object.entries(discoveries).map(([name, discovery]) => [name, discovery.name]))).toEqual({
      aws: 'ec2',
      google: 'gce',
      microsoft: 'azure',
      fixed: 'static',
      here: 'local',
    });
  });
});
