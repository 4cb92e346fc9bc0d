/** Types of node-range.mjs (plain JavaScript: it runs before `npm ci`), for the tests. */
export function satisfiesRange(version: string, range: string): boolean;
