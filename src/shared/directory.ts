/**
 * The names people go by, chat-neutral: Slack's `users.info` behind its adapter, the config's
 * `people` map in local mode. Names are for plain-text places (notification text, the console,
 * App Home, pages); Slack messages keep `<@U…>` mentions, which Slack renders itself.
 *
 * @example
 * await directory.load(['U0ALICE']);
 * directory.nameOf('U0ALICE'); // 'Alice' (or 'U0ALICE' when the lookup failed)
 */
export interface Directory {
  readonly name: string;
  /** The name `id` goes by as far as known now; the id itself when it is not (yet) known. */
  nameOf(id: string): string;
  /** Looks up the ids not known yet; resolves when each is known or has failed (then its id stands). Never rejects. */
  load(ids: Iterable<string>): Promise<void>;
}

/** Slack user ids: `U…` (or `W…` in Enterprise Grid). Anyone else (`api`, `github:ada`) has no lookup. */
export const isUserId = (id: string): boolean => /^[UW][A-Z0-9]{2,}$/.test(id);

/** The local directory: the config's `people` (a prototype-free record); anyone else by id. */
export function createLocalDirectory(people: Readonly<Record<string, string>> | undefined): Directory {
  return {
    name: 'local',
    nameOf: (id) => (people && Object.hasOwn(people, id) ? people[id]! : id),
    load: () => Promise.resolve(),
  };
}

/** `<@U0ALICE>` mentions in a text as the names those people go by (`@Alice`), for plain-text places. */
export function namedMentions(text: string, directory: Directory): string {
  return text.replace(/<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>/g, (_, id: string) => `@${directory.nameOf(id)}`);
}

/** The user ids mentioned in a text. */
export function mentionedIds(text: string): string[] {
  return [...text.matchAll(/<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>/g)].map((match) => match[1]!);
}
