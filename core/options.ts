/**
 * Every option of `new Socket()`, `net.connect()`, `net.createServer()` and
 * `socket.setTimeout()` checked once, in Node 26's order and with its code,
 * class and message, and converted once into the units core keeps (the
 * keep-alive delay in whole seconds, as Node stores it).
 * @module
 */
import { getDefaultHighWaterMark } from "node:stream";
import { BlockList } from "./block_list.ts";
import { errInvalidArgType, errInvalidArgValue, errOutOfRange } from "./errors.ts";
import { validateAbortSignal, validateInt32, validateNumber } from "./validators.ts";

const _TIMEOUT_MAX = 2 ** 31 - 1;

/**
 * Node's rule for `keepAliveInitialDelay` in Socket and Server options: a
 * number when given (negative means 0).
 * @param value the option as given
 * @returns the delay in whole seconds, as Node keeps it
 * @example
 * ```ts
 * keepAliveDelayOption(1500); // 1
 * ```
 */
export function keepAliveDelayOption(value: unknown): number {
  if (value === undefined) return 0;
  validateNumber(value, "options.keepAliveInitialDelay");
  return keepAliveSeconds(value);
}

/**
 * Milliseconds to the whole seconds of a keep-alive delay (Node truncates;
 * anything that is not a positive number is 0). The one unit conversion.
 * @param ms a delay in milliseconds, as the public API takes it
 * @returns whole seconds
 * @example
 * ```ts
 * keepAliveSeconds(60_500); // 60
 * ```
 */
export function keepAliveSeconds(ms: unknown): number {
  const s = ~~(Number(ms) / 1000);
  return s > 0 ? s : 0;
}

/**
 * The `blockList` option of Socket, connect and Server: ignored when falsy
 * (Node's null rule), else it must be a `BlockList`.
 * @param value the option as given
 * @returns the block list, or `undefined`
 * @example
 * ```ts
 * blockListOption(null); // undefined
 * ```
 */
export function blockListOption(value: unknown): BlockList | undefined {
  if (!value) return undefined;
  if (!BlockList.isBlockList(value)) {
    throw errInvalidArgType("options.blockList", "an net.BlockList", value);
  }
  return value as BlockList;
}

/**
 * Checks the `new Socket()` options Node checks before the stream exists:
 * no object mode, a numeric `keepAliveInitialDelay`.
 * @param opts the constructor options
 * @example
 * ```ts
 * checkSocketOptions({ objectMode: true }); // throws ERR_INVALID_ARG_VALUE
 * ```
 */
export function checkSocketOptions(opts: Record<string, unknown>): void {
  if (opts.objectMode) {
    throw errInvalidArgValue("options.objectMode", opts.objectMode, "is not supported");
  }
  if (opts.readableObjectMode || opts.writableObjectMode) {
    const name = opts.readableObjectMode ? "readableObjectMode" : "writableObjectMode";
    throw errInvalidArgValue(`options.${name}`, opts[name], "is not supported");
  }
  if (opts.keepAliveInitialDelay !== undefined) {
    validateNumber(opts.keepAliveInitialDelay, "options.keepAliveInitialDelay");
  }
}

/**
 * Checks the `new Socket()` options Node checks once the stream exists
 * (`signal` as the stream's own argument, `typeOfService`).
 * @param opts the constructor options
 * @example
 * ```ts
 * checkSocketStreamOptions({ signal: "x" }); // throws: The "signal" argument ...
 * ```
 */
export function checkSocketStreamOptions(opts: Record<string, unknown>): void {
  if (opts.signal) validateAbortSignal(opts.signal, "signal");
  if (opts.typeOfService !== undefined) {
    validateInt32(opts.typeOfService, "options.typeOfService", 0, 255);
  }
}

/**
 * Node's `getTimerDuration` for `socket.setTimeout()`: a non-negative finite
 * number; above 2^31-1 it is capped, with a `TimeoutOverflowWarning`.
 * @param msecs the duration as given
 * @param name the argument's name in errors
 * @returns the duration to arm
 * @example
 * ```ts
 * timerDuration(2 ** 32, "msecs"); // 2147483647, and a warning
 * ```
 */
export function timerDuration(msecs: unknown, name: string): number {
  validateNumber(msecs, name);
  if (msecs < 0 || !Number.isFinite(msecs)) {
    throw errOutOfRange(name, "a non-negative finite number", msecs);
  }
  if (msecs > _TIMEOUT_MAX) {
    process.emitWarning(
      `${msecs} does not fit into a 32-bit signed integer.\nTimer duration was truncated to ${_TIMEOUT_MAX}.`,
      "TimeoutOverflowWarning",
    );
    return _TIMEOUT_MAX;
  }
  return msecs;
}

/** `net.createServer()` options as a server keeps them (Node's public fields). */
export interface ServerConfig {
  /** Accepted sockets stay half-open (kept as given, as Node does). */
  allowHalfOpen: boolean;
  /** Accepted sockets start paused. */
  pauseOnConnect: boolean;
  /** TCP_NODELAY on accepted sockets. */
  noDelay: boolean;
  /** Keep-alive on accepted sockets. */
  keepAlive: boolean;
  /** Keep-alive delay of accepted sockets, whole seconds. */
  keepAliveInitialDelay: number;
  /** Stream buffer limit of accepted sockets. */
  highWaterMark: number;
  /** Peers refused before any `'connection'`. */
  blockList: BlockList | undefined;
}

/**
 * Validates and converts `net.createServer()` options (after the
 * options-or-listener argument was sorted out).
 * @param opts the options object
 * @returns the server's fields
 * @example
 * ```ts
 * serverOptions({ keepAliveInitialDelay: 1500 }).keepAliveInitialDelay; // 1
 * ```
 */
export function serverOptions(opts: Record<string, unknown>): ServerConfig {
  const keepAliveInitialDelay = keepAliveDelayOption(opts.keepAliveInitialDelay);
  let highWaterMark = opts.highWaterMark;
  if (highWaterMark !== undefined) {
    validateNumber(highWaterMark, "options.highWaterMark");
    if (highWaterMark < 0) highWaterMark = undefined;
  }
  return {
    allowHalfOpen: (opts.allowHalfOpen || false) as boolean,
    pauseOnConnect: !!opts.pauseOnConnect,
    noDelay: Boolean(opts.noDelay),
    keepAlive: Boolean(opts.keepAlive),
    keepAliveInitialDelay,
    highWaterMark: (highWaterMark as number | undefined) ?? getDefaultHighWaterMark(false),
    blockList: blockListOption(opts.blockList),
  };
}
