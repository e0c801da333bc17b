/**
 * `net.Server`: listens over a transport listener and wraps each accepted
 * handle in a `Socket`, with Node's semantics for `maxConnections`/`'drop'`,
 * `blockList`, `pauseOnConnect`, close-after-drain and listen errors.
 * @module
 */
import { EventEmitter } from "node:events";
import { getTransport } from "../runtimes/mod.ts";
import { sendableServerPrototype, ServerBase } from "../runtimes/node/handoff.ts";
import type {
  AddressInfo,
  BoundHandle,
  ListenCallback,
  ListenerEvents,
  ListenerHandle,
  StreamHandle,
  Transport,
} from "../runtimes/types.ts";
import type { BlockList } from "./block_list.ts";
import { type BoundSocket, takeBoundListenArg } from "./bound_socket.ts";
import type { AcceptingServer, BlockListOption, NodeOption } from "./socket_types.ts";
import type * as nodeNet from "node:net";
import { makeAdoptable } from "./callable.ts";
import {
  codedError,
  errFeatureUnavailable,
  errInvalidArgType,
  errInvalidArgValue,
  type NodeErrorLike,
  type SystemError,
  systemError,
} from "./errors.ts";
import { isIP } from "./ip.ts";
import { isPipeName, normalizeArgs, toNumber } from "./args.ts";
import { lookupForListen } from "./lookup.ts";
import { holdTurnForBeforeExit } from "./loop.ts";
import { serverOptions } from "./options.ts";
import { acceptSocket, type Socket } from "./socket.ts";
import type { AcceptConfig, ConnectionOwner } from "./socket_types.ts";
import { validateAbortSignal, validatePort } from "./validators.ts";
import { listenUnix } from "./sys_errors.ts";
import { checkListen, checkListenAddress } from "./features.ts";
import { publishListen, publishServerSocket } from "./diagnostics.ts";

/** Options of `net.createServer()`. */
export interface ServerOpts {
  /** Keep accepted sockets' writable side open after the peer ends. */
  allowHalfOpen?: boolean;
  /** Accepted sockets start paused (no reads until `resume()`). */
  pauseOnConnect?: boolean;
  /** Sets TCP_NODELAY on accepted sockets. */
  noDelay?: boolean;
  /** Enables keep-alive on accepted sockets. */
  keepAlive?: boolean;
  /** Milliseconds before the first keep-alive probe. */
  keepAliveInitialDelay?: number;
  /** Stream buffer limit of accepted sockets. */
  highWaterMark?: number;
  /**
   * Peers whose connections are closed at once, before any `'connection'`.
   * An omninet `BlockList` or the runtime's own `node:net` one.
   */
  blockList?: BlockListOption;
}

/** Options of `server.listen()`. */
export interface ListenOptions {
  /** TCP port (0 picks a free one; a numeric string or `null` works too at run time, as on Node). */
  port?: number;
  /** Host or IP to bind (default: `::` dual-stack, else `0.0.0.0`). */
  host?: string;
  /** Unix socket path. */
  path?: string;
  /** An already bound TCP or Unix socket descriptor to listen on (the handle form `{ fd }`). */
  fd?: number;
  /**
   * A `net.BoundSocket` to listen on, which this server adopts (also the
   * runtime's own, as @types/node types it; other handles, `{ fd }` among
   * them, are taken at run time as by Node).
   */
  handle?: BoundSocket | NodeOption<nodeNet.ListenOptions, "handle">;
  /** Listen queue length (511 by default). */
  backlog?: number;
  /** Cluster-only in Node; accepted and ignored. */
  exclusive?: boolean;
  /** IPv6 only (no IPv4-mapped peers) on an IPv6 address. */
  ipv6Only?: boolean;
  /** SO_REUSEPORT: several listeners share the port. */
  reusePort?: boolean;
  /** Unix socket readable by all users. */
  readableAll?: boolean;
  /** Unix socket writable by all users. */
  writableAll?: boolean;
  /** Closes the server when aborted. */
  signal?: AbortSignal;
}

/** Data of the `'drop'` event. */
export interface DropArgument {
  /** Local IP. */
  localAddress?: string;
  /** Local port. */
  localPort?: number;
  /** Local family. */
  localFamily?: string;
  /** Peer IP. */
  remoteAddress?: string;
  /** Peer port. */
  remotePort?: number;
  /** Peer family. */
  remoteFamily?: string;
}

const _DEFAULT_BACKLOG = 511;

/** Node's `_connectionKey` of a server listening on a handle or descriptor it was given. */
const _HANDLE_KEY = "-1:null:-1";

/** Node's `_connectionKey` of a TCP server: the family, address and port it was asked to listen on. */
function _tcpKey(address: string, port: number): string {
  return `${isIP(address) === 6 ? 6 : 4}:${address}:${port}`;
}

