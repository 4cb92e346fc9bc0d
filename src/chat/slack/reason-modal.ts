import type { ModalView } from '@slack/types';
import { z } from 'zod';
import { BREAK_GLASS_REASON_MAX } from '../../pipeline/break-glass.js';

/** The `callback_id` of the modal that asks why, before a button that needs a reason acts. */
export const REASON_CALLBACK_ID = 'igor.reason';

/** What the modal carries from the press to its submission: the button, its value, and where it was pressed. */
export const reasonMetadata = z.strictObject({ action: z.string().min(1), value: z.string().min(1), channel: z.string().nullable() });
export type ReasonMetadata = z.infer<typeof reasonMetadata>;

/** What each button that asks for a reason shows in its modal. */
const PROMPTS: ReadonlyMap<string, { title: string; question: string }> = new Map([
  ['deploy-anyway', { title: 'Deploy anyway', question: 'Why can this deployment not wait for the freeze to end? (audited, and told in the alerts channel)' }],
]);

/** The modal opened (views.open, with the press's trigger_id) by a button that needs a reason. */
export function reasonModal(metadata: ReasonMetadata): ModalView {
  const prompt = PROMPTS.get(metadata.action) ?? { title: 'A reason', question: 'Why?' };
  return {
    type: 'modal',
    callback_id: REASON_CALLBACK_ID,
    private_metadata: JSON.stringify(metadata),
    title: { type: 'plain_text', text: prompt.title },
    submit: { type: 'plain_text', text: prompt.title },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: 'reason',
        label: { type: 'plain_text', text: prompt.question },
        element: { type: 'plain_text_input', action_id: 'reason', multiline: true, max_length: BREAK_GLASS_REASON_MAX },
      },
    ],
  };
}
