/**
 * Benchmark: what igor sends, and how long it takes, to ship one release to 32 servers directly
 * (an SFTP upload to each) and with `artifacts.s3` (one PUT to S3, each server downloads it).
 *   npx tsx scripts/bench/s3-fanout.ts [hosts=32] [rounds=3]
 * Real sshd hosts on loopback and a real moto_server as S3; the artifact is a gzipped tar of an
 * 8 MiB incompressible file. Per round and mode: a new release to every host at once (upload or
 * download, unpack with the SHA-256 check, REVISION, atomic switch, prune; no restart or health,
 * so the artifact's path is what differs), timed from the first connection to the last host done,
 * with igor's bytes counted on its own sockets (SSH to the hosts, HTTP to S3). Medians of the rounds.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { execa } from 'execa';
import { createS3ArtifactStore } from '../../src/fleet/artifacts/s3.js';
import { deployToHost, type Artifact, type HostDeployment } from '../../src/fleet/host-deploy.js';
import { createSshTransport } from '../../src/fleet/transport/ssh.js';
import { startMoto, type Moto } from '../../test/support/moto.js';
import { startSshFleet, type SshFleet } from '../../test/support/sshd-fleet.js';

// Apart from the tests' addresses, so a benchmark can run next to a test run.
process.env.IGOR_TEST_NET ??= '9';

const hosts = Number(process.argv[2] ?? 32);
const rounds = Number(process.argv[3] ?? 3);
const REGION = 'eu-west-1';
const BUCKET = 'bench-releases';

/** Counts what igor writes to the sockets it opens. */
function byteCounter() {
  let sent = 0;
  const sockets: net.Socket[] = [];
  const count = (socket: net.Socket) => {
    sockets.push(socket);
    socket.once('close', () => (sent += socket.bytesWritten));
    return socket;
  };
  return {
    socket: (host: string, port: number) =>
      new Promise<net.Socket>((resolve, reject) => {
        const socket = count(net.connect({ host, port }));
        socket.once('connect', () => resolve(socket));
        socket.once('error', reject);
      }),
    agent: new (class extends http.Agent {
      override createConnection(...args: Parameters<http.Agent['createConnection']>) {
        return count(super.createConnection(...args) as net.Socket);
      }
    })({ keepAlive: true }),
    /** Bytes written so far, sockets still open included. */
    sent: () => sent + sockets.filter((socket) => !socket.closed).reduce((sum, socket) => sum + socket.bytesWritten, 0),
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

let dir: string | undefined;
let fleet: SshFleet | undefined;
let moto: Moto | undefined;
try {
  dir = await mkdtemp(join(tmpdir(), 'igor-bench-s3-'));
  [fleet, moto] = await Promise.all([startSshFleet({ hosts }), startMoto()]);
  await mkdir(join(dir, 'tree'));
  await writeFile(join(dir, 'tree', 'vendor.bin'), randomBytes(8 * 1024 * 1024));
  await execa('tar', ['-czf', join(dir, 'artifact.tar.gz'), '-C', join(dir, 'tree'), '.']);
  const artifact: Artifact = { path: join(dir, 'artifact.tar.gz'), sha256: createHash('sha256').update(await readFile(join(dir, 'artifact.tar.gz'))).digest('hex') };
  const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
  await new S3Client({ region: REGION, endpoint: moto.endpoint, credentials, forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }));
  const keys = new Map<string, string>();
  const hostKeys = { get: (id: string) => keys.get(id), remember: (id: string, fingerprint: string) => void keys.set(id, fingerprint) };
  const started = fleet;
  const endpoint = moto.endpoint;

  const deployRound = async (mode: 'direct' | 's3', round: number) => {
    const counter = byteCounter();
    const release = `20261203-1200${String(round).padStart(2, '0')}-${mode}`;
    const job: HostDeployment = { app: 'shop', environment: 'bench', release, sha: 'f'.repeat(40), artifact, steps: [], restart: undefined, health: undefined, keepReleases: 3, stepTimeoutMs: 120_000 };
    const start = performance.now();
    if (mode === 's3') {
      const client = new S3Client({ region: REGION, endpoint, credentials, forcePathStyle: true, requestHandler: { httpAgent: counter.agent } });
      const store = createS3ArtifactStore({ settings: { bucket: BUCKET, prefix: 'igor/', urlExpiresIn: 300_000 }, setting: 'artifacts.s3', client });
      const published = await store.publish(artifact, { app: 'shop', environment: 'bench', release });
      job.download = { location: published.location, url: published.downloadUrl };
    }
    await Promise.all(
      started.hosts.map(async (host) => {
        const transport = await createSshTransport({ host: host.host, port: host.port, user: host.user, privateKeyPath: started.privateKeyPath, hostKeys, sock: await counter.socket(host.host, host.port) });
        try {
          await deployToHost({ name: host.name, address: host.host, port: host.port, via: 'ssh', path: join(dir!, 'hosts', host.name, mode) }, transport, job);
        } finally {
          await transport.close();
        }
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 100)); // the sockets' close events
    counter.agent.destroy();
    return { seconds, bytes: counter.sent() };
  };

  console.log(`igor s3 fan-out benchmark: ${hosts} sshd hosts on loopback, moto S3, artifact ${mib(artifact.path ? (await readFile(artifact.path)).length : 0)}, Node ${process.version}, ${rounds} rounds`);
  const results: Record<'direct' | 's3', Array<{ seconds: number; bytes: number }>> = { direct: [], s3: [] };
  for (let round = 1; round <= rounds; round++) {
    for (const mode of ['direct', 's3'] as const) {
      const result = await deployRound(mode, round);
      results[mode].push(result);
      console.log(`  round ${round} ${mode.padEnd(6)} ${result.seconds.toFixed(2)} s  igor sent ${mib(result.bytes)}`);
    }
  }
  for (const mode of ['direct', 's3'] as const) {
    const rows = results[mode];
    console.log(`median ${mode.padEnd(6)} ${median(rows.map((row) => row.seconds)).toFixed(2)} s  igor sent ${mib(median(rows.map((row) => row.bytes)))}`);
  }
} finally {
  await Promise.all([fleet?.stop(), moto?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
}
