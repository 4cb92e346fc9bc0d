import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createConsoleChat, type ConsoleChange } from '../../../src/chat/console/chat.js';
import { createLogger } from '../../../src/logger.js';

function chatWithLog() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const chat = createConsoleChat(createLogger({ level: 'info', destination }));
  const changes: ConsoleChange[] = [];
  chat.on((change) => changes.push(structuredClone(change)));
  return { chat, lines, changes };
}

describe('the console chat (the Chat port in memory)', () => {
  it('keeps posts, replies in their thread and updates in place, telling each change', async () => {
    const { chat, changes } = chatWithLog();
    const root = await chat.post('C0DEPLOYS', { text: 'deploying' });
    const reply = await chat.reply(root, { text: 'step passed' });
    await chat.update(root, { text: 'succeeded' });
    expect(reply.channel).toBe('C0DEPLOYS');
    expect(reply.ts).not.toBe(root.ts);
    expect(chat.messages.map((message) => [message.text, message.threadTs])).toEqual([
      ['succeeded', null],
      ['step passed', root.ts],
    ]);
    expect(changes.map((change) => [change.type, change.message.text])).toEqual([
      ['posted', 'deploying'],
      ['posted', 'step passed'],
      ['updated', 'succeeded'],
    ]);
    expect(chat.messages[0]!.editedAt).not.toBeNull();
  });

  it('keeps ephemeral answers for one user, and echoes what a person typed as theirs', async () => {
    const { chat } = chatWithLog();
    await chat.ephemeral('C0DEPLOYS', 'U0BOB', { text: 'refused' });
    chat.echo('C0DEPLOYS', 'U0BOB', '/deploy main');
    expect(chat.messages.map((message) => ({ user: message.user, from: message.from, text: message.text }))).toEqual([
      { user: 'U0BOB', from: 'igor', text: 'refused' },
      { user: 'U0BOB', from: 'U0BOB', text: '/deploy main' },
    ]);
  });

  it('writes every post, reply and ephemeral to the log, as the local chat did', async () => {
    const { chat, lines } = chatWithLog();
    const root = await chat.post('C0DEPLOYS', { text: 'one' });
    await chat.reply(root, { text: 'two' });
    await chat.ephemeral('C0DEPLOYS', 'U0BOB', { text: 'three' });
    expect(lines.filter((line) => line.chat === 'console').map((line) => line.msg)).toEqual(['one', 'two', 'three']);
  });

  it('ignores an update of a message it does not have, as Slack would refuse it without harm', async () => {
    const { chat, changes } = chatWithLog();
    await chat.update({ channel: 'C0X', ts: '1.000001' }, { text: 'ghost' });
    expect(changes).toEqual([]);
  });
});
