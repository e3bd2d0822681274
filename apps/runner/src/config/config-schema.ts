import { type JsonSchema, type Plugin, type Task } from '@trainwatch/core';
import { ConfigSchema } from '@trainwatch/core/runner';

/**
 * A plain JSON Schema document for editors: TypeBox's symbol keys dropped, and properties with a
 * default no longer `required` (trainwatch fills defaults before it checks; an editor does not).
 */
function plain(schema: unknown): JsonSchema {
  return JSON.parse(JSON.stringify(schema), (_key, value: unknown) => {
    const v = value as { properties?: Record<string, { default?: unknown }>; required?: string[] };
    if (v && typeof v === 'object' && v.properties && Array.isArray(v.required)) {
      v.required = v.required.filter((name) => v.properties![name]?.default === undefined);
      if (v.required.length === 0) delete v.required;
    }
    return v;
  }) as JsonSchema;
}

function entryRules(items: readonly { name: string; schema: JsonSchema; description: string }[]): JsonSchema[] {
  return items.map(({ name, schema }) => ({
    if: { properties: { use: { const: name } }, required: ['use'] },
    then: {
      properties: { options: { ...plain(schema), additionalProperties: schema['additionalProperties'] ?? false } },
    },
  }));
}

function useWithNames(base: JsonSchema, items: readonly { name: string; description: string }[]): JsonSchema {
  if (items.length === 0) return base;
  // anyOf keeps any string valid (packages, paths) while editors still offer the known names.
  return {
    ...base,
    anyOf: [
      { enum: items.map((i) => i.name), markdownEnumDescriptions: items.map((i) => i.description) },
      { type: 'string' },
    ],
  };
}

/**
 * A JSON Schema for the whole config, plugin and task options included, so an editor that follows
 * `"$schema"` completes and checks every option.
 */
export function buildConfigJsonSchema(
  plugins: readonly Plugin<unknown>[],
  tasks: readonly Task<unknown>[],
): JsonSchema {
  const root = plain(ConfigSchema);
  root['$schema'] = 'http://json-schema.org/draft-07/schema#';
  root['$id'] = 'https://trainwatch.dev/schema/config.json';
  const props = root['properties'] as Record<string, JsonSchema>;
  const task = props['task']!;
  const taskProps = task['properties'] as Record<string, JsonSchema>;
  taskProps['use'] = useWithNames(taskProps['use']!, tasks);
  if (tasks.length > 0) task['allOf'] = entryRules(tasks);
  const items = (props['plugins'] as { items: JsonSchema }).items;
  const itemProps = items['properties'] as Record<string, JsonSchema>;
  itemProps['use'] = useWithNames(itemProps['use']!, plugins);
  if (plugins.length > 0) items['allOf'] = entryRules(plugins);
  return root;
}

/** One line per option: name, type, default, description (for `trainwatch plugins`). */
export function describeOptions(schema: JsonSchema, prefix = ''): string[] {
  const props = (schema['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema['required'] as string[] | undefined) ?? []);
  return Object.entries(props).flatMap(([name, p]) => {
    // Option groups (objects with their own properties) are listed member by member: `histogram.bins`.
    if (p['type'] === 'object' && p['properties']) return describeOptions(p, `${prefix}${name}.`);
    const type = Array.isArray(p['enum'])
      ? (p['enum'] as unknown[]).map((v) => JSON.stringify(v)).join('|')
      : String(p['type'] ?? 'any');
    const def = 'default' in p ? ` = ${JSON.stringify(p['default'])}` : required.has(name) ? ' (required)' : '';
    const desc = typeof p['description'] === 'string' ? `  ${p['description']}` : '';
    return [`${prefix}${name}: ${type}${def}${desc}`];
  });
}
