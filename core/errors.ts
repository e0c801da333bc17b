/**
 * Node-shaped errors: argument errors with Node's `code`, and system errors
 * (`errno`, `code`, `syscall`, `address`, `port`) built once for every runtime.
 * @module
 */
import { constants } from "node:os";
import { RUNTIME } from "../runtimes/_shared.ts";

// node:process, node:util and node:fs are never imported in this library: on
// Node an ESM import of a built-in makes its namespace, which reads every
// export, lazy ones included (process.report, util.parseArgs, fs.promises
// and what each loads), 0.9-1.8 MiB of RSS apiece on Node 24. The global
// `process` and process.getBuiltinModule() (Node >= 20.16, Deno 2, Bun) give
// the same objects without that.
const { getSystemErrorMap, inspect } = process.getBuiltinModule("node:util");

/** An error that carries Node's `code` and prints as `Name [CODE]: message`. */
export interface NodeErrorLike extends Error {
  /** Node's error code, e.g. `ERR_INVALID_ARG_TYPE`. */
  code: string;
}

function _brand<T extends Error>(err: T, code: string): T & { code: string } {
  const e = err as T & { code: string };
  e.code = code;
  Object.defineProperty(e, "toString", {
    value(this: Error & { code: string }) {
      return `${this.name} [${this.code}]: ${this.message}`;
    },
    enumerable: false,
    configurable: true,
    writable: true,
  });
  return e;
}

/** Creates a plain `Error` carrying `code`. */
export function codedError(code: string, message: string): NodeErrorLike {
  return _brand(new Error(message), code);
}

/** Creates a `TypeError` carrying `code`. */
export function codedTypeError(code: string, message: string): TypeError & NodeErrorLike {
  return _brand(new TypeError(message), code);
}

/** Creates a `RangeError` carrying `code`. */
export function codedRangeError(code: string, message: string): RangeError & NodeErrorLike {
  return _brand(new RangeError(message), code);
}

/** Describes a received value the way Node's messages do (`type string ('x')`). */
export function describeReceived(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === "function") {
    return `function ${value.name}`;
  }
  if (typeof value === "object") {
    const ctor = (value as { constructor?: { name?: string } }).constructor;
    if (ctor?.name) return `an instance of ${ctor.name}`;
    return inspect(value, { depth: -1 });
  }
  let shown = inspect(value, { colors: false });
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  return `type ${typeof value} (${shown})`;
}

function _subject(name: string): string {
  return name.includes(".") ? `"${name}" property` : `"${name}" argument`;
}

/** `ERR_INVALID_ARG_TYPE`: `name` must be of the listed type(s). */
export function errInvalidArgType(
  name: string,
  expected: string,
  actual: unknown,
): TypeError & NodeErrorLike {
  return codedTypeError(
    "ERR_INVALID_ARG_TYPE",
    `The ${_subject(name)} must be ${expected}. Received ${describeReceived(actual)}`,
  );
}

/** `ERR_INVALID_ARG_VALUE`: the value of `name` is not acceptable. */
export function errInvalidArgValue(
  name: string,
  value: unknown,
  reason = "is invalid",
): TypeError & NodeErrorLike {
  const kind = name.includes(".") ? "property" : "argument";
  let shown = inspect(value);
  if (shown.length > 128) shown = `${shown.slice(0, 128)}...`;
  return codedTypeError(
    "ERR_INVALID_ARG_VALUE",
    `The ${kind} '${name}' ${reason}. Received ${shown}`,
  );
}

/** `ERR_OUT_OF_RANGE`: `name` must satisfy `range`. */
export function errOutOfRange(
  name: string,
  range: string,
  received: unknown,
): RangeError & NodeErrorLike {
  return codedRangeError(
    "ERR_OUT_OF_RANGE",
    `The value of "${name}" is out of range. It must be ${range}. Received ${
      typeof received === "number" ? String(received) : inspect(received)
    }`,
  );
}

