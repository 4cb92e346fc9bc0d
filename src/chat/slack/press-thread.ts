/** The parts of a `block_actions` payload that say where the pressed button was. */
export interface PressedIn {
  message?: { ts: string; thread_ts?: string | undefined } | undefined;
  container?: { message_ts?: unknown; thread_ts?: unknown } | undefined;
}

/**
 * The thread to answer a button press in: the one of the message that held the button when that
 * message is a reply (by its parent's ts, as `chat.postEphemeral` wants it; a reply's own ts would
 * not show). Null for a press on a root message, which is answered beside it in the channel: a root
 * with replies carries its own ts as `thread_ts`, and is still a root.
 * @example threadOfPress({ message: { ts: '2.0', thread_ts: '1.0' } }) // '1.0'
 * @example threadOfPress({ message: { ts: '1.0', thread_ts: '1.0' } }) // null
 */
export function threadOfPress(body: PressedIn): string | null {
  const container = body.container ?? {};
  const ts = body.message?.ts ?? (typeof container.message_ts === 'string' ? container.message_ts : null);
  const threadTs = body.message?.thread_ts ?? (typeof container.thread_ts === 'string' ? container.thread_ts : null);
  return threadTs && threadTs !== ts ? threadTs : null;
}
