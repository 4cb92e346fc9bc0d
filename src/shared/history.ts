/**
 * The records kept once `limit` is passed: the oldest finished ones go first; records still
 * running are never dropped, so a list may stay above its limit while they run.
 */
export function pruneOldest<Item>(items: Item[], limit: number, isFinished: (item: Item) => boolean): Item[] {
  const excess = items.length - limit;
  // Within the limit the list is kept as it is, not copied.
  if (excess <= 0) return items;
  const removable = new Set(items.filter(isFinished).slice(0, excess));
  return items.filter((item) => !removable.has(item));
}