// Errors for which `::` is unusable, so Node falls back to 0.0.0.0.
const _NO_IPV6 = new Set(["EAFNOSUPPORT", "EADDRNOTAVAIL", "EPROTONOSUPPORT", "EINVAL"]);

function _noop(): void {}

function _errAlreadyListen(): NodeErrorLike {
  return codedError(
    "ERR_SERVER_ALREADY_LISTEN",
    "Listen method has been called more than once without closing.",
  );
}

function _errNotRunning(): NodeErrorLike {
  return codedError("ERR_SERVER_NOT_RUNNING", "Server is not running.");
}

/** Node's list of the sockets `child_process` sent from one server to one process. */
interface _SentSockets {
  getConnections(cb: (err: Error | null, count: number) => void): void;
  close(cb: () => void): void;
  once(event: "exit", listener: () => void): unknown;
}

/**
 * A TCP or Unix domain socket server: Node's `net.Server`.
 *
 * @example
 * ```ts
 * import { Server } from "@omninet/net";
 * const server = new Server((socket) => socket.end("hello\n"));
 * server.listen(8080, "127.0.0.1");
 * ```
 */
export class Server extends EventEmitter implements ConnectionOwner, AcceptingServer {
  /** Accepted sockets keep their writable side open after the peer ends. */
  allowHalfOpen: boolean;
  /** Accepted sockets start paused. */
  pauseOnConnect: boolean;
  /** TCP_NODELAY on accepted sockets. */
  noDelay: boolean;
  /** Keep-alive on accepted sockets. */
  keepAlive: boolean;
  /** Keep-alive delay of accepted sockets, in seconds (Node stores it so). */
  keepAliveInitialDelay: number;
  /** Stream buffer limit of accepted sockets (the stream default unless given). */
  highWaterMark: number;
  /** Peers refused before any `'connection'` event. */
  blockList?: BlockList;
  /**
   * Connections beyond this count are dropped (`'drop'`); `0` drops all.
   * `undefined` (no limit) until set, as on Node; typed `number` as
   * @types/node declares it.
   */
  maxConnections!: number;

  #listener: ListenerHandle | null = null;
  /** listen() is under way: looking its host up (`#lookingUp`), or binding. */
  #starting = false;
  /** Listeners closed whose address is not free yet, and the 'close' events owed until it is. */
  #freeing = 0;
  #closesOwed = 0;
  /**
   * The host lookup of listen() is under way: Node's server has no handle yet then
   * (`close()` finds it not running, and `'close'` does not wait for it).
   */
  #lookingUp = false;
  #releasing = 0;
  #listenId = 0;
  #connections = 0;
  #pipeName: string | undefined;
  #isUnix = false;
  /** `_connectionKey` once listening (kept after close, as Node's). */
  #key: string | undefined = undefined;
  #accept: AcceptConfig | null = null;
  #unref = false;
  readonly #events: ListenerEvents;
  #target: Server = this;
  // Where accepted sockets went to other processes (child_process), one list per process.
  #sentTo: _SentSockets[] | null = null;