/** `ERR_SOCKET_BAD_PORT`. */
export function errSocketBadPort(
  name: string,
  port: unknown,
  allowZero = true,
): RangeError & NodeErrorLike {
  return codedRangeError(
    "ERR_SOCKET_BAD_PORT",
    `${name} should be ${allowZero ? ">=" : ">"} 0 and < 65536. Received ${
      describeReceived(port)
    }.`,
  );
}

/** `ERR_MISSING_ARGS` for alternatives: `The "options" or "port" or "path" argument must be specified`. */
export function errMissingArgs(...alternatives: string[]): TypeError & NodeErrorLike {
  const quoted = alternatives.map((n) => `"${n}"`).join(" or ");
  return codedTypeError("ERR_MISSING_ARGS", `The ${quoted} argument must be specified`);
}

/**
 * `ERR_FEATURE_UNAVAILABLE_ON_PLATFORM`: used when a runtime truly cannot do
 * what Node can; the message names the feature, the runtime and the adapter
 * (`libuv` serves Node and Deno both).
 * @param feature what was asked for, as the user wrote it
 * @param adapter the transport adapter's name
 * @returns the error to throw
 * @example
 * ```ts
 * errFeatureUnavailable("server.listen({ ipv6Only: true })", "libuv").message;
 * // on Deno: "The feature server.listen({ ipv6Only: true }) is unavailable on Deno (omninet's libuv adapter)"
 * ```
 */
export function errFeatureUnavailable(
  feature: string,
  adapter: string,
): TypeError & NodeErrorLike {
  return codedTypeError(
    "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM",
    `The feature ${feature} is unavailable on ${
      _RUNTIME_NAMES[RUNTIME]
    } (omninet's ${adapter} adapter)`,
  );
}

const _RUNTIME_NAMES = { node: "Node.js", deno: "Deno", bun: "Bun" } as const;

/** `AbortError` with `code: 'ABORT_ERR'`, as Node raises for an aborted signal. */
export function abortError(cause?: unknown): Error & { code: string } {
  const err = new Error("The operation was aborted", cause === undefined ? undefined : { cause });
  err.name = "AbortError";
  return _brand(err, "ABORT_ERR");
}

// The descriptions libuv gives the codes Node prints with a description
// (`listen EADDRINUSE: address already in use ...`): every runtime's node:util has
// libuv's table (getSystemErrorMap), read once, when a first error needs it.
let _descriptions: Map<string, string> | null = null;

function _describe(code: string): string | undefined {
  if (_descriptions === null) {
    _descriptions = new Map();
    for (const [name, text] of getSystemErrorMap().values()) _descriptions.set(name, text);
  }
  return _descriptions.get(code);
}

// getaddrinfo failures have libuv-only errno values (not in os.constants).
const _UV_ONLY_ERRNO: Record<string, number> = {
  EAI_ADDRFAMILY: -3000,
  EAI_AGAIN: -3001,
  EAI_BADFLAGS: -3002,
  EAI_CANCELED: -3003,
  EAI_FAIL: -3004,
  EAI_FAMILY: -3005,
  EAI_MEMORY: -3006,
  EAI_NODATA: -3007,
  EAI_NONAME: -3008,
  ENOTFOUND: -3008,
  EAI_OVERFLOW: -3009,
  EAI_SERVICE: -3010,
  EAI_SOCKTYPE: -3011,
  EOF: -4095,
};

/** Node's negative `errno` for a code on this platform (`ECONNREFUSED` → -111 on Linux). */
export function errnoOf(code: string): number | undefined {
  const n = (constants.errno as Record<string, number | undefined>)[code];
  if (typeof n === "number") return -n;
  return _UV_ONLY_ERRNO[code];
}

/**
 * Where a system error built from a runtime's error keeps that error: a
 * non-enumerable property, so that `util.inspect()`, `JSON.stringify()` and
 * loggers show the error as Node's (which has no `cause`).
 * @example
 * ```ts
 * const original = (err as unknown as Record<symbol, unknown>)[RUNTIME_ERROR];
 * ```
 */
