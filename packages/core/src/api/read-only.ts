/**
 * A read-only view of a plugin's options that throws on every write, nested objects and arrays
 * included: `Object.freeze` alone ignores writes silently in sloppy-mode scripts (most CommonJS
 * plugin files), and a plugin that thinks it changed its options would be wrong without a word.
 */
export function readOnlyView<T extends object>(value: T, owner: string, at = 'ctx.options'): T {
  const views = new WeakMap<object, unknown>();
  const wrap = (v: unknown, where: string): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (!views.has(v)) {
      const refuse = (key: PropertyKey): never => {
        throw new TypeError(
          `${owner}: ${where}${typeof key === 'symbol' ? '' : `.${String(key)}`} is read-only (options are validated once, before setup)`,
        );
      };
      views.set(
        v,
        new Proxy(v, {
          get: (t, key, r) => wrap(Reflect.get(t, key, r), typeof key === 'symbol' ? where : `${where}.${String(key)}`),
          set: (_t, key) => refuse(key),
          defineProperty: (_t, key) => refuse(key),
          deleteProperty: (_t, key) => refuse(key),
          setPrototypeOf: () => refuse('__proto__'),
        }),
      );
    }
    return views.get(v);
  };
  return wrap(value, at) as T;
}
