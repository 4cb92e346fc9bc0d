import { textOf, type FakeMessage } from '../support/fake-slack.js';
import { SIGNING_SECRET, type Harness } from '../support/igor-harness.js';
import { pressButton, sendSlashCommand } from '../support/slack-requests.js';

/** Drives igor like a Slack user: slash commands and button presses, signed as Slack signs them. */
export function slackDriver(h: Harness, channel = 'C0STAGING') {
  const driver = {
    async slash(text: string, userId = 'U0ALICE', command = '/deploy') {
      const responseUrl = h.slack.responseUrl();
      const response = await sendSlashCommand(h.eventsUrl, SIGNING_SECRET, { command, text, userId, responseUrl, channelId: 'C0DEPLOYS' });
      const responseId = responseUrl.split('/').pop()!;
      return {
        response,
        /** The ack's text, or else the text later posted to the response_url. */
        async answer(): Promise<string> {
          if (response.body) return textOf(response.json() as { text: string });
          const later = await h.slack.waitFor(() => h.slack.responsesTo(responseId)[0], { what: `the answer to ${command} ${text}` });
          return textOf(later.body as { text: string });
        },
      };
    },
    /** Presses the button with this label on `message` as `userId`. */
    async press(message: FakeMessage, label: string, userId: string) {
      const button = (message.blocks as Array<{ type: string; elements?: Array<{ text?: { text: string }; action_id?: string; value?: string }> }>)
        .filter((block) => block.type === 'actions')
        .flatMap((block) => block.elements ?? [])
        .find((element) => element.text?.text === label);
      if (!button) throw new Error(`no ${label} button on: ${textOf(message)}`);
      return pressButton(h.eventsUrl, SIGNING_SECRET, {
        actionId: button.action_id!,
        value: button.value!,
        userId,
        channelId: message.channel,
        messageTs: message.ts,
        ...(message.thread_ts ? { threadTs: message.thread_ts } : {}),
        responseUrl: h.slack.responseUrl(),
        text: label,
      });
    },
    root(id: string): FakeMessage | undefined {
      return h.slack.messages(channel).find((message) => message.text.includes(`deploy `) && textOf(message).includes(`deployment ${id} `));
    },
    thread(id: string): FakeMessage[] {
      const root = driver.root(id);
      return root ? h.slack.replies(channel, root.ts) : [];
    },
    async approvalRequest(id: string): Promise<FakeMessage> {
      return h.slack.waitFor(() => driver.thread(id).find((message) => textOf(message).includes('Approval needed')), { what: `the approval request of ${id}` });
    },
    async state(id: string, state: string) {
      return h.slack.waitFor(() => (h.igor.pipeline.get(id)?.state === state ? h.igor.pipeline.get(id) : undefined), { what: `deployment ${id} to be ${state}`, timeoutMs: 45_000 });
    },
    async ephemeralFor(userId: string, count = 1) {
      return h.slack.waitFor(() => (h.slack.ephemerals(userId).length >= count ? h.slack.ephemerals(userId)[count - 1] : undefined), { what: `an ephemeral for ${userId}` });
    },
  };
  return driver;
}
