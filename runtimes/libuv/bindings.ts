/**
 * Node's handle bindings as the libuv adapter uses them: their shapes, the
 * check that loads them (`loadBindings`, which also sets `uv`), and errno
 * naming.
 * @module
 */
import { constants as osConstants } from "node:os";
import { type SystemError, systemError } from "../../core/errors.ts";
import type { AddressInfo } from "../types.ts";
import { ipEndpoint, RUNTIME } from "../_shared.ts";

// node:util by getBuiltinModule, not `import`: see core/errors.ts.
const { getSystemErrorName } = process.getBuiltinModule("node:util");

/** A write or shutdown callback. */
export type Cb = (err?: SystemError | null) => void;

/** What the stream handles (TCP and Pipe) offer. */
export interface RawStream {
  onread: (this: RawStream, buf: ArrayBuffer | undefined) => void;
  readStart(): number;
  readStop(): number;
  writeBuffer(req: Req, data: Uint8Array): number;
  writev(req: Req, chunks: Uint8Array[], allBuffers: boolean): number;
  shutdown(req: Req): number;
  close(cb?: () => void): void;
  ref(): void;
  unref(): void;
  getsockname?(out: Record<string, unknown>): number;
  getpeername?(out: Record<string, unknown>): number;
  setNoDelay?(enable: boolean): number;
  setKeepAlive?(
    enable: boolean,
    delaySeconds: number,
    intervalSeconds?: number,
    count?: number,
  ): number;
  setTypeOfService?(tos: number): number;
  getTypeOfService?(): number;
  reset?(cb: () => void): number;
  open?(fd: number): number;
  /** Node: bytes of the writes in flight not yet sent (Deno's handles have none). */
  writeQueueSize?: number;
  /** Whether the owner reads: node:net keeps it, node:tls reads it (set once handed out). */
  reading?: boolean;
  [OWNER]?: unknown;
}

/** A server handle (TCP or Pipe). */
export interface RawServer {
  onconnection: (this: RawServer, status: number, client?: RawStream) => void;
  listen(backlog: number): number;
  close(cb?: () => void): void;
  ref(): void;
  unref(): void;
  getsockname?(out: Record<string, unknown>): number;
  /** Deno: takes the pending connection into `client` (Node passes it to onconnection). */
  accept?(client: RawStream): number;
  [OWNER]?: unknown;
}

/** A request object (connect, write, shutdown). */
export interface Req {
  oncomplete: (this: Req, status: number) => void;
  handle?: RawStream;
  async?: boolean;
  /** Keeps the written bytes alive while the kernel has not taken them. */
  data?: unknown;
  /** Deno: a write issued before its handle was first polled (see `_reissue` in `stream.ts`). */
  unpolled?: boolean;
  [OWNER]?: unknown;
}

type _ReqClass = new () => Req;

/** The bindings this adapter uses, checked once. */
export interface Bindings {
  TCP: new (type: number) => RawStream & RawServer & {
    bind(address: string, port: number, flags?: number): number;
    bind6(address: string, port: number, flags: number): number;
    bindWithFlags?(address: string, port: number, flags: number): number;
    connect(req: Req, address: string, port: number): number;
    connect6(req: Req, address: string, port: number): number;
  };
  Pipe: new (type: number) => RawStream & RawServer & {
    bind(path: string): number;
    connect(req: Req, path: string): number;
  };
  TCPConnectWrap: _ReqClass;
  PipeConnectWrap: _ReqClass;
  WriteWrap: _ReqClass;
  ShutdownWrap: _ReqClass;
  state: Int32Array;
  kNread: number;
  kOffset: number;
  kAsync: number;
  tcp: { SOCKET: number; SERVER: number; UV_TCP_IPV6ONLY: number; UV_TCP_REUSEPORT?: number };
  pipe: { SOCKET: number; SERVER: number };
  /** Deno's handle layer (see `mod.ts`'s notes). */
  deno: boolean;
  /** The kind of a descriptor (`TCP`, `PIPE`, `TTY`, `FILE`, `UNKNOWN`), where exposed. */
  guessHandleType?: (fd: number) => string;
}

/** Where a handle or request keeps its owner (the adapter object, or a callback). */
export const OWNER: unique symbol = Symbol("omninet.owner");
/**
 * Where a connected TCP or Pipe handle keeps its stream (`UvStream`). On Node,
 * the handle's own `onconnection` slot: every Node handle is made with it (and
 * `reading` and an owner symbol), Node's C++ calls it only on a listening
 * handle, and nothing reads it on a connected one. A property of ours would be
 * a fourth own property, which grows the handle's property store from 40 to 64
 * bytes (24 B per connection, Node 20 to 26 heap snapshots). Deno's handles
 * start with no own property: a symbol there, as on requests and listeners.
 */
export let STREAM_OWNER: typeof OWNER | "onconnection" = OWNER;
/** libuv's end-of-stream status. */
export const UV_EOF: number = -4095;
// Deno's handle layer returns the system's errno, negated.
/** EPIPE as a status. */
export const UV_EPIPE: number = -osConstants.errno.EPIPE;
/** EINVAL as a status. */
export const UV_EINVAL: number = -osConstants.errno.EINVAL;
/** EEXIST as a status. */
export const UV_EEXIST: number = -osConstants.errno.EEXIST;
/** EALREADY as a status. */
export const UV_EALREADY: number = -osConstants.errno.EALREADY;
/** EADDRNOTAVAIL as a status. */
export const UV_EADDRNOTAVAIL: number = -osConstants.errno.EADDRNOTAVAIL;
/** EADDRINUSE as a status. */
export const UV_EADDRINUSE: number = -osConstants.errno.EADDRINUSE;

