// The environment DefaultAzureCredential reads, pointed at a fake tenant for one test and put back after it.
// AZURE_TOKEN_CREDENTIALS=EnvironmentCredential keeps the chain from falling through to managed
// identity (which would ask 169.254.169.254) or the Azure CLI when the secret is refused.
import type { FakeAzure } from './fake-azure.js';

const KEYS = [
  'AZURE_TENANT_ID',
  'AZURE_CLIENT_ID',
  'AZURE_CLIENT_SECRET',
  'AZURE_TOKEN_CREDENTIALS',
  'AZURE_AUTHORITY_HOST',
  'AZURE_CLIENT_CERTIFICATE_PATH',
  'AZURE_CLIENT_CERTIFICATE_PASSWORD',
  'AZURE_USERNAME',
  'AZURE_PASSWORD',
  'AZURE_FEDERATED_TOKEN_FILE',
  'AZURE_ADDITIONALLY_ALLOWED_TENANTS',
] as const;

export function useAzureEnvironment(): { set(fake: FakeAzure): void; restore(): void } {
  let saved: Map<string, string | undefined> | undefined;
  return {
    set(fake) {
      saved ??= new Map(KEYS.map((key) => [key, process.env[key]]));
      for (const key of KEYS) delete process.env[key];
      process.env.AZURE_TENANT_ID = fake.tenant;
      process.env.AZURE_CLIENT_ID = fake.clientId;
      process.env.AZURE_CLIENT_SECRET = fake.clientSecret;
      process.env.AZURE_TOKEN_CREDENTIALS = 'EnvironmentCredential';
    },
    restore() {
      if (!saved) return;
      for (const [key, value] of saved) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      saved = undefined;
    },
  };
}
