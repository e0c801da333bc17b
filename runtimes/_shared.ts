/**
 * Helpers more than one adapter needs: the endpoint cache every stream
 * handle extends, endpoint construction from the loose fields runtimes
 * report, and a dial that fails without asking the runtime. Every
 * adapter imports these from here; no adapter imports another adapter.
 * @module
 */
import { clearTimeout as _clearTimer, setTimeout as _setTimer } from "../core/builtins.ts";
import type { AddressInfo, Endpoint, TcpConnectRequest } from "./types.ts";

/**
 * The runtime this code runs on, by its globals: the one place that tells.
 * @returns `"deno"`, `"bun"` or `"node"`
 * @example
 * ```ts
 * if (detectRuntime() === "deno") console.log("on Deno");
 * ```
 */
export function detectRuntime(): "deno" | "bun" | "node" {
  return RUNTIME;
}

/** {@link detectRuntime}'s answer, read once. */
export const RUNTIME: "deno" | "bun" | "node" = (() => {
  const g = globalThis as { Deno?: { version?: { deno?: string } }; Bun?: unknown };
  if (typeof g.Deno?.version?.deno === "string") return "deno";
  if (g.Bun !== undefined) return "bun";
  return "node";
})();

/**
 * The bytes a connection takes at once, as a kernel's send buffer does: what
 * Node's writes hand Linux's loopback within their calls on a fresh
 * connection (TCP ~3.7 MiB, up to tcp_wmem's 4 MiB; a Unix socket ~192 KiB).
 * Adapters whose runtime writes later take this much before their write
 * callbacks wait, and their close lets it out first.
 */
export const TCP_SEND_BUFFER: number = 4 * 1024 * 1024;
/** {@link TCP_SEND_BUFFER} for a Unix socket. */
export const UNIX_SEND_BUFFER: number = 256 * 1024;

/**
 * The bytes of a writev's chunks together.
 * @param chunks the chunks
 * @returns the sum of their lengths
 * @example
 * ```ts
 * byteLength([new Uint8Array(2), new Uint8Array(3)]); // 5
 * ```
 */
export function byteLength(chunks: readonly Uint8Array[]): number {
  let total = 0;
  for (let i = 0; i < chunks.length; i++) total += chunks[i].byteLength;
  return total;
}

/**
 * An IP endpoint from the loose fields a runtime reports, or `null` when
 * they do not name one.
 * @param address IP text
 * @param family `'IPv4'`/`'IPv6'` or 4/6 (the text decides where absent)
 * @param port port number
 * @returns the endpoint, or `null`
 * @example
 * ```ts
 * ipEndpoint("::1", "IPv6", 80); // { address: "::1", family: "IPv6", port: 80 }
 * ```
 */
export function ipEndpoint(address: unknown, family: unknown, port: unknown): AddressInfo | null {
  if (typeof address !== "string" || address === "" || typeof port !== "number") return null;
  const fam = family === "IPv6" || family === 6 || address.includes(":") ? "IPv6" : "IPv4";
  return { address, family: fam, port };
}

/** The last IPv4 peer {@link knownPeer} made: the endpoint consecutive dials to one server share. */
let _lastPeer: AddressInfo | undefined;

/**
 * The dialled peer where it costs no syscall: an IPv4 literal that passed
 * isIP() is already in the canonical form getpeername reports (but 0.0.0.0,
 * which the kernel dials as 127.0.0.1); IPv6 text may
 * be written differently (`0:0::1`), so that one is asked for. Consecutive
 * dials to one server share one endpoint object (endpoints are never
 * mutated; owners copy what they hand out, as with {@link fixedLocal}), so
 * a client costs neither a system call nor an object for its peer.
 * @param req the dial
 * @returns the remote endpoint, or `undefined` when it must be asked for
 * @example
 * ```ts
 * knownPeer({ address: "127.0.0.1", port: 80, family: 4 });
 * ```
 */
export function knownPeer(req: TcpConnectRequest): AddressInfo | undefined {
  // A dial to 0.0.0.0 reaches this host: the kernel names the peer 127.0.0.1.
  if (req.family !== 4 || req.address === "0.0.0.0") return undefined;
  const last = _lastPeer;
  if (last !== undefined && last.port === req.port && last.address === req.address) return last;
  return _lastPeer = { address: req.address, family: "IPv4", port: req.port };
}

