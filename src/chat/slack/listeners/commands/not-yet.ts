import type { App } from '@slack/bolt';

/** Commands in the app manifest whose features are still to come: a clear answer, never silence. */
export function register(app: App, commands: readonly string[]): void {
  for (const name of commands) {
    app.command(name, async ({ ack }) => {
      await ack({ response_type: 'ephemeral', text: `:construction: \`${name}\` is not supported yet.` });
    });
  }
}
