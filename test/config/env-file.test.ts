import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EnvFileError, loadEnvFile, settingsOf } from '../../src/config/env-file.js';
import { ConfigError } from '../../src/config/load.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'igor-env-file-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function envFile(text: string): Promise<string> {
  const file = join(dir, '.env');
  await writeFile(file, text);
  return file;
}

describe('loadEnvFile', () => {
  it('adds the variables of the file that the environment does not set, and names them', async () => {
    const env: NodeJS.ProcessEnv = { PATH: '/usr/bin' };
    const file = await envFile('# a comment\nSLACK_BOT_TOKEN=xoxb-from-file\nexport IGOR_CONFIG="/etc/igor/igor.yml"\n');
    expect(loadEnvFile(file, env).sort()).toEqual(['IGOR_CONFIG', 'SLACK_BOT_TOKEN']);
    expect(env).toEqual({ PATH: '/usr/bin', SLACK_BOT_TOKEN: 'xoxb-from-file', IGOR_CONFIG: '/etc/igor/igor.yml' });
  });

  it('lets a variable of the real environment win over the file', async () => {
    const env: NodeJS.ProcessEnv = { PORT: '8080' };
    expect(loadEnvFile(await envFile('PORT=3000\n'), env)).toEqual([]);
    expect(env.PORT).toBe('8080');
  });

  it('treats an empty value as unset on either side: the file never sets one, and fills one the environment left empty', async () => {
    const env: NodeJS.ProcessEnv = { IGOR_DATA_DIR: '' };
    expect(loadEnvFile(await envFile('IGOR_HOST=\nIGOR_DATA_DIR=/var/lib/igor\n'), env)).toEqual(['IGOR_DATA_DIR']);
    expect(env).toEqual({ IGOR_DATA_DIR: '/var/lib/igor' });
  });

  it('does nothing when there is no file', () => {
    const env: NodeJS.ProcessEnv = {};
    expect(loadEnvFile(join(dir, 'missing.env'), env)).toEqual([]);
    expect(env).toEqual({});
  });

  it('refuses a .env it cannot read with a ConfigError naming the file', async () => {
    const folder = join(dir, '.env');
    await mkdir(folder);
    let error: unknown;
    try {
      loadEnvFile(folder, {});
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(EnvFileError);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(new RegExp(`^cannot read ${folder}: `));
  });
});

describe('settingsOf', () => {
  it('drops empty values, so an empty setting means its default', () => {
    expect(settingsOf({ IGOR_HOST: '', PORT: '0', SLACK_BOT_TOKEN: undefined })).toEqual({ PORT: '0' });
  });
});
