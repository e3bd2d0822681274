/**
 * A read-only view of a plugin's options that throws on every write, nested objects and arrays
 * included: `Object.freeze` alone ignores writes silently in sloppy-mode scripts (most CommonJS
 * plugin files), and a plugin that thinks it changed its options would be wrong without a word.
 */
export function readOnlyView<T extends object>(value: T, owner: string, at = 'ctx.options'): T {
  const views = new WeakMap<object, object>();
  const make = (v: object, where: string): object => {
    const refuse = (key: PropertyKey): never => {
      throw new TypeError(
        `${owner}: ${where}${typeof key === 'symbol' ? '' : `.${String(key)}`} is read-only (options are validated once, before setup)`,
      );
    };
    const view = new Proxy(v, {
      get: (t, key, r) => {
        const x: unknown = Reflect.get(t, key, r);
        // Plugins read options in the loop's hot path: a primitive or a view already made costs
        // no allocation (building the path string on every read was garbage each step).
        if (x === null || typeof x !== 'object') return x;
        return views.get(x) ?? make(x, typeof key === 'symbol' ? where : `${where}.${String(key)}`);
      },
      set: (_t, key) => refuse(key),
      defineProperty: (_t, key) => refuse(key),
      deleteProperty: (_t, key) => refuse(key),
      setPrototypeOf: () => refuse('__proto__'),
    });
    views.set(v, view);
    return view;
  };
  return make(value, at) as T;
}
