/**
 * Node's argument shapes for `connect()` and `listen()`: `(port[, host][, cb])`,
 * `(path[, cb])` or `(options[, cb])`, normalised once into `[options, cb]`.
 * Used by both `Socket` and `Server`, so it sits apart from either.
 * @module
 */

const _kNormalized: unique symbol = Symbol("omninet.normalizedArgs");

/** Arguments of `connect()`/`listen()` normalised to `[options, callback]`. */
export type NormalizedArgs = [Record<string, unknown>, ((...args: never[]) => unknown) | null] & {
  [_kNormalized]?: true;
};

/**
 * `Number(x)` when that is a non-negative number, else `false` (Node's `toNumber`).
 * @param x any argument
 * @returns the number, or `false`
 * @example
 * ```ts
 * toNumber("80"); // 80
 * toNumber("/tmp/s"); // false
 * ```
 */
export function toNumber(x: unknown): number | false {
  const n = Number(x);
  return n >= 0 ? n : false;
}

/**
 * Whether `value` names a Unix socket path rather than a port (a string that
 * is not a non-negative number), as Node decides.
 * @param value the first argument of `connect()`/`listen()`
 * @returns `true` for a path
 * @example
 * ```ts
 * isPipeName("/tmp/app.sock"); // true
 * ```
 */
export function isPipeName(value: unknown): value is string {
  return typeof value === "string" && toNumber(value) === false;
}

/**
 * Node's `normalizeArgs`: turns `(port[, host][, cb])`, `(path[, cb])` or
 * `(options[, cb])` into `[options, cb]`.
 * @param args the arguments as given
 * @returns a tagged `[options, callback | null]` pair
 * @example
 * ```ts
 * normalizeArgs([80, "localhost"]); // [{ port: 80, host: "localhost" }, null]
 * ```
 */
export function normalizeArgs(args: unknown[]): NormalizedArgs {
  let options: Record<string, unknown> = {};
  const arg0 = args[0];
  if (args.length === 0) {
    // nothing
  } else if (typeof arg0 === "object" && arg0 !== null) {
    options = arg0 as Record<string, unknown>;
  } else if (isPipeName(arg0)) {
    options.path = arg0;
  } else {
    options.port = arg0;
    if (args.length > 1 && typeof args[1] === "string") options.host = args[1];
  }
  const last = args[args.length - 1];
  const out = [options, typeof last === "function" ? last : null] as NormalizedArgs;
  out[_kNormalized] = true;
  return out;
}

/**
 * Whether `value` is the output of {@link normalizeArgs} (passed on by `net.connect()`).
 * @param value the first argument of `socket.connect()`
 * @returns `true` for a normalised pair
 * @example
 * ```ts
 * isNormalized(normalizeArgs([80])); // true
 * ```
 */
export function isNormalized(value: unknown): value is NormalizedArgs {
  return Array.isArray(value) && (value as NormalizedArgs)[_kNormalized] === true;
}
