import { describe, expect, it } from 'vitest';
import { parseAppsConfig } from '../../../src/config/load.js';
import { consoleChannels, consoleUsers, GUEST } from '../../../src/chat/console/directory.js';
import { createLocalDirectory } from '../../../src/shared/directory.js';

const apps = (shopChannels: string) => `
channels: { deploys: C0DEPLOYS, alerts: C0ALERTS }
defaultApp: shop
apps:
  shop:
    repo: /srv/git/shop
    ${shopChannels}
    environments:
      staging: { servers: { local: [{ name: web-1, path: /tmp/web-1 }] } }
      production:
        channel: C0PROD
        deployers: [U0ALICE]
        approval: { mode: required, approvers: [U0BOB] }
        servers: { local: [{ name: prod-1, path: /tmp/prod-1 }] }
  billing:
    repo: /srv/git/billing
    environments:
      production: { deployers: [U0CAROL], servers: { local: [{ name: billing-1, path: /tmp/billing-1 }] } }
`;

describe('the console of several apps', () => {
  it('shows one deploys and one alerts channel when the apps share them, and each environment channel by app/env', () => {
    expect(consoleChannels(parseAppsConfig(apps('')))).toEqual([
      { id: 'C0DEPLOYS', name: 'deploys' },
      { id: 'C0PROD', name: 'shop/production' },
      { id: 'C0ALERTS', name: 'alerts' },
    ]);
  });

  it('shows a channel per app when an app has channels of its own', () => {
    expect(consoleChannels(parseAppsConfig(apps('channels: { deploys: C0SHOP, alerts: C0SHOPALERTS }')))).toEqual([
      { id: 'C0SHOP', name: 'shop deploys' },
      { id: 'C0DEPLOYS', name: 'billing deploys' },
      { id: 'C0PROD', name: 'shop/production' },
      { id: 'C0SHOPALERTS', name: 'shop alerts' },
      { id: 'C0ALERTS', name: 'billing alerts' },
    ]);
  });

  it("names each person's roles by app/env, and the guest where anyone deploys", () => {
    expect(consoleUsers(parseAppsConfig(apps('')))).toEqual([
      { id: 'U0ALICE', name: 'U0ALICE', roles: ['deploys shop/production'] },
      { id: 'U0BOB', name: 'U0BOB', roles: ['approves shop/production'] },
      { id: 'U0CAROL', name: 'U0CAROL', roles: ['deploys billing/production'] },
      { id: GUEST, name: GUEST, roles: ['deploys shop/staging (open to anyone)'] },
    ]);
  });

  it('names people as the config\'s people do, and stands the members of a user group in for it, saying the group', () => {
    const config = parseAppsConfig(`
channels: { deploys: C0DEPLOYS }
people: { U0ALICE: Alice, U0DAN: Dan }
groups: { sre: [U0DAN, U0ERIN] }
apps:
  shop:
    repo: /srv/git/shop
    environments:
      production:
        deployers: [U0ALICE, "@sre"]
        approval: { mode: required, approvers: ["@sre"] }
        servers: { local: [{ name: prod-1, path: /tmp/prod-1 }] }
`);
    const people = [...config.apps.values()][0]!.people;
    expect(consoleUsers(config, createLocalDirectory(people))).toEqual([
      { id: 'U0ALICE', name: 'Alice', roles: ['deploys production'] },
      { id: 'U0DAN', name: 'Dan', roles: ['deploys production (as @sre)', 'approves production (as @sre)'] },
      { id: 'U0ERIN', name: 'U0ERIN', roles: ['deploys production (as @sre)', 'approves production (as @sre)'] },
      { id: GUEST, name: GUEST, roles: [] },
    ]);
  });
});