export const RUNTIME_ERROR: unique symbol = Symbol.for("omninet.runtimeError");

/** Fields of a Node system error. */
export interface SystemErrorInit {
  /** POSIX-style code such as `ECONNREFUSED`. */
  code: string;
  /** The system call that failed: `connect`, `listen`, `read`, `write`, `getaddrinfo`... */
  syscall: string;
  /** The address (IP or Unix path) involved, if any. */
  address?: string | null;
  /** The port involved, if any. */
  port?: number;
  /** A host name, for `getaddrinfo` errors. */
  hostname?: string;
  /**
   * Adds libuv's description to the message (`listen EADDRINUSE: address
   * already in use`). Defaults to true for `listen`, the one syscall Node
   * describes.
   */
  describe?: boolean;
  /**
   * Node's ` - Local (address:port)` detail: a connect error the connect
   * call itself returned carries the socket's local end as `getsockname()`
   * gave it (`0.0.0.0:0` unbound, `undefined:undefined` where there was none).
   */
  local?: string;
  /**
   * The runtime's original error, kept under {@link RUNTIME_ERROR} (not as
   * `cause`, which Node's system errors do not have).
   */
  cause?: unknown;
}

/** A Node system error: `Error` with `errno`, `code`, `syscall`, `address`, `port`. */
export interface SystemError extends Error {
  /** Negative errno, as Node reports it. */
  errno: number;
  /** POSIX-style code. */
  code: string;
  /** The failing system call. */
  syscall: string;
  /** Address involved, if any. */
  address?: string;
  /** Port involved, if any. */
  port?: number;
  /** Host name for `getaddrinfo` errors. */
  hostname?: string;
}

/**
 * Builds a system error with Node's message:
 * `connect ECONNREFUSED 127.0.0.1:9`, `listen EADDRINUSE: address already in use :::80`,
 * `connect ENOENT /tmp/x.sock`, `read ECONNRESET`, `getaddrinfo ENOTFOUND host`.
 */
export function systemError(init: SystemErrorInit): SystemError {
  const { code, syscall, port, hostname } = init;
  const address = init.address ?? undefined;
  let message = `${syscall} ${code}`;
  const description = (init.describe ?? syscall === "listen") ? _describe(code) : undefined;
  if (description !== undefined) message += `: ${description}`;
  if (hostname !== undefined) message += ` ${hostname}`;
  else if (address !== undefined) {
    message += port !== undefined && port > 0 ? ` ${address}:${port}` : ` ${address}`;
  }
  if (init.local !== undefined) message += ` - Local (${init.local})`;
  const err = new Error(message) as SystemError;
  // Node's system errors have no `cause` (util.inspect and loggers would print the runtime's
  // error under it): the runtime's error stays reachable, hidden, for debugging.
  if (init.cause !== undefined) {
    Object.defineProperty(err, RUNTIME_ERROR, {
      value: init.cause,
      writable: true,
      configurable: true,
    });
  }
  // Node's listen errors list `code` before `errno` and always carry an
  // `address` (null for a listen on a descriptor); its other system errors
  // start with `errno`.
  const listen = syscall === "listen";
  if (listen) err.code = code;
  err.errno = errnoOf(code) ?? -1;
  err.code = code;
  err.syscall = syscall;
  if (hostname !== undefined) err.hostname = hostname;
  if (address !== undefined) err.address = address;
  else if (listen) (err as { address?: string | null }).address = null;
  if (port !== undefined && port > 0) err.port = port;
  return err;
}

const _warned = new Set<string>();

/** The codes `warnOnce` has emitted in this process. */
export function warnedCodes(): ReadonlySet<string> {
  return _warned;
}

/**
 * Emits a process warning once per `code`, for a setting a runtime cannot
 * honour where throwing would break ordinary programs (a listen backlog, a
 * keep-alive delay): the value is not silently dropped, and the program runs.
 */
export function warnOnce(code: string, message: string): void {
  if (_warned.has(code)) return;
  _warned.add(code);
  process.emitWarning(message, { type: "OmninetWarning", code });
}
