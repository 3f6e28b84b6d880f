// Argument checks shared by the one-shot crypto functions: clear errors before any WASM call.

export function bytes(name: string, value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
  return value;
}

export function length(name: string, value: unknown, ...allowed: number[]): Uint8Array {
  const b = bytes(name, value);
  if (!allowed.includes(b.length)) {
    throw new RangeError(`${name} must be ${allowed.join(' or ')} bytes, got ${b.length}`);
  }
  return b;
}

export function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new RangeError(`unknown ${name} '${String(value)}': expected one of ${allowed.join(', ')}`);
  }
  return value as T;
}
