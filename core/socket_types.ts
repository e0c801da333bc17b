/**
 * The public option and helper types of `net.Socket`, `socket.connect()` and
 * `net.connect()`, as Node's documentation names them.
 * @module
 */
import type { BoundSocket } from "./bound_socket.ts";
import type { Buffer } from "node:buffer";
import type { EventEmitter } from "node:events";
import type { AddressInfo } from "../runtimes/types.ts";
import type { LookupFunction } from "./connect.ts";
import type { OnReadOpts } from "./socket_onread.ts";
import type { BlockList } from "./block_list.ts";
import type * as nodeNet from "node:net";

/**
 * The type the installed @types/node gives option `K` of its `node:net`
 * options type `T` (without `undefined`), or `never` where it has no such
 * option: omninet's options accept what Node's typings declare, whichever
 * version a project has, so that option objects typed for either module fit
 * the other both ways.
 * @internal
 */
export type NodeOption<T, K extends PropertyKey> = K extends keyof T ? Exclude<T[K], undefined>
  : never;

/**
 * What the `blockList` options take: an omninet `BlockList` or the runtime's
 * own `node:net` one (as typed by @types/node); anything else is
 * `ERR_INVALID_ARG_TYPE` at run time, as on Node.
 */
export type BlockListOption = BlockList | nodeNet.BlockList;

/**
 * Anything shaped like a `BlockList` for `check()`. (The `blockList`
 * options take {@link BlockListOption}: at run time the value must be an
 * omninet `BlockList` or the runtime's own.)
 * @example
 * ```ts
 * import { BlockList, type BlockListLike } from "@omninet/net";
 * const list: BlockListLike = new BlockList();
 * ```
 */
export interface BlockListLike {
  /** Whether `address` matches a rule. */
  check(address: string, family?: string): boolean;
}

/**
 * The options-object form of `socket.setKeepAlive()` (Node 24.19+).
 * @example
 * ```ts
 * import { type SetKeepAliveOptions, Socket } from "@omninet/net";
 * const keepAlive: SetKeepAliveOptions = { enable: true, initialDelay: 60_000 };
 * new Socket().setKeepAlive(keepAlive);
 * ```
 */
export interface SetKeepAliveOptions {
  /** Turn keep-alive on (default `false`). */
  enable?: boolean | undefined;
  /** Milliseconds before the first probe (0 = system default). */
  initialDelay?: number | undefined;
  /** Milliseconds between probes (not settable by any transport yet). */
  interval?: number | undefined;
  /** Probes before the connection is dropped (not settable by any transport yet). */
  count?: number | undefined;
}

/** Options of `new net.Socket()`. */
export interface SocketConstructorOpts {
  /** Wrap an existing file descriptor (where the runtime can). */
  fd?: number;
  /** Keep the writable side open after the peer ends (default `false`). */
  allowHalfOpen?: boolean;
  /** Allow reads (default `true`). */
  readable?: boolean;
  /** Allow writes (default `true`). */
  writable?: boolean;
  /** Destroys the socket when aborted. */
  signal?: AbortSignal;
  /** Received bytes go into this buffer and callback instead of `'data'` events. */
  onread?: OnReadOpts;
  /** Sets TCP_NODELAY once connected. */
  noDelay?: boolean;
  /** Enables SO_KEEPALIVE once connected. */
  keepAlive?: boolean;
  /** Milliseconds before the first keep-alive probe. */
  keepAliveInitialDelay?: number;
  /** Addresses this socket may not connect to. */
  blockList?: BlockListOption;
  /** The IP Type of Service (0-255) set at connect, as `setTypeOfService()` (Node 24+). */
  typeOfService?: number;
  /**
   * A `net.BoundSocket` to connect from (its local address and port),
   * adopted by this socket (also the runtime's own, as @types/node types it).
   */
  handle?: BoundSocket | NodeOption<nodeNet.SocketConstructorOpts, "handle">;
  /** Stream buffer limit for both sides. */
  highWaterMark?: number;
  /** Stream buffer limit for the readable side. */
  readableHighWaterMark?: number;
  /** Stream buffer limit for the writable side. */
  writableHighWaterMark?: number;
}