/** The loaded bindings (set by `loadBindings()`). */
export let uv: Bindings;

/** The code of a libuv status (`-111` → `ECONNREFUSED`), `EIO` for one the runtime cannot name. */
export function uvCode(status: number): string {
  try {
    return getSystemErrorName(status);
  } catch {
    return "EIO";
  }
}

/** A system error from a libuv status and where it happened. */
export function uvError(
  status: number,
  syscall: string,
  address?: string,
  port?: number,
  local?: string,
): SystemError {
  return systemError({ code: uvCode(status), syscall, address, port, local });
}

/**
 * Calls `cb` in the loop's closing phase of this turn, where a handle's close
 * callback comes: that of a handle that never opened a socket (core's
 * `afterLoopTurn` would come a turn later).
 * @param cb the close callback
 */
export function closePhase(cb: () => void): void {
  new uv.TCP(uv.tcp.SOCKET).close(cb);
}

/** An IP endpoint from getsockname/getpeername output. */
export function endpointOf(out: Record<string, unknown>): AddressInfo | null {
  // Node's handles fill in an endpoint, fields in Node's order: no copy (one object
  // less per read). Deno's put `port` before `family`, so theirs is rebuilt.
  if (
    !uv.deno && (out.family === "IPv4" || out.family === "IPv6") && typeof out.port === "number" &&
    typeof out.address === "string" && out.address !== ""
  ) return out as unknown as AddressInfo;
  return ipEndpoint(out.address, out.family, out.port);
}

/** An environment variable; on Deno only where reading it needs no prompt. */
function _env(p: { env: Record<string, string | undefined> }, name: string): string | undefined {
  const d = (globalThis as {
    Deno?: {
      permissions?: { querySync?(d: { name: string; variable: string }): { state: string } };
    };
  }).Deno;
  if (
    d !== undefined &&
    d.permissions?.querySync?.({ name: "env", variable: name }).state !== "granted"
  ) {
    return undefined;
  }
  return p.env[name];
}

/** Loads and checks the handle bindings; `null` where they are missing or off limits. */
export function loadBindings(): Bindings | null {
  const p = process as unknown as {
    binding?(name: string): Record<string, unknown>;
    execArgv: string[];
    env: Record<string, string | undefined>;
    permission?: unknown;
  };
  const deno = RUNTIME === "deno";
  if (typeof p.binding !== "function") return null;
  // Under --pending-deprecation process.binding() prints DEP0111 (Deno too,
  // from NODE_OPTIONS); under Node's permission model it throws. The
  // fallback adapter serves those programs. (Deno checks its own
  // permissions inside the handles.)
  if (!deno && p.permission !== undefined) return null;
  const flags = `${p.execArgv.join(" ")} ${_env(p, "NODE_OPTIONS") ?? ""}`;
  if (flags.includes("--pending-deprecation") || _env(p, "NODE_PENDING_DEPRECATION") === "1") {
    return null;
  }
  try {
    const tcp = p.binding("tcp_wrap");
    const pipe = p.binding("pipe_wrap");
    const stream = p.binding("stream_wrap");
    const b = {
      TCP: tcp.TCP,
      Pipe: pipe.Pipe,
      TCPConnectWrap: tcp.TCPConnectWrap,
      PipeConnectWrap: pipe.PipeConnectWrap,
      WriteWrap: stream.WriteWrap,
      ShutdownWrap: stream.ShutdownWrap,
      state: stream.streamBaseState,
      kNread: stream.kReadBytesOrError,
      kOffset: stream.kArrayBufferOffset,
      kAsync: stream.kLastWriteWasAsync,
      tcp: tcp.constants,
      pipe: pipe.constants,
      deno,
    } as Bindings;
    if (deno) {
      const guess = p.binding("util").guessHandleType;
      if (typeof guess === "function") b.guessHandleType = guess as (fd: number) => string;
      const server = b.TCP.prototype as unknown as Record<string, unknown>;
      if (typeof server.accept !== "function") return null;
    }
    const classes = [
      b.TCP,
      b.Pipe,
      b.TCPConnectWrap,
      b.PipeConnectWrap,
      b.WriteWrap,
      b.ShutdownWrap,
    ];
    if (classes.some((c) => typeof c !== "function")) return null;
    if (!(b.state instanceof Int32Array)) return null;
    if ([b.kNread, b.kOffset, b.kAsync].some((k) => typeof k !== "number")) return null;
    const proto = b.TCP.prototype as unknown as Record<string, unknown>;
    const needed = ["readStart", "readStop", "writeBuffer", "writev", "shutdown", "bind6", "reset"];
    if (needed.some((m) => typeof proto[m] !== "function")) return null;
    if (typeof b.tcp?.SOCKET !== "number" || typeof b.pipe?.SOCKET !== "number") return null;
    uv = b;
    STREAM_OWNER = deno ? OWNER : "onconnection";
    return b;
  } catch {
    return null;
  }
}
