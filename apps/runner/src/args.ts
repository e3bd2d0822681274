import { InvalidArgumentError } from 'commander';

export const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendFlag = (typeof BACKENDS)[number];

/** A commander parser for `option` that accepts integers >= 1 and names the option when it refuses. */
export function positiveInt(option: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1)
      throw new InvalidArgumentError(`${option} must be a positive integer, got "${value}"`);
    return n;
  };
}

/** A commander parser for `option` that accepts any integer. */
export function integer(option: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`${option} must be an integer, got "${value}"`);
    return n;
  };
}

/** The `--backend` parser. */
export function backendName(value: string): BackendFlag {
  if (!(BACKENDS as readonly string[]).includes(value))
    throw new InvalidArgumentError(`--backend must be one of ${BACKENDS.join(', ')}, got "${value}"`);
  return value as BackendFlag;
}

/** `--fail-on`: the lowest diagnosis severity that fails a completed run (as ESLint's --max-warnings). */
export function failLevel(value: string): 'warn' | 'error' {
  if (value !== 'warn' && value !== 'error')
    throw new InvalidArgumentError(`--fail-on must be warn or error, got "${value}"`);
  return value;
}
