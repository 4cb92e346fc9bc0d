import { createApp } from './app.js';
import { ENV_FILE, loadEnvFile, settingsOf } from './config/env-file.js';
import { ConfigError } from './config/load.js';

/** The only place that reads the environment (and `.env`): everything else gets options. */
try {
  const fromEnvFile = loadEnvFile(ENV_FILE, process.env);
  const env = settingsOf(process.env);
  const port = Number(env.PORT ?? 3000);
  const igor = await createApp({
    configPath: env.IGOR_CONFIG ?? './igor.yml',
    dataDir: env.IGOR_DATA_DIR ?? './data',
    port,
    host: env.IGOR_HOST ?? env.IGOR_CONSOLE_HOST,
    publicUrl: env.IGOR_PUBLIC_URL,
    slack: env.SLACK_BOT_TOKEN
      ? { botToken: env.SLACK_BOT_TOKEN, signingSecret: env.SLACK_SIGNING_SECRET, appToken: env.SLACK_APP_TOKEN, apiUrl: env.SLACK_API_URL }
      : undefined,
    apiToken: env.IGOR_API_TOKEN,
    apiTokens: env.IGOR_API_TOKENS,
    alertsToken: env.IGOR_ALERTS_TOKEN,
    flagsToken: env.IGOR_FLAGS_TOKEN,
    flagsPublic: env.IGOR_FLAGS_PUBLIC === 'true' || env.IGOR_FLAGS_PUBLIC === '1',
    alarmCheckMs: env.IGOR_ALARM_CHECK_MS ? Number(env.IGOR_ALARM_CHECK_MS) : undefined,
    graceMs: env.IGOR_GRACE_PERIOD ? Number(env.IGOR_GRACE_PERIOD) * 1000 : undefined,
    logLevel: env.LOG_LEVEL ?? 'info',
    github: { webhookSecret: env.GITHUB_WEBHOOK_SECRET, token: env.GITHUB_TOKEN, apiUrl: env.GITHUB_API_URL },
    processEnv: { PATH: env.PATH ?? '/usr/bin:/bin', HOME: env.HOME ?? '/', USER: env.USER ?? env.LOGNAME ?? 'root', SSH_AUTH_SOCK: env.SSH_AUTH_SOCK },
  });
  // Names only: the values may be secrets.
  if (fromEnvFile.length > 0) igor.log.info({ file: ENV_FILE, variables: fromEnvFile }, `read ${fromEnvFile.length} setting(s) from ${ENV_FILE}`);
  await igor.start();
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    igor.log.info({ signal }, 'stopping');
    igor.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        igor.log.error({ err: error }, 'could not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
} catch (error) {
  if (error instanceof ConfigError) {
    for (const problem of error.problems) process.stderr.write(`igor: ${problem}\n`);
    process.exit(1);
  }
  throw error;
}
