import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { execa } from 'execa';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { configSchema } from '../../../src/config/schema.js';
import { createS3ArtifactStore, ArtifactStoreError, type ArtifactStore } from '../../../src/fleet/artifacts/s3.js';
import { createFleets } from '../../../src/fleet/environments.js';
import { HostPhaseError } from '../../../src/fleet/errors.js';
import { deployToHost, type Artifact, type HostDeployment } from '../../../src/fleet/host-deploy.js';
import { createSshTransport } from '../../../src/fleet/transport/ssh.js';
import type { Server, Transport } from '../../../src/fleet/types.js';
import { startMoto, type Moto } from '../../support/moto.js';
import { startSshFleet, type SshFleet } from '../../support/sshd-fleet.js';

const REGION = 'eu-west-1';
const BUCKET = 'shop-releases';
const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const SHA = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00';
const RELEASE = '20261203-101500-c0ffee0';

let moto: Moto;
let fleet: SshFleet;
let root: string;
let artifact: Artifact;
const keys = new Map<string, string>();
const hostKeys = { get: (id: string) => keys.get(id), remember: (id: string, fingerprint: string) => void keys.set(id, fingerprint) };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'igor-s3-'));
  [moto, fleet] = await Promise.all([startMoto(), startSshFleet({ hosts: 3 })]);
  await mkdir(join(root, 'tree'));
  await writeFile(join(root, 'tree', 'server.js'), 'console.log("shop");\n');
  await execa('tar', ['-czf', join(root, 'artifact.tar.gz'), '-C', join(root, 'tree'), '.']);
  artifact = { path: join(root, 'artifact.tar.gz'), sha256: createHash('sha256').update(await readFile(join(root, 'artifact.tar.gz'))).digest('hex') };
});

afterAll(async () => {
  await Promise.all([moto?.stop(), fleet?.stop()]);
  await rm(root, { recursive: true, force: true });
});

beforeEach(async () => {
  await moto.reset();
  await s3().send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }));
});

function s3(): S3Client {
  return new S3Client({ region: REGION, endpoint: moto.endpoint, credentials: CREDENTIALS, forcePathStyle: true });
}

function store(client = s3()): ArtifactStore {
  return createS3ArtifactStore({ settings: { bucket: BUCKET, prefix: 'igor/', urlExpiresIn: 300_000 }, setting: 'artifacts.s3', client });
}

/** An SSH transport that counts the files igor copies itself. */
function counted(transport: Transport, copies: string[]): Transport {
  return { ...transport, putFile: (local, remote) => (copies.push(remote), transport.putFile(local, remote)) };
}

function job(overrides: Partial<HostDeployment> = {}): HostDeployment {
  return { app: 'shop', environment: 'production', release: RELEASE, sha: SHA, artifact, steps: [], restart: undefined, health: undefined, keepReleases: 5, stepTimeoutMs: 60_000, ...overrides };
}

async function deployAll(hostJob: HostDeployment, copies: string[]): Promise<PromiseSettledResult<unknown>[]> {
  return Promise.allSettled(
    fleet.hosts.map(async (host) => {
      const server: Server = { name: host.name, address: host.host, port: host.port, via: 'ssh', path: join(root, host.name) };
      const transport = await createSshTransport({ host: host.host, port: host.port, user: host.user, privateKeyPath: fleet.privateKeyPath, hostKeys });
      try {
        return await deployToHost(server, counted(transport, copies), hostJob);
      } finally {
        await transport.close();
      }
    }),
  );
}

