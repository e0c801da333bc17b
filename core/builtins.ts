/**
 * The parts of Node's `node:buffer` and `node:timers` that omninet uses,
 * taken with `process.getBuiltinModule()` instead of ES imports. Importing a
 * built-in as an ES module makes Node build its namespace, which reads every
 * export, lazy ones included: `buffer.File` loads `internal/file` and
 * `timers.promises` loads `timers/promises`, two modules omninet never uses
 * that every import of the library loaded on Node (the README's loading
 * table). Deno and Bun give the same objects either way.
 * @module
 */
import type { Buffer as _Buffer } from "node:buffer";
import type * as _timers from "node:timers";

/** Node's `Buffer` (the type of its instances, and the class). */
export type Buffer = _Buffer;
/** Node's `Buffer` class. */
export const Buffer: typeof _Buffer = process.getBuiltinModule("node:buffer").Buffer;

const timers: typeof _timers = process.getBuiltinModule("node:timers");
/** `node:timers`' `setTimeout` (a `Timeout` with `unref()`, also on Deno). */
export const setTimeout: typeof _timers.setTimeout = timers.setTimeout;
/** `node:timers`' `clearTimeout`. */
export const clearTimeout: typeof _timers.clearTimeout = timers.clearTimeout;
/** `node:timers`' `setImmediate`. */
export const setImmediate: typeof _timers.setImmediate = timers.setImmediate;