  /**
   * Creates a server; `connectionListener` is added for `'connection'`.
   * @param options server options, or the connection listener
   * @param connectionListener called with each accepted socket
   */
  constructor(
    options?: ServerOpts | ((socket: Socket) => void),
    connectionListener?: (socket: Socket) => void,
  ) {
    super();
    let opts: ServerOpts;
    if (typeof options === "function") {
      connectionListener = options;
      opts = {};
    } else if (options == null || typeof options === "object") {
      opts = { ...options };
    } else {
      throw errInvalidArgType("options", "of type object", options);
    }
    if (typeof connectionListener === "function") this.on("connection", connectionListener);
    const config = serverOptions(opts as Record<string, unknown>);
    this.allowHalfOpen = config.allowHalfOpen;
    this.pauseOnConnect = config.pauseOnConnect;
    this.noDelay = config.noDelay;
    this.keepAlive = config.keepAlive;
    this.keepAliveInitialDelay = config.keepAliveInitialDelay;
    this.highWaterMark = config.highWaterMark;
    if (config.blockList !== undefined) this.blockList = config.blockList;
    // Through #target: listen(otherServer) hands this listener's connections to that server.
    this.#events = {
      onConnection: (handle) => this.#target.#onConnection(handle),
      onError: (err) => this.#target.emit("error", err),
      full: () => this.#target.#full(),
      closeRequested: (cb) => this.close(() => cb()),
    };
  }

  /**
   * Starts listening: `listen(port[, host][, backlog][, cb])`,
   * `listen(path[, backlog][, cb])` or `listen(options[, cb])`.
   * @param args port/host/backlog, a Unix path, or options; then an optional `'listening'` listener
   * @returns this server
   * @example
   * ```ts
   * server.listen({ port: 0, host: "127.0.0.1" }, () => console.log(server.address()));
   * ```
   */
  listen(listeningListener?: () => void): this;
  /** Starts listening — the `listen(port, host, backlog, listeningListener)` form; see the first overload for details. */
  listen(port?: number, host?: string, backlog?: number, listeningListener?: () => void): this;
  /** Starts listening — the `listen(port, host, listeningListener)` form; see the first overload for details. */
  listen(port?: number, host?: string, listeningListener?: () => void): this;
  /** Starts listening — the `listen(port, backlog, listeningListener)` form; see the first overload for details. */
  listen(port?: number, backlog?: number, listeningListener?: () => void): this;
  /** Starts listening — the `listen(port, listeningListener)` form; see the first overload for details. */
  listen(port?: number, listeningListener?: () => void): this;
  /** Starts listening — the `listen(path, backlog, listeningListener)` form; see the first overload for details. */
  listen(path: string, backlog?: number, listeningListener?: () => void): this;
  /** Starts listening — the `listen(path, listeningListener)` form; see the first overload for details. */
  listen(path: string, listeningListener?: () => void): this;
  /** Starts listening — the `listen(options, listeningListener)` form; see the first overload for details. */
  listen(options: ListenOptions, listeningListener?: () => void): this;
  /** Starts listening on a `net.BoundSocket`, which this server adopts: `listen(bound[, backlog][, cb])`. */
  listen(handle: BoundSocket, backlog?: number, listeningListener?: () => void): this;
  /** Starts listening — the `listen(bound, listeningListener)` form; see the overload above. */
  listen(handle: BoundSocket, listeningListener?: () => void): this;
  listen(...args: unknown[]): this {
    const [given, cb] = normalizeArgs(args);
    // As Node: only a bound server refuses; a listen still resolving its host is superseded.
    if (this.#listener !== null) throw _errAlreadyListen();
    publishListen("asyncStart", { server: this, options: given });
    const backlogFromArgs = toNumber(args.length > 1 && args[1]) ||
      toNumber(args.length > 2 && args[2]);
    // Node takes `options._handle || options.handle || options`, then reads fields
    // through `in` and getters (a SocketAddress is options with a port, for one).
    if (given instanceof Server && given.#listener !== null) {
      this.#adoptListener(given, cb);
      return this;
    }
    const bound = takeBoundListenArg(given);
    if (bound !== null) {
      this.#listenBound(bound, cb, Number(backlogFromArgs));
      return this;
    }
    const inner = (given._handle || given.handle || given) as Record<string, unknown>;
    const transport = getTransport();
    if (transport.listenHandle !== undefined && transport.isListenHandle?.(inner) === true) {
      // A runtime handle (e.g. the node:net Server a child process received holds one):
      // taken over, as Node's listen(handle) does.
      this.#begin(cb, undefined);
      const backlog = Number(given.backlog || backlogFromArgs) || _DEFAULT_BACKLOG;
      transport.listenHandle(inner, backlog, this.#events, this.#onListenAny(this.#listenId));
      return this;
    }
    const options = _readListenOptions(inner);
    validateAbortSignal(options.signal, "options.signal");
    if (typeof options.fd === "number" && options.fd >= 0) {
      if (!transport.listenFd) throw errFeatureUnavailable("server.listen({ fd })", transport.name);
      const backlog = Number(options.backlog || backlogFromArgs) || _DEFAULT_BACKLOG;
      this.#begin(cb, options.signal);
      const done = this.#onListenAny(this.#listenId);
      // Node makes a handle only of an int32 descriptor: anything else fails as listen EINVAL.
      if ((options.fd | 0) !== options.fd) done(systemError({ code: "EINVAL", syscall: "listen" }));
      else transport.listenFd(options.fd, backlog, this.#events, done);
      return this;
    }
    if (
      args.length === 0 || typeof args[0] === "function" ||
      (options.port === undefined && "port" in options) || options.port === null
    ) {
      options.port = 0;
    }
    const backlog = Number(options.backlog || backlogFromArgs) || _DEFAULT_BACKLOG;
    if (typeof options.port === "number" || typeof options.port === "string") {
      const port = validatePort(options.port, "options.port");
      checkListen(transport, { ...options, backlog }, _DEFAULT_BACKLOG);
      this.#begin(cb, options.signal);
      this.#listenTcp(transport, options, port, backlog);
      return this;
    }
    if (options.path && isPipeName(options.path)) {
      if (options.path[0] === "\0" && (options.readableAll || options.writableAll)) {
        // Node's message, typo included.
        const msg =
          "can not set readableAll or writableAllt to true when path is abstract unix socket";
        throw errInvalidArgValue("options", given, msg);
      }
      this.#pipeName = options.path;
      this.#begin(cb, options.signal);
      this.#listenUnix(transport, options, options.path, backlog);
      return this;
    }
    if (!("port" in options || "path" in options)) {
      throw errInvalidArgValue("options", inner, 'must have the property "port" or "path"');
    }
    throw errInvalidArgValue("options", inner);
  }

  // listen(server): as in Node, both servers hold the one listener and this one
  // gets its connections from now on; closing either closes it.
  #adoptListener(from: Server, cb: ((...args: never[]) => unknown) | null): void {
    const listener = from.#listener as ListenerHandle;
    if (cb !== null) this.once("listening", cb as () => void);
    this.#listenId++;
    this.#isUnix = from.#isUnix;
    this.#pipeName = from.#pipeName;
    from.#target = this;
    this.#listener = listener;
    this.#key = _HANDLE_KEY;
    publishListen("asyncEnd", { server: this });
    process.nextTick(() => {
      if (this.#listener === listener) this.emit("listening");
    });
  }

  // listen(boundSocket): the socket is bound already; listening starts inside this call.
  #listenBound(
    handle: BoundHandle,
    cb: ((...args: never[]) => unknown) | null,
    backlog: number,
  ): void {
    const address = handle.address();
    this.#isUnix = typeof address === "string";
    this.#pipeName = typeof address === "string" ? address : undefined;
    this.#begin(cb, undefined);
    handle.listen(
      Number(backlog) || _DEFAULT_BACKLOG,
      this.#events,
      this.#onListen(this.#listenId, _HANDLE_KEY),
    );
  }

  #begin(cb: ((...args: never[]) => unknown) | null, signal: AbortSignal | undefined): void {
    if (cb !== null) this.once("listening", cb as () => void);
    this.#starting = true;
    this.#listenId++;
    if (signal === undefined) return;
    if (signal.aborted) {
      process.nextTick(() => this.close());
      return;
    }
    const onAbort = () => this.close();
    signal.addEventListener("abort", onAbort, { once: true });
    this.once("close", () => signal.removeEventListener("abort", onAbort));
  }

  #listenTcp(transport: Transport, options: ListenOptions, port: number, backlog: number): void {
    this.#isUnix = false;
    const id = this.#listenId;
    const req = {
      address: "",
      port,
      backlog,
      ipv6Only: options.ipv6Only === true,
      reusePort: options.reusePort === true,
      exclusive: options.exclusive === true,
    };
    const host = options.host;
    if (host) {
      // Node looks every host up, IP literals included (so `listening` is
      // false right after listen(), and a replaced dns.lookup sees the call).
      this.#lookingUp = true;
      lookupForListen(host, (err, ip) => {
        if (id !== this.#listenId) return;
        this.#lookingUp = false;
        if (err) {
          this.#starting = false;
          this.emit("error", err);
          return;
        }
        const unavailable = checkListenAddress(transport, req.ipv6Only, ip!);
        if (unavailable !== null) {
          this.#starting = false;
          this.emit("error", unavailable);
          return;
        }
        const done = this.#onListen(id, _tcpKey(ip!, port));
        transport.listenTcp({ ...req, address: ip! }, this.#events, done);
      });
      return;
    }
    // No host: `::` (dual-stack) unless this system has no IPv6, then 0.0.0.0.
    // Both attempts run inside this call where the transport binds synchronously.
    transport.listenTcp({ ...req, address: "::" }, this.#events, (err, listener) => {
      if (err && _NO_IPV6.has(err.code) && id === this.#listenId) {
        const done = this.#onListen(id, _tcpKey("0.0.0.0", port));
        transport.listenTcp({ ...req, address: "0.0.0.0" }, this.#events, done);
      } else {
        this.#onListen(id, _tcpKey("::", port))(err, listener);
      }
    });
  }

  #listenUnix(transport: Transport, options: ListenOptions, path: string, backlog: number): void {
    this.#isUnix = true;
    const req = {
      path,
      backlog,
      readableAll: options.readableAll === true,
      writableAll: options.writableAll === true,
      exclusive: options.exclusive === true,
    };
    listenUnix(transport, req, this.#events, this.#onListen(this.#listenId, `-1:${path}:-1`));
  }

  /** `#onListen` for a listener whose kind (TCP or Unix) only its address tells. */
  #onListenAny(id: number): ListenCallback {
    const done = this.#onListen(id, _HANDLE_KEY);
    return (err, listener) => {
      if (listener) this.#isUnix = typeof listener.address() === "string";
      done(err, listener);
    };
  }

  /**
   * Takes the bind outcome, which may arrive inside listen(): the server is
   * listening (or not) from then on, and, as in Node, `'listening'` or
   * `'error'` follows on the next tick, never during the listen() call.
   * `key` is the `_connectionKey` the server has once listening (Node's form
   * for what was asked for: `_tcpKey`, the Unix path, or `_HANDLE_KEY`).
   */
  #onListen(id: number, key: string): ListenCallback {
    return (err: SystemError | null, listener?: ListenerHandle) => {
      if (id !== this.#listenId) {
        listener?.close(_noop);
        return;
      }
      this.#starting = false;
      if (err || !listener) {
        const e = err ?? codedError("ERR_SERVER_NOT_RUNNING", "listen failed");
        publishListen("error", { server: this, error: e });
        process.nextTick(() => this.emit("error", e));
        return;
      }
      this.#listener = listener;
      this.#key = key;
      publishListen("asyncEnd", { server: this });
      if (this.#unref) listener.unref();
      process.nextTick(() => {
        // Closed before the tick: Node stays silent too.
        if (this.#listener === listener) this.emit("listening");
      });
    };
  }

  #onConnection(handle: StreamHandle): void {
    if (this.#listener === null) {
      handle.close(_noop);
      return;
    }
    if (this.#full()) {
      this.#drop(handle);
      return;
    }
    if (this.blockList !== undefined && this.#blocked(handle)) {
      handle.close(_noop);
      return;
    }
    const socket = acceptSocket(handle, this, this.#acceptConfig());
    this.#connections++;
    publishServerSocket(socket);
    this.emit("connection", socket);
  }

  #full(): boolean {
    const max = this.maxConnections;
    return typeof max === "number" && this.#connections >= max;
  }

  // Read at every connection, as Node does: a change applies to the next one.
  // The record is rebuilt only when a setting changed (no object per connection).
  #acceptConfig(): AcceptConfig {
    const c = this.#accept;
    if (
      c !== null && c.allowHalfOpen === this.allowHalfOpen &&
      c.pauseOnConnect === this.pauseOnConnect && c.highWaterMark === this.highWaterMark &&
      c.noDelay === this.noDelay && c.keepAlive === this.keepAlive &&
      c.keepAliveInitialDelay === this.keepAliveInitialDelay && c.isUnix === this.#isUnix
    ) return c;
    return this.#accept = {
      allowHalfOpen: this.allowHalfOpen,
      pauseOnConnect: this.pauseOnConnect,
      highWaterMark: this.highWaterMark,
      noDelay: this.noDelay,
      keepAlive: this.keepAlive,
      keepAliveInitialDelay: this.keepAliveInitialDelay,
      isUnix: this.#isUnix,
    };
  }

  #blocked(handle: StreamHandle): boolean {
    const peer = handle.remoteAddress();
    if (peer === null || typeof peer !== "object") return false;
    // The handle's endpoint is a valid IP literal with its family (the transport contract):
    // the list parses the address once.
    return (this.blockList as BlockList).check(
      peer.address,
      peer.family === "IPv6" ? "ipv6" : "ipv4",
    );
  }

  #drop(handle: StreamHandle): void {
    const local = handle.localAddress();
    const remote = handle.remoteAddress();
    handle.close(_noop);
    // A Unix connection (ends are paths, or null where the runtime names none)
    // drops without data, as Node's pipe handles.
    const ipLocal = local !== null && typeof local === "object";
    const ipRemote = remote !== null && typeof remote === "object";
    if (!ipLocal && !ipRemote) {
      this.emit("drop");
      return;
    }
    const data: DropArgument = {};
    if (local !== null && typeof local === "object") {
      data.localAddress = local.address;
      data.localPort = local.port;
      data.localFamily = local.family;
    }
    if (remote !== null && typeof remote === "object") {
      data.remoteAddress = remote.address;
      data.remotePort = remote.port;
      data.remoteFamily = remote.family;
    }
    this.emit("drop", data);
  }

  /**
   * Called by an accepted socket when it is destroyed.
   * @internal
   */
  _connectionClosed(): void {
    this.#connections--;
    this.#emitCloseIfDrained();
  }

  /** A drained server's 'close'; the closing listener keeps the loop up as a libuv handle does. */
  static #emitClosed(server: Server): void {
    server.emit("close");
    if (getTransport().features.closeFromLoop !== true) holdTurnForBeforeExit();
  }

  /** Whether Node's server would have a handle: listening, or binding (not looking its host up). */
  #hasHandle(): boolean {
    return this.#listener !== null || (this.#starting && !this.#lookingUp);
  }

  /**
   * As Node's: a `'close'` on the next tick for each call that finds the server with no
   * handle and no connection (each close() then, and the last connection's end after one).
   */
  #emitCloseIfDrained(): void {
    if (this.#hasHandle() || this.#releasing > 0 || this.#connections > 0) return;
    // Owed until a listener closed meanwhile has freed its address (see close()).
    if (this.#freeing > 0) this.#closesOwed++;
    else process.nextTick(Server.#emitClosed, this);
  }

  /**
   * Stops accepting connections; `'close'` follows once every connection has ended.
   * @param callback called on `'close'`, with `ERR_SERVER_NOT_RUNNING` if the server was not listening
   * @returns this server
   * @example
   * ```ts
   * server.close(() => console.log("all connections ended"));
   * ```
   */
  close(callback?: (err?: Error) => void): this {
    const running = this.#hasHandle();
    if (typeof callback === "function") {
      if (running) this.once("close", callback);
      else this.once("close", () => callback(_errNotRunning()));
    }
    const listener = this.#listener;
    if (listener !== null) {
      this.#listener = null;
      if (_closedListeners.has(listener)) {
        this.#emitCloseIfDrained();
        return this;
      }
      _closedListeners.add(listener);
      // 'close' waits for a listener that frees its address only later (Deno.listen's, with
      // an accept pending), so that a listen() in 'close' finds the port free.
      let freed = false;
      this.#freeing++;
      freed = listener.close(() => {
        if (freed || --this.#freeing !== 0) return;
        const owed = this.#closesOwed;
        this.#closesOwed = 0;
        for (let i = 0; i < owed; i++) process.nextTick(Server.#emitClosed, this);
      }) === true;
      if (freed) this.#freeing--;
    }
    if (this.#starting) {
      this.#starting = this.#lookingUp = false;
      this.#listenId++;
    }
    const lists = this.#sentTo;
    if (running && lists !== null && lists.length > 0) {
      // 'close' also waits for the processes holding sockets sent from here to close them.
      this.#releasing++;
      let left = lists.length;
      const onClosed = (): void => {
        if (--left !== 0) return;
        this.#releasing--;
        this.#emitCloseIfDrained();
      };
      for (const list of lists) list.close(onClosed);
    }
    this.#emitCloseIfDrained();
    return this;
  }

  /**
   * The bound address: `{ address, family, port }`, a Unix path, or `null`.
   * @returns the address the server listens on
   * @example
   * ```ts
   * const { port } = server.address() as { port: number };
   * ```
   */
  address(): AddressInfo | string | null {
    if (this.#listener !== null) {
      const a = this.#listener.address();
      if (typeof a !== "string") return { address: a.address, family: a.family, port: a.port };
      // An unnamed Unix listener (listen({ fd })) has no name: null, as Node.
      return a === "" ? null : a;
    }
    return this.#pipeName ?? null;
  }

  /**
   * Reports the number of open connections asynchronously.
   * @param cb receives `(null, count)`
   * @returns this server
   * @example
   * ```ts
   * server.getConnections((err, n) => console.log(n));
   * ```
   */
  getConnections(cb: (err: Error | null, count: number) => void): this {
    const lists = this.#sentTo;
    if (lists === null || lists.length === 0) {
      process.nextTick(cb, null, this.#connections);
      return this;
    }
    // Sockets sent to other processes count where they are now, as Node counts them.
    let left = lists.length;
    let total = this.#connections;
    const onCount = (err: Error | null, count: number): void => {
      if (left <= 0) return;
      if (err) {
        left = -1;
        return void process.nextTick(cb, err, 0);
      }
      total += count;
      if (--left === 0) process.nextTick(cb, null, total);
    };
    for (const list of lists) list.getConnections(onCount);
    return this;
  }

  /**
   * Connections this process still holds: what `child_process` decrements
   * (writes are ignored; a socket sent away stops counting by itself).
   * @internal
   */
  get _connections(): number {
    return this.#connections;
  }

  set _connections(_count: number) {}

  /**
   * The key under which `child_process` groups the sockets it sends from
   * this server (Node's form: family, address and port, or the path).
   * @internal
   */
  get _connectionKey(): string | undefined {
    return this.#key;
  }

  /**
   * `child_process` hands over the list of sockets it sent from this server
   * to one process: `getConnections()` then counts them, `close()` waits
   * until that process closed them, as Node's server does.
   * @param list the runtime's list of sent sockets
   * @internal
   */
  _setupWorker(list: _SentSockets): void {
    const lists = (this.#sentTo ??= []);
    lists.push(list);
    list.once("exit", () => {
      const at = lists.indexOf(list);
      if (at !== -1) lists.splice(at, 1);
    });
  }

  /**
   * Removed from Node (DEP0020, end of life since Node 15) but still declared
   * by `@types/node`, so it is declared here for type compatibility only: as
   * on Node 20+, the server has no such property (reading it gives
   * `undefined`) and assigning stores a plain property. Use
   * `getConnections()`.
   * @example
   * ```ts
   * server.getConnections((err, n) => console.log(n));
   * ```
   */
  declare connections: number;

  /**
   * The runtime's own listening handle while listening, else `null`: what the
   * runtime's `child_process` sends when this server is passed as
   * `subprocess.send(message, server)` or `process.send(message, server)`
   * (the other process gets a `node:net` Server listening on the same
   * socket). Throws `ERR_FEATURE_UNAVAILABLE_ON_PLATFORM` while listening
   * through an adapter that holds no such handle (Deno's `Deno.listen`
   * fallback), so such a send fails instead of arriving without its server.
   * @example
   * ```ts
   * import { fork } from "node:child_process";
   * const child = fork("worker.js");
   * server.listen(0, () => child.send("server", server));
   * ```
   */
  get _handle(): unknown {
    const listener = this.#listener;
    if (listener === null) return null;
    if (listener.nativeHandle === undefined) {
      throw errFeatureUnavailable("sending a listening Server's handle", getTransport().name);
    }
    return listener.nativeHandle() ?? null;
  }

  /**
   * Only `null` may be assigned, and only node:net's own code does: its
   * constructor (omninet's Server runs it first where node:net's servers can
   * go to worker threads; nothing is listening then), and its transfer code
   * when `worker.postMessage(value, [server])` moves this server's listening
   * handle to another thread. The server then lets go of its listener, as
   * node:net's lets go of its handle: `listening` is `false`, no `'close'`
   * until `close()` or the last open connection ends; what is left of the
   * listener here is closed once the synchronous `postMessage()` call has
   * returned (the handle has moved by then; if the message could not be sent,
   * the listener closes instead of staying open unreachable). Anything else
   * throws `ERR_INVALID_ARG_VALUE`: the listener is omninet's to keep.
   * @example
   * ```ts
   * import { Worker } from "node:worker_threads";
   * const worker = new Worker("./worker.js");
   * server.listen(0, "127.0.0.1", () => worker.postMessage({ server }, [server]));
   * ```
   */
  set _handle(value: unknown) {
    if (value !== null) throw errInvalidArgValue("server._handle", value, "can only be null");
    // Before omninet's constructor ran (inside node:net's), there is nothing to let go of.
    if (!(#listener in this)) return;
    const listener = this.#listener;
    if (listener === null) return;
    this.#listener = null;
    if (_closedListeners.has(listener)) return;
    _closedListeners.add(listener);
    queueMicrotask(() => listener.close(_noop));
  }

  /** `true` while the server is accepting connections. */
  get listening(): boolean {
    return this.#listener !== null;
  }

  /**
   * Lets the server keep the process alive (the default).
   * @returns this server
   * @example
   * ```ts
   * server.ref();
   * ```
   */
  ref(): this {
    this.#unref = false;
    this.#listener?.ref();
    return this;
  }

  /**
   * Stops the server from keeping the process alive.
   * @returns this server
   * @example
   * ```ts
   * server.unref();
   * ```
   */
  unref(): this {
    this.#unref = true;
    this.#listener?.unref();
    return this;
  }

  /**
   * Closes the server and resolves once it emitted `'close'`.
   * @returns a promise settled on `'close'`
   */
  async [Symbol.asyncDispose](): Promise<void> {
    // As Node's: a server with no handle (not listening, or looking its host up) is left be.
    if (!this.#hasHandle()) return;
    await new Promise<void>((resolve, reject) =>
      this.close((err) => (err ? reject(err) : resolve()))
    );
  }
}

/**
 * The events of {@link Server} and their arguments, as `@types/node` types
 * `net.Server`'s (Node 26's name): what the listener methods' types take.
 */
export interface ServerEventMap {
  /** The server closed and its last connection ended. */
  close: [];
  /** A connection was accepted: omninet's {@link Socket}. */
  connection: [socket: Socket];
  /** An error occurred (a failed listen, for one). */
  error: [err: Error];
  /** The server is bound and listening. */
  listening: [];
  /** A connection was dropped (`maxConnections` reached). */
  drop: [data?: DropArgument];
}

/**
 * The listener methods of {@link Server}, typed per event with
 * {@link ServerEventMap} as `@types/node` types `net.Server`'s: code written against
 * `node:net` in strict TypeScript compiles against omninet (`Duplex`'s and
 * `EventEmitter`'s own overloads leave a listener's parameters `any`, or none
 * for `'close'`, which fails `noImplicitAny`). Declaration merging: no code,
 * the class's methods are `EventEmitter`'s.
 */
export interface Server {
  /** Adds a listener; the events of {@link ServerEventMap} have typed arguments. */
  addListener<E extends keyof ServerEventMap>(
    event: E,
    listener: (...args: ServerEventMap[E]) => void,
  ): this;
  /** Adds a listener for any other event. */
  // deno-lint-ignore no-explicit-any
  addListener(event: string | symbol, listener: (...args: any[]) => void): this;
  /** Adds a listener; the events of {@link ServerEventMap} have typed arguments. */
  on<E extends keyof ServerEventMap>(
    event: E,
    listener: (...args: ServerEventMap[E]) => void,
  ): this;
  /** Adds a listener for any other event. */
  // deno-lint-ignore no-explicit-any
  on(event: string | symbol, listener: (...args: any[]) => void): this;
  /** Adds a one-time listener; the events of {@link ServerEventMap} have typed arguments. */
  once<E extends keyof ServerEventMap>(
    event: E,
    listener: (...args: ServerEventMap[E]) => void,
  ): this;
  /** Adds a one-time listener for any other event. */
  // deno-lint-ignore no-explicit-any
  once(event: string | symbol, listener: (...args: any[]) => void): this;
  /** Adds a listener before the others; the events of {@link ServerEventMap} have typed arguments. */
  prependListener<E extends keyof ServerEventMap>(
    event: E,
    listener: (...args: ServerEventMap[E]) => void,
  ): this;
  /** Adds a listener before the others for any other event. */
  // deno-lint-ignore no-explicit-any
  prependListener(event: string | symbol, listener: (...args: any[]) => void): this;
  /** Adds a one-time listener before the others; the events of {@link ServerEventMap} have typed arguments. */
  prependOnceListener<E extends keyof ServerEventMap>(
    event: E,
    listener: (...args: ServerEventMap[E]) => void,
  ): this;
  /** Adds a one-time listener before the others for any other event. */
  // deno-lint-ignore no-explicit-any
  prependOnceListener(event: string | symbol, listener: (...args: any[]) => void): this;
  /** Emits an event of {@link ServerEventMap} with its typed arguments; `true` if it had listeners. */
  emit<E extends keyof ServerEventMap>(event: E, ...args: ServerEventMap[E]): boolean;
  /** Emits any other event; `true` if it had listeners. */
  // deno-lint-ignore no-explicit-any
  emit(event: string | symbol, ...args: any[]): boolean;
}
// Lets `net.Server.call(obj, ...)` initialise obj (see callable.ts). The parent is EventEmitter,
// run through node:net's own Server constructor where that makes servers transferable to
// worker threads (runtimes/node/handoff.ts).
makeAdoptable(Server, ServerBase as unknown as typeof EventEmitter);
// `instanceof net.Server` (the runtime's node:net) is how child_process finds a server to
// send: see runtimes/node/handoff.ts. Still an EventEmitter: node:net's Server is one.
Object.setPrototypeOf(Server.prototype, sendableServerPrototype());

// EventEmitter's captureRejections (the global default; Node 26's Server passes
// it no options) sends a rejected 'connection' handler here: Node destroys that socket.
Object.defineProperty(Server.prototype, Symbol.for("nodejs.rejection"), {
  value: function (this: Server, err: Error, event: string, socket?: Socket): void {
    if (event === "connection" && socket) socket.destroy(err);
    else this.emit("error", err);
  },
  writable: true,
  configurable: true,
});

// Listeners already closed through one of the servers sharing them (listen(server)).
const _closedListeners = new WeakSet<ListenerHandle>();

const _LISTEN_KEYS = [
  "port",
  "host",
  "path",
  "backlog",
  "exclusive",
  "ipv6Only",
  "reusePort",
  "readableAll",
  "writableAll",
  "signal",
  "fd",
] as const;

/** Node reads listen options with `in` and plain gets (prototype getters count). */
function _readListenOptions(
  given: Record<string, unknown>,
): ListenOptions & Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of _LISTEN_KEYS) if (key in given) out[key] = given[key];
  return out as ListenOptions & Record<string, unknown>;
}

/**
 * Creates a TCP or Unix domain socket server.
 * @param options server options, or the connection listener
 * @param connectionListener added as a `'connection'` listener
 * @returns the new server (not listening yet)
 * @example
 * ```ts
 * import net from "@omninet/net";
 * const server = net.createServer((socket) => socket.pipe(socket));
 * server.listen(0, "127.0.0.1", () => console.log(server.address()));
 * ```
 */
export function createServer(
  options?: ServerOpts | ((socket: Socket) => void),
  connectionListener?: (socket: Socket) => void,
): Server {
  return new Server(options, connectionListener);
}
