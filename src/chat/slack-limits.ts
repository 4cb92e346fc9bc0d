import type { KnownBlock } from '@slack/types';
import type { ChatMessage } from './port.js';

/**
 * Slack's limits on a message (chat.postMessage and the Block Kit reference): beyond them Slack
 * refuses the whole message (`invalid_blocks`, `msg_too_long`), and a retry would fail for ever.
 */
export const SLACK_LIMITS = {
  text: 39_000,
  blocks: 50,
  sectionText: 3_000,
  fields: 10,
  fieldText: 2_000,
  contextElements: 10,
  contextText: 2_000,
  headerText: 150,
  actionElements: 25,
  buttonText: 75,
  buttonValue: 2_000,
} as const;

/**
 * The message cut to fit Slack's limits: long texts end in `…` (never inside an escape, a link or
 * a mention, and with an open code block closed), extra fields and blocks are dropped with a note.
 * Messages that fit are returned as they are.
 */
export function fitToSlack(message: ChatMessage): ChatMessage {
  const text = truncateMrkdwn(message.text, SLACK_LIMITS.text);
  if (!message.blocks) return text === message.text ? message : { ...message, text };
  let blocks = message.blocks.map(fitBlock);
  if (blocks.length > SLACK_LIMITS.blocks) {
    const dropped = blocks.length - (SLACK_LIMITS.blocks - 1);
    blocks = [...blocks.slice(0, SLACK_LIMITS.blocks - 1), { type: 'context', elements: [{ type: 'mrkdwn', text: `… and ${dropped} more block(s) not shown` }] }];
  }
  return { ...message, text, blocks };
}

function fitBlock(block: KnownBlock): KnownBlock {
  switch (block.type) {
    case 'section': {
      const fitted = { ...block };
      if (fitted.text) fitted.text = { ...fitted.text, text: truncateMrkdwn(fitted.text.text, SLACK_LIMITS.sectionText) };
      if (fitted.fields) fitted.fields = fitted.fields.slice(0, SLACK_LIMITS.fields).map((field) => ({ ...field, text: truncateMrkdwn(field.text, SLACK_LIMITS.fieldText) }));
      return fitted;
    }
    case 'context':
      return {
        ...block,
        elements: block.elements.slice(0, SLACK_LIMITS.contextElements).map((element) => ('text' in element && typeof element.text === 'string' ? { ...element, text: truncateMrkdwn(element.text, SLACK_LIMITS.contextText) } : element)),
      };
    case 'header':
      return { ...block, text: { ...block.text, text: truncateMrkdwn(block.text.text, SLACK_LIMITS.headerText) } };
    case 'actions':
      return {
        ...block,
        elements: block.elements.slice(0, SLACK_LIMITS.actionElements).map((element) =>
          element.type === 'button'
            ? { ...element, text: { ...element.text, text: truncateMrkdwn(element.text.text, SLACK_LIMITS.buttonText) }, ...(element.value !== undefined ? { value: element.value.slice(0, SLACK_LIMITS.buttonValue) } : {}) }
            : element,
        ),
      };
    default:
      return block;
  }
}

/**
 * `text` in at most `limit` characters, ending in `…` when it was cut. A cut never splits `&lt;`,
 * `<https://…|label>` or `<@U…>`, and a code block left open is closed.
 * @example truncateMrkdwn('a &lt;b&gt;', 5) // 'a …'
 */
export function truncateMrkdwn(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let cut = text.slice(0, Math.max(0, limit - 4));
  cut = cut.replace(/&[a-z]{0,4}$/, '').replace(/<[^<>]*$/, '');
  if ((cut.match(/```/g) ?? []).length % 2 === 1) cut = `${cut.slice(0, Math.max(0, limit - 7))}\`\`\``;
  return `${cut}…`;
}