/**
 * Every accepted connection's local end, for a listener bound to one
 * address; `undefined` on a wildcard, where it depends on the route.
 * @param a the listener's address
 * @returns the shared local endpoint, or `undefined`
 * @example
 * ```ts
 * fixedLocal({ address: "127.0.0.1", family: "IPv4", port: 8080 });
 * ```
 */
export function fixedLocal(a: AddressInfo): AddressInfo | undefined {
  if (a.address === "0.0.0.0" || a.address === "::") return undefined;
  return ipEndpoint(a.address, a.family, a.port) ?? undefined;
}

/** Does nothing (a callback slot that must hold a function). */
export function noop(): void {}

/**
 * How long a close waits for bytes a runtime still writes asynchronously
 * (Deno's handles and `Deno.Conn`, Deno's `node:net`), where Node's write
 * hands them to the kernel within the call, without any of them going out:
 * a peer that takes nothing for that long loses them, as a close loses Node's
 * queued writes. The wait goes on while bytes go out, as the kernel goes on
 * sending what a closed socket left. Deno can leave a write unserved for
 * seconds under load (measured with `Deno.connect` alone: 200–1,000
 * connections echoing, reads and writes waiting 1.5–2.8 s while the peer had
 * taken everything), so the bound is generous.
 */
const _LINGER_MS = 5000;

/** A close's wait for writes in flight (see {@link lingerTimer}). */
export interface Linger {
  /** Ends the wait without firing (the writes are out, or the close went another way). */
  stop(): void;
}

/**
 * Starts the bound of a close that waits for writes in flight (see
 * `_LINGER_MS`): `fire` runs once `progress()` has not changed for that
 * long, unless `stop()` comes first. The timer does not keep the process
 * alive by itself.
 * @param fire what closes at the bound
 * @param progress a figure that changes whenever bytes go out (e.g. the bytes still waiting)
 * @param ms the bound (tests shorten it)
 * @returns the wait, to `stop()` once the writes are out
 * @example
 * ```ts
 * let waiting = 3;
 * const linger = lingerTimer(() => console.log("gave up"), () => waiting);
 * linger.stop();
 * ```
 */
export function lingerTimer(
  fire: () => void,
  progress: () => number,
  ms: number = _LINGER_MS,
): Linger {
  let seen = progress();
  let timer: ReturnType<typeof _setTimer> | undefined;
  const check = (): void => {
    const now = progress();
    if (now === seen) {
      timer = undefined;
      fire();
      return;
    }
    seen = now;
    arm();
  };
  const arm = (): void => {
    // node:timers' timers can be unref'd on every runtime (Deno's global ones are numbers).
    timer = _setTimer(check, ms).unref();
  };
  arm();
  return {
    stop(): void {
      if (timer !== undefined) _clearTimer(timer);
      timer = undefined;
    },
  };
}

// Deno's and Bun's reporter of an uncaught exception; undefined on Node (see passOn).
const _reportError: ((err: unknown) => void) | undefined = RUNTIME !== "node"
  ? (globalThis as { reportError?: (err: unknown) => void }).reportError
  : undefined;

/**
 * Passes on an exception that user code threw inside a runtime callback (a
 * connect's, an accept's, a write's completion), so that it is uncaught as on
 * Node: `'uncaughtException'` if the program listens for it, else the process
 * dies with it. Deno's handles drop whatever their callbacks throw, all but a
 * read's (its own `node:net` then goes on as if nothing happened, or prints it
 * and exits 0), and Bun's `node:net` turns what its socket's listeners throw
 * into an `'error'` of that socket (the inner one, under the node:net
 * adapter); there it goes to `reportError()`, which both treat as uncaught.
 * On Node it is thrown on, exactly as it came.
 * @param err what the callback threw
 * @example
 * ```ts
 * try {
 *   onConnect();
 * } catch (err) {
 *   passOn(err);
 * }
 * ```
 */
export function passOn(err: unknown): void {
  if (_reportError === undefined) throw err;
  _reportError(err);
}

