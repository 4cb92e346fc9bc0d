import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { S3ArtifactsConfig } from '../../config/schema.js';
import type { Artifact } from '../host-deploy.js';

/** Where a release's artifact lives in S3, and how a server gets it. */
export interface PublishedArtifact {
  bucket: string;
  key: string;
  /** `s3://bucket/key`: what logs and messages show. Never the URL. */
  location: string;
  /** A GET URL valid for `urlExpiresIn`: a capability, so never logged. Made fresh for each server. */
  downloadUrl(): Promise<string>;
}

/** Uploads artifacts once per release; servers download them themselves. */
export interface ArtifactStore {
  readonly name: string;
  publish(artifact: Artifact, names: { app: string; environment: string; release: string }): Promise<PublishedArtifact>;
}

/** S3 refused or could not be reached; names the setting to check. */
export class ArtifactStoreError extends Error {
  override name = 'ArtifactStoreError';
}

export interface S3ArtifactStoreOptions {
  settings: S3ArtifactsConfig;
  /** Which setting this is in messages: `artifacts.s3` or `environments.production.artifacts.s3`. */
  setting: string;
  /** For tests; by default an S3Client with the SDK's credential chain (and `AWS_ENDPOINT_URL_S3`). */
  client?: S3Client;
  clientConfig?: S3ClientConfig;
}

/**
 * `artifacts.s3`: one PUT per release (none when the object with that key and SHA-256 is already
 * there), then a presigned GET per server.
 *
 * @example
 * const store = createS3ArtifactStore({ settings: { bucket: 'shop-releases', prefix: 'igor/', urlExpiresIn: 300_000 }, setting: 'artifacts.s3' });
 * const published = await store.publish(artifact, { app: 'shop', environment: 'production', release });
 */
export function createS3ArtifactStore(options: S3ArtifactStoreOptions): ArtifactStore {
  const { settings, setting } = options;
  const client = options.client ?? new S3Client({ ...(settings.region ? { region: settings.region } : {}), ...options.clientConfig });
  const where = `[fleet] [s3] ${settings.bucket}`;
  return {
    name: 's3',
    async publish(artifact, names) {
      const key = `${settings.prefix}${names.app}/${names.environment}/${names.release}-${artifact.sha256.slice(0, 16)}.tar.gz`;
      const location = `s3://${settings.bucket}/${key}`;
      try {
        if (!(await exists(key, artifact.sha256))) {
          const { size } = await stat(artifact.path);
          // One PUT with a known length streams the file; a multipart upload only pays off far above release sizes.
          await client.send(
            new PutObjectCommand({
              Bucket: settings.bucket,
              Key: key,
              Body: createReadStream(artifact.path),
              ContentLength: size,
              ContentType: 'application/gzip',
              Metadata: { sha256: artifact.sha256 },
            }),
          );
        }
      } catch (error) {
        throw new ArtifactStoreError(`${where}: could not upload the artifact to ${location}: ${describe(error)} (check ${setting} and the AWS credentials igor runs with)`, { cause: error });
      }
      return {
        bucket: settings.bucket,
        key,
        location,
        downloadUrl: () => getSignedUrl(client, new GetObjectCommand({ Bucket: settings.bucket, Key: key }), { expiresIn: Math.round(settings.urlExpiresIn / 1000) }),
      };
    },
  };

  /** True when the object is there with the same checksum; a missing object is false, other errors throw. */
  async function exists(key: string, sha256: string): Promise<boolean> {
    try {
      const head = await client.send(new HeadObjectCommand({ Bucket: settings.bucket, Key: key }));
      return head.Metadata?.sha256 === sha256;
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404) return false;
      throw error;
    }
  }
}

function describe(error: unknown): string {
  const named = error as { name?: string; message?: string };
  if (named.name === 'NoSuchBucket') return 'the bucket does not exist';
  if (named.name === 'AccessDenied' || named.name === 'Forbidden') return 'access denied';
  return named.message || named.name || String(error);
}
