import { describe, expect, it } from 'vitest';
import { threadOfPress } from '../../../src/chat/slack/press-thread.js';

describe('where a button press is answered', () => {
  it('in the thread of a reply, by the thread’s root ts as chat.postEphemeral wants it', () => {
    expect(threadOfPress({ message: { ts: '1700000002.000200', thread_ts: '1700000001.000100' } })).toBe('1700000001.000100');
    expect(threadOfPress({ container: { message_ts: '1700000002.000200', thread_ts: '1700000001.000100' } })).toBe('1700000001.000100');
  });

  it('beside a root message, with or without replies (a root with replies carries its own ts as thread_ts)', () => {
    expect(threadOfPress({ message: { ts: '1700000001.000100' } })).toBeNull();
    expect(threadOfPress({ message: { ts: '1700000001.000100', thread_ts: '1700000001.000100' } })).toBeNull();
    expect(threadOfPress({ container: { message_ts: '1700000001.000100' } })).toBeNull();
    expect(threadOfPress({})).toBeNull();
  });
});
