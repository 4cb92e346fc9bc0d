import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { slackManifestSchema } from '../support/slack-manifest-schema.js';

const ROOT = new URL('../../', import.meta.url);
type Manifest = {
  features: { slash_commands: Array<{ command: string; url?: string }> };
  oauth_config: { scopes: { bot: string[] } };
  settings: { socket_mode_enabled: boolean; interactivity: { request_url?: string }; event_subscriptions?: { request_url?: string; bot_events?: string[] } };
};
type HomeManifest = Manifest & { features: { app_home?: { home_tab_enabled?: boolean } } };
const read = async (file: string) => parse(await readFile(new URL(file, ROOT), 'utf8')) as Manifest;

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validate = ajv.compile(slackManifestSchema);
/** What the schema finds wrong with `manifest`, one line each (none: valid). */
function problems(manifest: unknown): string[] {
  return validate(manifest) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}${error.params && 'additionalProperty' in error.params ? ` (${String(error.params.additionalProperty)})` : ''}`);
}

/** Every string value of `value` that is a URL. */
function urls(value: unknown): string[] {
  if (typeof value === 'string') return /^https?:\/\//.test(value) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(urls);
  if (value && typeof value === 'object') return Object.values(value).flatMap(urls);
  return [];
}

describe("Slack's app manifests", () => {
  it('manifest.yml (HTTP) and manifest.socket-mode.yml pass the rules of Slack\'s manifest schema', async () => {
    expect(problems(await read('manifest.yml'))).toEqual([]);
    expect(problems(await read('manifest.socket-mode.yml'))).toEqual([]);
  });

  it('the schema refuses what Slack refuses: a misspelt key, a name over 35 characters, a command without its slash, a request URL that is not http(s)', async () => {
    const good = await read('manifest.yml');
    const copy = () => structuredClone(good) as unknown as Record<string, Record<string, unknown>>;
    const misspelt = copy();
    misspelt.features!.slash_command = misspelt.features!.slash_commands;
    expect(problems(misspelt)).toEqual(['/features must NOT have additional properties (slash_command)']);
    const long = copy();
    long.display_information!.name = 'igor the deployment bot of acme corp';
    expect(problems(long)).toEqual(['/display_information/name must NOT have more than 35 characters']);
    const slashless = copy();
    (slashless.features!.slash_commands as Array<{ command: string }>)[0]!.command = 'deploy';
    expect(problems(slashless)).toEqual(['/features/slash_commands/0/command must match pattern "^\\/"']);
    const ftp = copy();
    (ftp.settings!.interactivity as { request_url: string }).request_url = 'ftp://igor.example.com/slack/events';
    expect(problems(ftp)).toEqual(['/settings/interactivity/request_url must match pattern "^https?:\\/\\/"']);
  });

  it('the HTTP manifest sends every request to /slack/events, the one path igor takes them on', async () => {
    const manifest = await read('manifest.yml');
    expect(manifest.settings.socket_mode_enabled).toBe(false);
    expect(new Set(urls(manifest))).toEqual(new Set(['https://igor.example.com/slack/events']));
    expect(manifest.features.slash_commands.every((command) => command.url === 'https://igor.example.com/slack/events')).toBe(true);
    expect(manifest.settings.interactivity.request_url).toBe('https://igor.example.com/slack/events');
  });

  it('the Socket Mode manifest is the same app with Socket Mode on and no request URL', async () => {
    const http = await read('manifest.yml');
    const socket = await read('manifest.socket-mode.yml');
    expect(socket.settings.socket_mode_enabled).toBe(true);
    expect(urls(socket)).toEqual([]);
    // manifest.yml without its URLs, Socket Mode on: a scope or command added to one is added to both.
    for (const command of http.features.slash_commands) delete command.url;
    delete http.settings.interactivity.request_url;
    delete http.settings.event_subscriptions?.request_url;
    http.settings.socket_mode_enabled = true;
    expect(socket).toEqual(http);
  });

  it("declares igor's commands and the scopes its calls need, and the guide names every scope", async () => {
    const guide = await readFile(new URL('docs/slack-setup.md', ROOT), 'utf8');
    for (const file of ['manifest.yml', 'manifest.socket-mode.yml']) {
      const manifest = await read(file);
      expect(manifest.features.slash_commands.map((command) => command.command)).toEqual(['/deploy', '/rollback', '/flags']);
      expect(manifest.oauth_config.scopes.bot).toEqual(expect.arrayContaining(['commands', 'chat:write', 'chat:write.public']));
      for (const scope of manifest.oauth_config.scopes.bot) expect(guide, scope).toContain(`\`${scope}\``);
    }
  });

  it('asks for users:read (names), usergroups:read (approvers by user group), the Home tab and its app_home_opened event', async () => {
    for (const file of ['manifest.yml', 'manifest.socket-mode.yml']) {
      const manifest = (await read(file)) as HomeManifest;
      expect(manifest.oauth_config.scopes.bot).toEqual(expect.arrayContaining(['users:read', 'usergroups:read']));
      expect(manifest.features.app_home?.home_tab_enabled).toBe(true);
      expect(manifest.settings.event_subscriptions?.bot_events).toEqual(['app_home_opened']);
    }
    expect((await read('manifest.yml')).settings.event_subscriptions?.request_url).toBe('https://igor.example.com/slack/events');
  });
});
