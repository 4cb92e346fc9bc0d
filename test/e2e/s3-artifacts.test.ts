import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startMoto, type Moto } from '../support/moto.js';
import { startHarness, type Harness } from '../support/igor-harness.js';
import { slackDriver } from './slack-driver.js';

const REGION = 'eu-west-1';
const BUCKET = 'shop-releases';

// A whole igor with `artifacts.s3` against moto's S3 and real sshd hosts; the SDK finds moto
// through AWS_ENDPOINT_URL_S3 and its credential chain through the AWS_* variables, as in production.
let moto: Moto | undefined;
let h: Harness | undefined;
beforeAll(async () => {
  moto = await startMoto();
  vi.stubEnv('AWS_ENDPOINT_URL_S3', moto.endpoint);
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'testing');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'testing');
  await s3().send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }));
  h = await startHarness({ hosts: 2, top: { artifacts: { s3: { bucket: BUCKET, prefix: 'igor/', region: REGION } } } });
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await h?.close();
  await moto?.stop();
});

function s3(): S3Client {
  return new S3Client({ region: REGION, endpoint: moto!.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, forcePathStyle: true });
}

describe('a deployment with artifacts.s3', () => {
  it('puts the artifact in S3 once and every host downloads it; no log line or host file holds the URL', async () => {
    const slack = slackDriver(h!);
    await slack.slash('main', 'U0ALICE');
    await slack.state('1', 'succeeded');

    const listed = await s3().send(new ListObjectsV2Command({ Bucket: BUCKET }));
    expect(listed.Contents).toHaveLength(1);
    expect(listed.Contents![0]!.Key).toMatch(/^igor\/shop\/staging\/.+\.tar\.gz$/);
    for (const path of Object.values(h!.hostPaths)) {
      expect((await readFile(join(path, 'current', 'REVISION'), 'utf8')).trim()).toBe(h!.sha);
      // Nothing left behind by the download either.
      expect((await readdir(join(path, 'releases'))).filter((name) => name.endsWith('.tar.gz'))).toEqual([]);
    }
    const published = h!.logs.find((line) => line.msg === 'artifact published; servers download it themselves');
    expect(published).toMatchObject({ bucket: BUCKET, key: listed.Contents![0]!.Key });
    expect(JSON.stringify(h!.logs)).not.toContain('X-Amz-Signature');
    const deployLogs = await readdir(join(h!.dataDir, 'logs'));
    for (const id of deployLogs) expect(await readFile(join(h!.dataDir, 'logs', id, 'deploy.log'), 'utf8')).not.toContain('X-Amz-');
  });

  it('fails the deployment naming artifacts.s3 when the upload fails, before any host is touched', async () => {
    const client = s3();
    const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    for (const object of listed.Contents ?? []) await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: object.Key! }));
    await client.send(new DeleteBucketCommand({ Bucket: BUCKET }));

    const slack = slackDriver(h!);
    await slack.slash('main', 'U0ALICE');
    // rollback: auto with no host switched: the deployment ends rolled back, nothing to undo.
    const failed = await slack.state('2', 'rolled-back');
    expect(failed.reason).toMatch(/could not upload the artifact to s3:\/\/shop-releases\/.*the bucket does not exist \(check artifacts\.s3/);
    expect(failed.hosts.map((host) => host.state)).toEqual(['untouched', 'untouched']);
    for (const path of Object.values(h!.hostPaths)) expect((await readFile(join(path, 'current', 'REVISION'), 'utf8')).trim()).toBe(h!.sha);
  });
});
