/** Times every async method of an object (a store), without knowing its methods' names. */

/** Receives one finished (or failed) call: the method's name and its duration in seconds. */
export type OpTimer = (op: string, seconds: number) => void;

/** Every property along the prototype chain (the nearest definition of each), stopping before Object.prototype. */
function ownAndInherited(target: object): Map<string, PropertyDescriptor> {
  const found = new Map<string, PropertyDescriptor>();
  for (let proto: object | null = target; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      if (name !== 'constructor' && descriptor && !found.has(name)) found.set(name, descriptor);
    }
  }
  return found;
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * Returns an object that behaves as `target` and reports each call of a method that returns a promise to `onOp`
 * when it settles, failures included. It inherits from `target` (so fields, getters and `instanceof` still work)
 * and calls the methods on `target` itself (so private `#fields` still work); no Proxy, so no per-access cost.
 */
export function timeStore<T extends object>(target: T, onOp: OpTimer): T {
  const timed = Object.create(target) as Record<string, unknown>;
  const source = target as Record<string, (...args: unknown[]) => unknown>;
  for (const [name, descriptor] of ownAndInherited(target)) {
    if (descriptor.get) {
      // A getter reading a private field must run on the target, not on the object inheriting from it.
      Object.defineProperty(timed, name, {
        get: () => Reflect.get(target, name),
        set: descriptor.set && ((value: unknown) => Reflect.set(target, name, value)),
        enumerable: descriptor.enumerable,
      });
      continue;
    }
    const method = source[name];
    if (typeof method !== 'function') continue;
    timed[name] = (...args: unknown[]) => {
      const started = performance.now();
      const result = method.apply(target, args);
      if (!isPromise(result)) return result;
      const done = () => onOp(name, (performance.now() - started) / 1000);
      result.then(done, done);
      return result;
    };
  }
  return timed as T;
}
