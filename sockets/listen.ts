/**
 * `listen()`: the server side the draft lacks. Accepted connections come
 * out as web `Socket`s from an async iterator, over the same transports as
 * `net.Server`.
 * @module
 */
import { lookup } from "node:dns";
import { BlockList } from "../core/block_list.ts";
import { isIP } from "../core/ip.ts";
import { listenUnix } from "../core/sys_errors.ts";
import { getTransport } from "../runtimes/mod.ts";
import type { ListenerHandle, StreamHandle } from "../runtimes/types.ts";
import { parseAddress } from "./address.ts";
import { SocketError, toSocketError } from "./error.ts";
import { closeHandle, internalsOf, makeSocket, type Socket } from "./socket.ts";

/** Where to listen: a TCP host and port (0 picks a free port) or a Unix socket path. */
export type ListenAddress = string | { hostname?: string; port: number } | { path: string };

/** Options of `listen()`. */
export interface ListenOptions {
  /** Accepted sockets' `allowHalfOpen` (default `false`, as for `connect()`). */
  allowHalfOpen?: boolean;
  /** Connections from addresses this `net.BlockList` matches are closed at once. */
  blockList?: BlockList;
  /** Listen backlog (default 511). */
  backlog?: number;
}

/** The bound address of a listener. */
export type ListenerAddr =
  | { transport: "tcp"; hostname: string; port: number }
  | { transport: "unix"; path: string };

function _resolve(hostname: string): Promise<string> {
  if (isIP(hostname)) return Promise.resolve(hostname);
  return new Promise((resolve, reject) => {
    lookup(hostname, (err, address) => {
      if (err) reject(new SocketError(`cannot resolve ${hostname}`, { cause: err }));
      else resolve(address);
    });
  });
}

function _isBlocked(blockList: BlockList | undefined, handle: StreamHandle): boolean {
  if (blockList === undefined) return false;
  const peer = handle.remoteAddress();
  if (peer === null || typeof peer === "string") return false;
  return blockList.check(peer.address, peer.family === "IPv6" ? "ipv6" : "ipv4");
}

let _newListener: (handle: ListenerHandle) => Listener;
let _deliver: (listener: Listener, socket: Socket) => void;

/**
 * A listening socket: iterate it for accepted connections.
 * @example
 * ```ts
 * import { listen } from "@omninet/net/sockets";
 * await using server = await listen({ hostname: "127.0.0.1", port: 0 });
 * for await (const socket of server) {
 *   socket.readable.pipeTo(socket.writable); // echo
 * }
 * ```
 */
export class Listener implements AsyncIterable<Socket> {
  /** The bound address (the actual port when 0 was asked). */
  readonly addr: ListenerAddr;
  #handle: ListenerHandle;
  #queue: Socket[] = [];
  #waiting: Array<(r: IteratorResult<Socket, undefined>) => void> = [];
  #closed: Promise<void> | null = null;

  /** Made by `listen()`. */
  private constructor(handle: ListenerHandle) {
    this.#handle = handle;
    const a = handle.address();
    this.addr = typeof a === "string"
      ? { transport: "unix", path: a }
      : { transport: "tcp", hostname: a.address, port: a.port };
  }

  static {
    _newListener = (handle) => new Listener(handle);
    _deliver = (listener, socket) => listener.#deliver(socket);
  }

  #deliver(socket: Socket): void {
    if (this.#closed !== null) {
      socket.close();
      return;
    }
    const waiter = this.#waiting.shift();
    if (waiter) waiter({ value: socket, done: false });
    else this.#queue.push(socket);
  }

  /**
   * Waits for the next connection.
   * @returns The accepted socket, or `null` once the listener is closed.
   * @example
   * ```ts
   * import { listen } from "@omninet/net/sockets";
   * const server = await listen({ port: 0 });
   * const socket = await server.accept();
   * ```
   */
  async accept(): Promise<Socket | null> {
    const r = await this.#next();
    return r.done ? null : r.value;
  }

  #next(): Promise<IteratorResult<Socket, undefined>> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve({ value: queued, done: false });
    if (this.#closed !== null) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /**
   * Iterates accepted connections until the listener is closed. Leaving the
   * loop early does not close the listener.
   * @returns An async iterator of sockets.
   */
  [Symbol.asyncIterator](): AsyncIterator<Socket, undefined> {
    return { next: () => this.#next() };
  }

  /**
   * Stops listening; connections not yet taken from the iterator are closed,
   * those already taken stay open.
   * @returns Resolves once the listening socket is released.
   * @example
   * ```ts
   * import { listen } from "@omninet/net/sockets";
   * const server = await listen({ port: 0 });
   * await server.close();
   * ```
   */
  close(): Promise<void> {
    if (this.#closed !== null) return this.#closed;
    this.#closed = new Promise((resolve) => closeHandle(this.#handle, resolve));
    for (const waiter of this.#waiting.splice(0)) waiter({ value: undefined, done: true });
    for (const socket of this.#queue.splice(0)) socket.close();
    return this.#closed;
  }

  /** `await using` support: closes the listener. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Listens for connections on a TCP port or a Unix socket path.
 * @param address `{ hostname?, port }` (hostname defaults to `"0.0.0.0"`), `"host:port"`, or `{ path }`.
 * @param options `allowHalfOpen` of accepted sockets, a `blockList`, a `backlog`.
 * @returns The listener, once bound; a bind failure rejects with a `SocketError`.
 * @example
 * ```ts
 * import { connect, listen } from "@omninet/net/sockets";
 * const server = await listen({ hostname: "127.0.0.1", port: 0 });
 * const client = connect({ hostname: "127.0.0.1", port: server.addr.port });
 * ```
 */
export async function listen(address: ListenAddress, options?: ListenOptions): Promise<Listener> {
  const a = (typeof address === "object" && address !== null && !("path" in address))
    ? { hostname: address.hostname ?? "0.0.0.0", port: address.port }
    : address;
  const target = parseAddress(a, true);
  const blockList = options?.blockList;
  if (blockList !== undefined && !BlockList.isBlockList(blockList)) {
    throw new TypeError("blockList must be a net.BlockList");
  }
  const allowHalfOpen = Boolean(options?.allowHalfOpen);
  const backlog = options?.backlog ?? 511;
  const transport = getTransport();
  let listener: Listener | undefined;
  const events = {
    onConnection(handle: StreamHandle): void {
      if (listener === undefined || _isBlocked(blockList, handle)) {
        handle.close(() => {});
        return;
      }
      const socket = makeSocket({ secureTransport: "off", allowHalfOpen });
      internalsOf(socket).open(handle);
      _deliver(listener, socket);
    },
    onError(): void {
      // An accept error (EMFILE...) drops that connection; listening goes on.
    },
  };
  return await new Promise<Listener>((resolve, reject) => {
    // The listener exists before any connection can be accepted (the bind may call back at once).
    const cb = (err: Error | null, handle?: ListenerHandle) => {
      if (err) reject(toSocketError(err));
      else resolve(listener = _newListener(handle!));
    };
    if (target.kind === "unix") {
      listenUnix(
        transport,
        { path: target.path, backlog, readableAll: false, writableAll: false },
        events,
        cb,
      );
      return;
    }
    _resolve(target.hostname).then((ip) =>
      transport.listenTcp(
        { address: ip, port: target.port, backlog, ipv6Only: false, reusePort: false },
        events,
        cb,
      ), reject);
  });
}
