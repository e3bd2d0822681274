import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { ConfigSchema, type TrainwatchConfig } from './schema';
import type { ConfigIssue } from '../util/errors';
import type { JsonSchema } from '../api/definition';
import { editDistance } from '../util/edit-distance';

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, verbose: true });
const compiled = new WeakMap<object, ValidateFunction>();

function compile(schema: JsonSchema): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = ajv.compile(closed(schema));
    compiled.set(schema, fn);
  }
  return fn;
}

/** Unknown options are errors: an object schema that says nothing about extra keys gets `additionalProperties: false`. */
function closed(schema: JsonSchema): JsonSchema {
  if (
    schema['type'] === 'object' &&
    schema['additionalProperties'] === undefined &&
    schema['patternProperties'] === undefined
  ) {
    return { ...schema, additionalProperties: false };
  }
  return schema;
}

/** The closest candidate when it is close enough to be a typo. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c, (x, y) => x.toLowerCase() === y.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best !== undefined && bestD < word.length && bestD <= Math.max(1, Math.floor(word.length / 3))
    ? best
    : undefined;
}

/** `/plugins/0/options/maxNorm` → `plugins[0].options.maxNorm`, under an optional prefix. */
export function jsonPath(prefix: string, pointer: string): string {
  let out = prefix;
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

function join(path: string, key: string): string {
  return jsonPath(path, `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function format(e: ErrorObject, prefix: string, noun: string): ConfigIssue {
  const path = jsonPath(prefix, e.instancePath);
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const hint = didYouMean(key, known);
      const list = known.length > 0 ? `; known: ${known.join(', ')}` : '';
      return {
        path: join(path, key),
        message: `unknown ${noun} "${key}"${hint ? ` (did you mean "${hint}"?)` : list}`,
      };
    }
    case 'required':
      return { path: join(path, (e.params as { missingProperty: string }).missingProperty), message: 'is required' };
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      const hint =
        typeof e.data === 'string'
          ? didYouMean(
              e.data,
              allowed.filter((a): a is string => typeof a === 'string'),
            )
          : undefined;
      return {
        path,
        message: `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')} (got ${describe(e.data)})${hint ? `; did you mean "${hint}"?` : ''}`,
      };
    }
    case 'type':
      return { path, message: `${e.message ?? 'has the wrong type'} (got ${describe(e.data)})` };
    case 'pattern': {
      // A schema can say what its pattern means (`x-message`); a raw regex helps nobody.
      const said = (e.parentSchema as { 'x-message'?: unknown } | undefined)?.['x-message'];
      return {
        path,
        message: typeof said === 'string' ? `${said} (got ${describe(e.data)})` : (e.message ?? 'fails its pattern'),
      };
    }
    default:
      return { path, message: e.message ?? `fails ${e.keyword}` };
  }
}

/**
 * Validates `data` against a schema, applying defaults in place. Returns the problems with paths
 * under `prefix` (e.g. `plugins[0].options`). `noun` names unknown keys ("option" or "key").
 */
export function validateAgainst(schema: JsonSchema, data: unknown, prefix = '', noun = 'key'): ConfigIssue[] {
  let fn: ValidateFunction;
  try {
    fn = compile(schema);
  } catch (e) {
    // A plugin's or task's own schema that ajv cannot compile is that module's bug, not the user's.
    return [
      {
        path: prefix,
        message: `cannot be checked: the ${noun === 'option' ? "module's options schema" : 'schema'} is invalid (${(e as Error).message})`,
      },
    ];
  }
  const overflow = nonFinite(data, prefix);
  if (overflow.length > 0) return overflow;
  if (fn(data)) return [];
  const seen = new Set<string>();
  const issues: ConfigIssue[] = [];
  for (const e of fn.errors ?? []) {
    const issue = format(e, prefix, noun);
    const id = `${issue.path}\u0000${issue.message}`;
    if (!seen.has(id)) {
      seen.add(id);
      issues.push(issue);
    }
  }
  return issues;
}

/**
 * Numbers JSON cannot hold (`1e400` parses to Infinity): refused by path before the schema sees them,
 * or they would be accepted now and written as "Infinity" into config.json.
 */
function nonFinite(data: unknown, at: string, depth = 0): ConfigIssue[] {
  if (typeof data === 'number')
    return Number.isFinite(data)
      ? []
      : [
          {
            path: at,
            message: `must be a finite number (got ${String(data)}; ${String(data).includes('Infinity') ? 'too large for a double' : 'not a number'})`,
          },
        ];
  if (depth > 64 || data === null || typeof data !== 'object') return [];
  return Object.entries(data as Record<string, unknown>).flatMap(([k, v]) =>
    nonFinite(v, Array.isArray(data) ? `${at}[${k}]` : join(at, k), depth + 1),
  );
}

/** Validates a plugin's or task's options (defaults applied in place; `{}` when absent). */
export function validateOptions(
  schema: JsonSchema,
  options: unknown,
  prefix: string,
): { options: Record<string, unknown>; issues: ConfigIssue[] } {
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options)))
    return { options: {}, issues: [{ path: prefix, message: `must be an object (got ${describe(options)})` }] };
  const value = options === undefined ? {} : options;
  const issues = validateAgainst(schema, value, prefix, 'option');
  return { options: value as Record<string, unknown>, issues };
}

/** Validates the top level of a config (plugin and task options are checked by their own schemas). */
export function validateConfig(raw: unknown): { config: TrainwatchConfig; issues: ConfigIssue[] } {
  const issues = validateAgainst(ConfigSchema as unknown as JsonSchema, raw, '', 'key');
  return { config: raw as TrainwatchConfig, issues };
}
