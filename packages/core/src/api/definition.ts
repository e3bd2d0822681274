import type { Static, TSchema } from '@sinclair/typebox';

/** A JSON Schema object (TypeBox schemas are JSON Schemas too). */
export type JsonSchema = Record<string, unknown>;

/** Options type of a schema: TypeBox schemas give their static type, plain JSON Schemas a record. */
export type OptionsOf<S> = S extends TSchema ? Static<S> : Record<string, unknown>;

const NAME = /^[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*)?$/;

/** Checks a name against the kebab-case rule shared by plugins and tasks. */
export function assertKebabName(kind: string, name: unknown): asserts name is string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new TypeError(`${kind} name must be kebab-case (e.g. "loss-spike"), got ${JSON.stringify(name)}`);
  }
}
