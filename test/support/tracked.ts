/**
 * Argument wrappers that record every observable access, so differential tests
 * can check that compiled code touches its arguments in the same order as the
 * original: a Proxy that logs property reads, `in` checks and key listings
 * (wrapping nested objects too), and a number-like object whose `valueOf` logs.
 */
export function tracked<T extends object>(target: T, log: string[], name = "arg"): T {
  return new Proxy(target, {
    get(t, key, receiver) {
      log.push(`get ${name}.${String(key)}`);
      const value = Reflect.get(t, key, receiver);
      if (value !== null && typeof value === "object" && !ArrayBuffer.isView(value)) return tracked(value, log, `${name}.${String(key)}`);
      return value;
    },
    has(t, key) {
      log.push(`has ${name}.${String(key)}`);
      return Reflect.has(t, key);
    },
    ownKeys(t) {
      log.push(`keys ${name}`);
      return Reflect.ownKeys(t);
    },
    getOwnPropertyDescriptor(t, key) {
      log.push(`descriptor ${name}.${String(key)}`);
      return Reflect.getOwnPropertyDescriptor(t, key);
    },
  });
}

/** An object that converts to `value` and logs each conversion. */
export function loggingNumber(value: number, log: string[], name = "num"): { valueOf(): number } {
  return {
    valueOf() {
      log.push(`valueOf ${name}`);
      return value;
    },
  };
}
