import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buttonsOf, textOf } from '../support/fake-slack.js';
import { startHarness, type Harness } from '../support/igor-harness.js';
import { motoAsEc2 } from '../support/moto.js';
import { slackDriver } from './slack-driver.js';

const REGION = 'eu-west-1';
const moto = motoAsEc2({ beforeAll, afterEach, afterAll });
let harness: Harness | undefined;
// Registered after motoAsEc2's hooks, so it runs before moto is emptied.
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function launch(name: string) {
  const client = new EC2Client({ region: REGION, endpoint: moto().endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  await client.send(
    new RunInstancesCommand({
      ImageId: 'ami-12c6146b',
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'app', Value: 'shop' }, { Key: 'env', Value: 'staging' }, { Key: 'Name', Value: name }] }],
    }),
  );
  client.destroy();
}

describe('an approval bound to the plan, with hosts from EC2', () => {
  it('lapses and is asked again, saying what changed, when a host appears before the rollout', async () => {
    await launch('web-1');
    await launch('web-2');
    const h = (harness = await startHarness({
      staging: {
        servers: { ec2: { region: REGION, filters: { 'tag:app': ['shop'], 'tag:env': ['staging'] } } },
        path: '/srv/shop',
        approval: { mode: 'required', approvers: ['U0BOB'] },
      },
    }));
    const slack = slackDriver(h);
    await slack.slash('main', 'U0ALICE');
    const first = structuredClone(await slack.approvalRequest('1'));
    expect(textOf(first)).toContain('web-1, web-2');

    await launch('web-3');
    await slack.press(first, 'Approve', 'U0BOB');
    const again = await h.slack.waitFor(
      () => slack.thread('1').find((message) => message.ts !== first.ts && textOf(message).includes('Asked again')),
      { what: 'the approval asked again' },
    );
    expect(textOf(again)).toContain('hosts added: web-3');
    expect(textOf(again)).toContain('web-1, web-2, web-3');
    expect(buttonsOf(again).map((b) => b.text)).toEqual(['Approve', 'Reject']);
    const deployment = h.igor.pipeline.get('1')!;
    expect(deployment.state).toBe('awaiting-approval');
    expect(deployment.approvedBy).toBeNull();
    expect(deployment.audit).toMatchObject([{ action: 'approve', user: 'U0BOB', outcome: 'refused', detail: 'the plan changed: hosts added: web-3' }]);
    // The old request no longer carries buttons that could approve the old plan.
    await h.slack.waitFor(() => !buttonsOf(h.slack.message(first.channel, first.ts)).length || undefined, { what: 'the old buttons to go' });

    // These instances' addresses are not on this machine: end here rather than ship to them.
    await slack.press(slack.root('1')!, 'Cancel', 'U0ALICE');
    await slack.state('1', 'cancelled');
  });
});