/**
 * Where a runtime handle given out as `_handle` keeps its byte counts at that
 * moment and what the adapter moved through it since: [0] read and [1]
 * written by the runtime's own count then (NaN: it keeps none), [2] read and
 * [3] written by the adapter since. The runtime's stacks that take a
 * `node:net` socket's handle (`node:tls`, `node:http2`) read and write it
 * past the adapter, and Node's socket counts those bytes (its `bytesRead`
 * and `bytesWritten` are the handle's); {@link wireForeign} gives them.
 */
const _WIRE: unique symbol = Symbol("omninet.wire");
type _Wired = { [_WIRE]?: Float64Array };

/** A count the runtime gave, NaN where it gave none (not a number). */
function _wireCount(n: unknown): number {
  return typeof n === "number" ? n : NaN;
}

/**
 * Starts the counts of a handle given out now.
 * @param h the runtime's handle
 * @param read the bytes it read so far by its own count (not a number: none kept)
 * @param written the bytes written to it so far by its own count (not a number: none kept)
 * @example
 * ```ts
 * wireGivenOut(handle, handle.bytesRead, handle.bytesWritten);
 * ```
 */
export function wireGivenOut(h: object, read: unknown, written: unknown): void {
  const w = new Float64Array(4);
  w[0] = _wireCount(read);
  w[1] = _wireCount(written);
  (h as _Wired)[_WIRE] = w;
}

/**
 * The adapter read (`dir` 0) or wrote (1) `n` bytes through `h` itself, at
 * the moment the runtime counts them. Nothing for a handle not given out.
 * @example
 * ```ts
 * wireOwn(handle, 1, chunk.length);
 * ```
 */
export function wireOwn(h: object, dir: 0 | 1, n: number): void {
  const w = (h as _Wired)[_WIRE];
  if (w !== undefined) w[2 + dir] += n;
}

/**
 * The bytes others read (`dir` 0) or wrote (1) through `h` since it was
 * given out, from the runtime's count now; 0 for a handle not given out, or
 * a count the runtime does not keep (not a number).
 * @example
 * ```ts
 * socketBytesWritten += wireForeign(handle, 1, handle.bytesWritten);
 * ```
 */
export function wireForeign(h: object, dir: 0 | 1, now: unknown): number {
  const w = (h as _Wired)[_WIRE];
  if (w === undefined) return 0;
  const n = _wireCount(now) - w[dir] - w[2 + dir];
  // NaN (no count kept) compares false.
  return n > 0 ? n : 0;
}

/**
 * The endpoint cache every adapter's stream handle extends: each end is read
 * from the runtime once (a system call on most runtimes) and answered from
 * here afterwards, after close too if it was read before, as Node's are (an
 * adapter may read an end it can lose early, e.g. at a FIN). Ends the adapter already
 * knows (a Unix path, an IPv4 peer it dialled, a listener's own address) are
 * given to the constructor and cost nothing.
 * @example
 * ```ts
 * class Handle extends CachedEnds {
 *   protected readLocal() { return { address: "127.0.0.1", family: "IPv4" as const, port: 1 }; }
 *   protected readRemote() { return null; }
 * }
 * ```
 */
export abstract class CachedEnds {
  #local: Endpoint | undefined;
  #remote: Endpoint | undefined;

  /**
   * @param local the local end, when already known
   * @param remote the remote end, when already known
   */
  constructor(local?: Endpoint, remote?: Endpoint) {
    this.#local = local;
    this.#remote = remote;
  }

  /** Local endpoint, or `null` once unknown. */
  localAddress(): Endpoint {
    if (this.#local === undefined) this.#local = this.readLocal();
    return this.#local;
  }

  /** Remote endpoint, or `null` once unknown. */
  remoteAddress(): Endpoint {
    if (this.#remote === undefined) this.#remote = this.readRemote();
    return this.#remote;
  }

  /** Asks the runtime for the local end (`null` when it cannot say). */
  protected abstract readLocal(): Endpoint;

  /** Asks the runtime for the remote end (`null` when it cannot say). */
  protected abstract readRemote(): Endpoint;
}
