import { z } from 'zod';

type JsonSchema = z.core.JSONSchema.JSONSchema;

/** One JSON Schema per config schema: made on the first unknown key, kept for the next. */
const jsonSchemas = new WeakMap<z.ZodType, JsonSchema>();

/**
 * igor.yml as JSON Schema, as a person writes it (durations as text, defaults as written): what
 * the did-you-mean of an unknown key and the README's reference read the keys from.
 */
export function configJsonSchema(schema: z.ZodType): JsonSchema {
  let json = jsonSchemas.get(schema);
  if (!json) {
    // `unrepresentable: 'any'`: a refinement or transform has no JSON Schema, and needs none here.
    json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    jsonSchemas.set(schema, json);
  }
  return json;
}

/**
 * The keys `schema` allows in the mapping at `path` (`['environments', 'production']` → `channel`,
 * `approval`, …), through lists, maps of names and alternatives alike; none when `path` leads nowhere.
 * @example keysAt(configSchema, ['environments', 'production', 'health']) // ['url', 'expectStatus', …]
 */
export function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let nodes = [configJsonSchema(schema)];
  for (const segment of path) nodes = nodes.flatMap(alternatives).flatMap((node) => child(node, segment));
  return [...new Set(nodes.flatMap(alternatives).flatMap((node) => Object.keys(node.properties ?? {})))];
}

/** A node, or each of its alternatives (`anyOf`, `oneOf`, `allOf`): a union's branches each allow their own keys. */
function alternatives(node: JsonSchema): JsonSchema[] {
  const branches = [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])];
  return [node, ...branches.flatMap(alternatives)];
}

function child(node: JsonSchema, segment: PropertyKey): JsonSchema[] {
  const found: Array<JsonSchema | boolean | undefined> = [];
  if (typeof segment === 'number') found.push(Array.isArray(node.items) ? node.items[segment] : node.items);
  else if (typeof segment === 'string' && node.properties && Object.hasOwn(node.properties, segment)) found.push(node.properties[segment]);
  // A map of names (environments, apps, filters): any name leads to the same schema.
  else found.push(node.additionalProperties);
  return found.filter((entry): entry is JsonSchema => typeof entry === 'object' && entry !== null);
}