describe('artifacts.s3', () => {
  it('uploads the artifact once, and every server downloads it from S3 itself: igor copies no file', async () => {
    const client = s3();
    const send = vi.spyOn(client, 'send');
    const published = await store(client).publish(artifact, { app: 'shop', environment: 'production', release: RELEASE });
    // A second publish of the same release (a retry, another igor) finds the object and its checksum.
    const again = await store(client).publish(artifact, { app: 'shop', environment: 'production', release: RELEASE });
    expect(again.key).toBe(published.key);
    expect(send.mock.calls.filter(([command]) => command instanceof PutObjectCommand)).toHaveLength(1);
    expect(published.location).toBe(`s3://${BUCKET}/igor/shop/production/${RELEASE}-${artifact.sha256.slice(0, 16)}.tar.gz`);

    const copies: string[] = [];
    const results = await deployAll(job({ download: { location: published.location, url: published.downloadUrl } }), copies);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(copies).toEqual([]);
    for (const host of fleet.hosts) {
      expect(basename(await readlink(join(root, host.name, 'current')))).toBe(RELEASE);
      expect(await readFile(join(root, host.name, 'releases', RELEASE, 'REVISION'), 'utf8')).toBe(`${SHA}\n`);
      expect(await readFile(join(root, host.name, 'releases', RELEASE, 'server.js'), 'utf8')).toContain('shop');
    }
    const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    expect(listed.Contents?.map((object) => object.Key)).toEqual([published.key]);
  });

  it('fails a host whose download does not match the checksum, as a direct upload would', async () => {
    const published = await store().publish(artifact, { app: 'shop', environment: 'production', release: RELEASE });
    const wrong = job({ artifact: { ...artifact, sha256: '0'.repeat(64) }, download: { location: published.location, url: published.downloadUrl } });
    const [result] = await deployAll(wrong, []);
    expect(result!.status).toBe('rejected');
    const error = (result as PromiseRejectedResult).reason as HostPhaseError;
    expect(error).toBeInstanceOf(HostPhaseError);
    expect(error.phase).toBe('unpack');
    expect(error.message).toMatch(/the artifact's checksum differs \([0-9a-f]{64}, expected 0{64}\)/);
  });

  it('fails a host whose object is missing with its s3:// location, never the presigned URL', async () => {
    const published = await store().publish(artifact, { app: 'shop', environment: 'production', release: RELEASE });
    const missingKey = published.key.replace('.tar.gz', '-missing.tar.gz');
    // A URL for a key nobody uploaded (its signature no longer matches either: S3 answers 403 or 404, curl --fail exits 22).
    const url = (await published.downloadUrl()).replace(published.key, missingKey);
    const [result] = await deployAll(job({ download: { location: `s3://${BUCKET}/${missingKey}`, url: () => Promise.resolve(url) } }), []);
    const error = (result as PromiseRejectedResult).reason as HostPhaseError;
    expect(error.phase).toBe('upload');
    expect(error.message).toContain(`could not download s3://${BUCKET}/${missingKey}`);
    expect(error.message).toMatch(/exited with code 22/);
    expect(error.message).not.toContain('X-Amz-Signature');
    expect(error.message).not.toContain(moto.endpoint);
  });

  it('names the setting when the bucket does not exist', async () => {
    const missing = createS3ArtifactStore({ settings: { bucket: 'no-such-bucket', prefix: '', urlExpiresIn: 60_000 }, setting: 'environments.production.artifacts.s3', client: s3() });
    const attempt = missing.publish(artifact, { app: 'shop', environment: 'production', release: RELEASE });
    await expect(attempt).rejects.toBeInstanceOf(ArtifactStoreError);
    await expect(attempt).rejects.toThrow(/could not upload the artifact to s3:\/\/no-such-bucket\/.*\(check environments\.production\.artifacts\.s3/);
  });

  it('gives each environment the top-level artifacts.s3 unless its own artifacts replaces it', () => {
    const config = configSchema.parse({
      app: 'shop',
      repo: '/nowhere',
      channels: { deploys: '#deploys' },
      artifacts: { s3: { bucket: BUCKET, region: REGION } },
      environments: {
        production: { servers: { static: [{ host: 'a' }] }, path: '/srv' },
        staging: { servers: { static: [{ host: 'b' }] }, path: '/srv', artifacts: {} },
        local: { servers: { local: [{ name: 'dev', path: '/tmp/dev' }] } },
      },
    });
    expect(config.artifacts?.s3).toEqual({ bucket: BUCKET, region: REGION, prefix: '', urlExpiresIn: 300_000 });
    const { artifactStores } = createFleets(config, { dataDir: '/nowhere', user: 'igor', home: '/nowhere', hostKeys });
    expect(Object.keys(artifactStores)).toEqual(['production']);
  });
});