/** Options of `socket.connect()` for TCP. */
export interface TcpSocketConnectOpts {
  /** Remote port (a numeric string works too at run time, as on Node; typed as @types/node). */
  port: number;
  /** Remote host (default `'localhost'`). */
  host?: string;
  /** Local IP to bind. */
  localAddress?: string;
  /** Local port to bind. */
  localPort?: number;
  /** 0, 4 or 6. */
  family?: number;
  /** getaddrinfo hints. */
  hints?: number;
  /** Custom `dns.lookup`. */
  lookup?: LookupFunction;
  /** Sets TCP_NODELAY once connected. */
  noDelay?: boolean;
  /** Enables SO_KEEPALIVE once connected. */
  keepAlive?: boolean;
  /** Milliseconds before the first keep-alive probe. */
  keepAliveInitialDelay?: number;
  /** Happy Eyeballs. */
  autoSelectFamily?: boolean;
  /** Milliseconds per Happy Eyeballs attempt. */
  autoSelectFamilyAttemptTimeout?: number;
  /** Addresses this socket may not connect to. */
  blockList?: BlockListOption;
  /** Must be absent for TCP. */
  path?: undefined;
}

/** Options of `socket.connect()` for a Unix domain socket. */
export interface IpcSocketConnectOpts {
  /** Filesystem path of the socket. */
  path: string;
}

/** Options of `socket.connect()`. */
export type SocketConnectOpts = TcpSocketConnectOpts | IpcSocketConnectOpts;

/** Options of `net.connect()`/`net.createConnection()` for TCP. */
export type TcpNetConnectOpts = TcpSocketConnectOpts & SocketConstructorOpts & { timeout?: number };

/** Options of `net.connect()`/`net.createConnection()` for a Unix domain socket. */
export type IpcNetConnectOpts = IpcSocketConnectOpts & SocketConstructorOpts & { timeout?: number };

/** Options of `net.connect()`/`net.createConnection()`. */
export type NetConnectOpts = TcpNetConnectOpts | IpcNetConnectOpts;

/** The base @types/node 20 and 22 give the connect options (`onread`). */
export interface ConnectOpts {
  /** Received bytes go into this buffer and callback instead of `'data'` events. */
  onread?: OnReadOpts;
}

/** `socket.readyState` values. */
export type SocketReadyState = "opening" | "open" | "readOnly" | "writeOnly" | "closed";

/** What a server lends an accepted socket so it can report its end. */
export interface ConnectionOwner {
  /** Called once when an accepted socket is destroyed. */
  _connectionClosed(): void;
}

/**
 * The type of `socket.server`: the omninet `Server` that accepted the
 * socket, through its public members (`socket.ts` cannot name the class in
 * `server.ts`: core modules have no import cycles). It is what `node:net`'s
 * `socket.server` declares, so the socket stays assignable to its `Socket`.
 * @example
 * ```ts
 * import { createServer } from "@omninet/net";
 * createServer((socket) => socket.server?.getConnections((_e, n) => console.log(n)));
 * ```
 */
export interface AcceptingServer extends EventEmitter {
  /** See `Server.listen()`. */
  listen(...args: unknown[]): this;
  /** See `Server.close()`. */
  close(callback?: (err?: Error) => void): this;
  /** See `Server.address()`. */
  address(): AddressInfo | string | null;
  /** See `Server.getConnections()`. */
  getConnections(cb: (err: Error | null, count: number) => void): this;
  /** See `Server.ref()`. */
  ref(): this;
  /** See `Server.unref()`. */
  unref(): this;
  /** See `Server.maxConnections`. */
  maxConnections: number;
  /** See `Server.connections` (deprecated). */
  readonly connections: number;
  /** See `Server.listening`. */
  readonly listening: boolean;
  /** See `Server[Symbol.asyncDispose]()`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** What a server hands each socket it accepts (Node's per-connection settings). */
export interface AcceptConfig {
  /** Keep the writable side open after the peer ends. */
  allowHalfOpen: boolean;
  /** Start paused (no reads until `resume()`). */
  pauseOnConnect: boolean;
  /** Stream buffer limit for both sides. */
  highWaterMark: number;
  /** TCP_NODELAY. */
  noDelay: boolean;
  /** SO_KEEPALIVE. */
  keepAlive: boolean;
  /** Keep-alive delay in whole seconds (the server's public field). */
  keepAliveInitialDelay: number;
  /** A Unix domain socket. */
  isUnix: boolean;
}

/** The callback `node:stream` passes to `_write`, `_writev`, `_final` and `_destroy`. */
export type StreamCallback = (err?: Error | null) => void;
/** One buffered write as `node:stream` hands it to `_writev`. */
export type StreamChunk = { chunk: Buffer | string; encoding: BufferEncoding };
