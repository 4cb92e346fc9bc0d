/**
 * Names that every plain object answers although nobody set them (`constructor`, `toString`,
 * `__proto__`, …), and `prototype`. A name a person typed (an environment, an app, a flag key, a
 * file of the console) is never one of these, so it can never reach an object's prototype.
 */
const RESERVED: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/** Whether `name` is one a plain object answers by itself. */
export function isReservedName(name: string): boolean {
  return RESERVED.has(name);
}

/**
 * Records keyed by names people type, with no prototype: `record.constructor` is undefined and
 * `__proto__` is a key like any other. Use for every user-keyed record the store keeps.
 * @example const locks = dictionary<Lock>(); locks['__proto__'] // undefined
 */
export function dictionary<T>(entries: Iterable<readonly [string, T]> = []): Record<string, T> {
  const record = Object.create(null) as Record<string, T>;
  for (const [key, value] of entries) record[key] = value;
  return record;
}

/** `record[key]` if the record itself has that key, else undefined: never a value from its prototype. */
export function ownEntry<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
