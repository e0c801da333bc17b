/**
 * The transport contract: the one interface every runtime adapter meets.
 *
 * It is modelled on a libuv stream handle: small, push-based, callback-driven.
 * Adapters translate a runtime's socket API (Deno.connect/listen,
 * Bun.connect/listen, node:net) into this shape and nothing more; every Node
 * semantic (half-open rules, timeouts, backpressure policy, readyState, byte
 * counters, maxConnections, blockList, error shapes) lives in `core/`.
 *
 * Rules every adapter follows:
 * - Callbacks are never called synchronously from the method that caused
 *   them, except `write`'s callback, which may be called synchronously when
 *   the bytes were accepted at once, and the listen callback, which must be
 *   called synchronously whenever the runtime binds synchronously.
 * - Errors passed to callbacks report facts: the errno name, the syscall the
 *   runtime blamed and the endpoint involved, built with `systemError()`
 *   from `core/errors.ts`. Node's rules on top of those facts (Unix listen
 *   errors, local-bind errors, path length, socket file mode) are applied
 *   by `core/sys_errors.ts`, never here.
 * - Adapters never throw for a feature their runtime lacks: they say so in
 *   `features`, and core decides what to do (`core/features.ts`).
 * - After `close()` is called no callback fires except `close`'s own.
 * @module
 */
import type { SystemError } from "../core/errors.ts";

/** An IP endpoint as Node's `address()` reports it. */
export interface AddressInfo {
  /** IP literal (IPv6 without brackets, lowercase, compressed). */
  address: string;
  /** `'IPv4'` or `'IPv6'` (typed `string`, as @types/node's). */
  family: string;
  /** Port number. */
  port: number;
}

/** An endpoint: an IP endpoint, a Unix socket path, or unknown (`null`). */
export type Endpoint = AddressInfo | string | null;

/** Callbacks a stream handle reports to its owner (the core Socket). */
export interface HandleEvents {
  /**
   * Bytes arrived. Ownership of `chunk` passes to the receiver: the adapter
   * never touches those bytes again (hand a Buffer where one exists, so
   * core can push it without wrapping or copying). Only called between
   * `readStart()` and `readStop()`, and from `settle()`, which hands over the
   * bytes the adapter held while stopped.
   */
  _onHandleData(chunk: Uint8Array): void;
  /** The peer ended its writing side (EOF). No `_onHandleData` follows. */
  _onHandleEnd(): void;
  /**
   * `n` bytes of the connection were read past the owner by the runtime's
   * stack that took the handle over in place (Bun's `node:tls`: the
   * ciphertext its TLS socket reads): they count as read, and as activity
   * for the owner's idle timer, as on Node where such a stack reads the
   * socket's own handle.
   */
  _onHandlePassed?(n: number): void;
  /**
   * A fatal error on the connection (`read ECONNRESET`, `write EPIPE`...).
   * Called at most once. The owner then calls `close()`.
   */
  _onHandleError(err: SystemError): void;
}

/** A connected stream socket (TCP or Unix), as an adapter exposes it. */
export interface StreamHandle {
  /** Installs the owner's callbacks. Called once, before `readStart()`. */
  attach(events: HandleEvents): void;
  /**
   * The connection's descriptor, or -1 where the runtime exposes none or the
   * handle is closed. child_process takes it when the socket is a child's stdio.
   */
  fd?(): number;
  /** Starts (or resumes) delivering data through `_onHandleData`/`_onHandleEnd`. Idempotent. */
  readStart(): void;
  /**
   * Stops reading from the kernel until `readStart()`: while stopped the
   * adapter buffers at most one read's worth of bytes, so a slow consumer
   * makes the peer block (TCP flow control) instead of growing memory.
   */
  readStop(): void;
  /**
   * Writes all of `chunk` (looping on partial writes). `cb` fires once the
   * handle can take the next write: when the bytes reached the kernel or a
   * bounded runtime buffer. On failure `cb(err)` is called, then `_onHandleError`.
   * The owner never issues a second write before the first's `cb`.
   */
  write(chunk: Uint8Array, cb: (err?: SystemError | null) => void): void;
  /** Like `write`, for several chunks in order (one system call where possible). */
  writev(chunks: Uint8Array[], cb: (err?: SystemError | null) => void): void;
  /**
   * Half-close: sends FIN after every accepted write has been flushed.
   * Reading goes on. `cb` fires when the FIN is sent (or with an error).
   */
  shutdown(cb: (err?: SystemError | null) => void): void;
  /**
   * Releases the socket now; unsent data is dropped. `cb` fires once the
   * resource is released: where libuv calls a handle's close callback (the
   * event loop's closing phase, after that turn's immediates), or with
   * `afterLoopTurn` (core/loop.ts) where the runtime releases the socket
   * within the call (Bun, `Deno.Conn`): never in the caller's microtasks,
   * where code that awaits something of the socket's and then listens for
   * `'close'` would miss it. Idempotent.
   */
  close(cb: () => void): void;
  /**
   * Aborts the connection so the peer sees ECONNRESET (TCP RST, SO_LINGER 0),
   * then releases it like `close`. Adapters that cannot send a RST leave this
   * undefined; core then raises `ERR_FEATURE_UNAVAILABLE_ON_PLATFORM`.
   */
  reset?(cb: () => void): void;
  /**
   * The runtime's own stream handle, what its `node:net` socket keeps as
   * `_handle` (Node's TCP or Pipe handle, Bun's socket), or `null` once
   * closed; absent where the adapter has none. Shown as `socket._handle` where omninet's
   * Socket is a `node:net` Socket (runtimes/node/handoff.ts).
   */
  nativeHandle?(owner: object): object | null;
  /**
   * Gives the runtime handle up without closing it (another process took
   * it): nothing is called back afterwards. Present with `nativeHandle`.
   */
  detach?(): void;
  /**
   * Bytes the runtime's own code read (`written` false) or wrote through the
   * handle `nativeHandle()` gave out, past this adapter (`node:tls` and
   * `node:http2` drive a `node:net` socket's handle themselves), by the
   * runtime's own count of the handle; 0 when it was never given out, once
   * closed or detached, or where the runtime keeps no such count. Core adds
   * them to the socket's `bytesRead`/`bytesWritten`, which Node reads from
   * the handle, and keeps them before it closes or detaches the handle.
   */
  foreignBytes?(written: boolean): number;
  /**
   * Settles what the adapter holds before the runtime's TLS takes the handle
   * `nativeHandle()` gave out over in place (Bun's `node:tls` asks first):
   * sends what it holds back for the tick (a cork), gives the owner the
   * bytes it holds for it (they are then in the socket's buffer, where that
   * TLS reads the first bytes of its stream), and returns whether a write is
   * still in progress (then that TLS wraps the socket as a stream instead).
   */
  settle?(): boolean;
  /**
   * The runtime's TLS upgraded the handle `nativeHandle()` gave out in place
   * and hands back `raw`, the raw side it made of it (Bun's `node:tls`:
   * `upgradeTLS()` leaves the old socket object closed): the stream goes on
   * over `raw` (a write is raw bytes on the connection, as on Node after
   * `node:tls` wrapped a socket's handle, and close closes the connection),
   * and what `raw` reads is the TLS socket's ciphertext, counted as read
   * past the adapter (`foreignBytes`) and not delivered. Ignored for an
   * object that is no such raw side.
   * @returns whether the handle took `raw` over
   */
  nativeReplaced?(raw: object): boolean;
  /**
   * Bytes of the write in flight (one whose `cb` has not fired) the runtime
   * has not sent yet, as Node's `handle.writeQueueSize`: an idle timeout
   * that fires while this moved since the last look is held off, as on Node
   * (a large write going out slowly). 0 where the runtime does not tell.
   */
  writeQueueSize?(): number;
  /** Sets TCP_NODELAY. A no-op on Unix sockets. */
  setNoDelay(enable: boolean): void;
  /** Sets IP_TOS on a TCP socket; returns an error code (`"EINVAL"`) or `null`. */
  setTypeOfService?(tos: number): string | null;
  /** Reads IP_TOS of a TCP socket, or returns an error code. */
  getTypeOfService?(): number | string;
  /**
   * Sets SO_KEEPALIVE with the first probe after `initialDelayMs`
   * (0 = system default). Adapters whose runtime cannot set the delay set
   * only the flag and say so in `TransportFeatures.keepAliveDelay`. The
   * probe `intervalMs` and `count`, when given, are set by adapters whose
   * `TransportFeatures.keepAliveProbes` is true and ignored by the others.
   */
  setKeepAlive(enable: boolean, initialDelayMs: number, intervalMs?: number, count?: number): void;
  /** Lets this handle keep the process alive (default). */
  ref(): void;
  /** Stops this handle from keeping the process alive. */
  unref(): void;
  /** Local endpoint, or `null` once unknown. */
  localAddress(): Endpoint;
  /** Remote endpoint, or `null` once unknown. */
  remoteAddress(): Endpoint;
  /**
   * Runs a TLS handshake on this connection with the runtime's own TLS
   * (Node's TLSWrap on the libuv handle, `Deno.startTls`, Bun's
   * `upgradeTLS`), so the ciphertext never passes through JavaScript.
   *
   * Returns `null`, leaving this handle untouched and usable, when this
   * request cannot go the native way (an option the runtime's API lacks, a
   * read the runtime cannot give back); the caller then runs `node:tls`
   * over the handle itself. Otherwise this handle belongs to the TLS layer
   * from the call on (the owner never uses it again, not even `close()`),
   * and `cb` is called once, asynchronously: with the new handle, a normal
   * StreamHandle carrying plaintext (not yet attached nor reading), and what
   * the handshake settled; or with the handshake's error, everything
   * released. The returned `Dial`'s `cancel()` abandons the handshake:
   * everything is released and `cb` is never called.
   *
   * Call it only while no write or shutdown is in flight and reading is
   * stopped. Adapters that have no native TLS leave it undefined and say so
   * in `TransportFeatures.nativeTls`.
   */
  startTls?(req: TlsUpgradeRequest, cb: TlsUpgradeCallback): Dial | null;
  /**
   * For a handle made by `Transport.openFd`: gives its socket up as a bound
   * one that core dials from, because Node's `connect()` on a Socket made
   * with `fd` connects that very descriptor (one that was bound, or only
   * created, and never connected), keeping its local end. From the call on
   * core never uses this handle again, not even `close()`; the socket now
   * belongs to the returned BoundHandle. Returns `null`, and changes nothing,
   * where the socket is known to be connected already (core then leaves the
   * connection as it is) or the runtime cannot connect a descriptor (see the
   * adapter). Called only while no write or shutdown is in flight.
   */
  toBound?(): BoundHandle | null;
}

/** What a TLS upgrade asks for (`StreamHandle.startTls`); `node:tls`'s option names. */
export interface TlsUpgradeRequest {
  /** Server side of the handshake (`true`) or client side (`false`). */
  isServer: boolean;
  /** SNI name a client sends, and the name its certificate check uses; none for an IP. */
  servername?: string;
  /** Certificate authorities to trust instead of the default set (PEM). */
  ca?: string | Uint8Array | Array<string | Uint8Array>;
  /** This side's certificate chain (PEM): a server's, or a client certificate. */
  cert?: string | Uint8Array;
  /** This side's private key (PEM). */
  key?: string | Uint8Array;
  /** ALPN protocols offered (client) or accepted (server), in order of preference. */
  alpnProtocols?: string[];
  /** Fail the handshake on a certificate the trusted CAs do not vouch for. */
  rejectUnauthorized: boolean;
}

/** What a finished TLS handshake settled. */
export interface TlsInfo {
  /** Whether the peer's certificate was verified. */
  authorized: boolean;
  /** Why it was not (an OpenSSL-style code such as `SELF_SIGNED_CERT_IN_CHAIN`), if known. */
  authorizationError?: string;
  /** The ALPN protocol agreed on, or `null`. */
  alpnProtocol: string | null;
  /**
   * Which native TLS carried it: `"tls_wrap"` (node:tls on the runtime's
   * own stream handle: Node's TLSWrap, Deno's node:tls), `"deno.startTls"`,
   * `"bun.upgradeTLS"`, `"node:net"` (node:tls on the runtime's own
   * `net.Socket`, the node:net adapter).
   */
  route: string;
}

/** Called once when a TLS upgrade finished: the plaintext handle, or the handshake's error. */
export type TlsUpgradeCallback = (
  err: Error | null,
  handle?: StreamHandle,
  info?: TlsInfo,
) => void;

/** A pending outgoing connection. */
export interface Dial {
  /**
   * Abandons the attempt: the connect callback is never called, and a
   * connection that completes later is closed by the adapter at once.
   */
  cancel(): void;
}

/** Called once with the connected handle or a Node-shaped error. */
export type ConnectCallback = (err: SystemError | null, handle?: StreamHandle) => void;

/** What core passes to `connectTcp`: always a resolved IP literal. */
export interface TcpConnectRequest {
  /** IP literal to dial (IPv6 without brackets). */
  address: string;
  /** Remote port. */
  port: number;
  /** 4 or 6, matching `address`. */
  family: 4 | 6;
  /** Local IP to bind before connecting. */
  localAddress?: string;
  /** Local port to bind before connecting. */
  localPort?: number;
  /**
   * Given with a local end: called once the adapter has bound it, before its
   * connect call (within `connectTcp()` or later, before the callback), with
   * the bound end where the adapter knows it (the socket shows it while it
   * connects, as Node's); core announces the attempt (`'connectionAttempt'`)
   * then, as Node binds first. A dial whose bind fails does not call it. An
   * adapter whose runtime binds and connects in one step calls it before that
   * step; one that never calls it has its attempt announced when it calls
   * back (unless with the bind's error).
   */
  bound?: (local?: AddressInfo) => void;
  /**
   * A handle of this transport's `dialHandle()` to dial on instead of a new
   * one; from then on the dial owns it (closes it on failure or cancel).
   */
  handle?: object;
}

/** What core passes to `listenTcp`. */
export interface TcpListenRequest {
  /** IP literal to bind (`'::'` or `'0.0.0.0'` for any). */
  address: string;
  /** Port; 0 picks a free one. */
  port: number;
  /** Listen backlog (511 unless the user gave one). */
  backlog: number;
  /** IPV6_V6ONLY: only meaningful with an IPv6 `address`. */
  ipv6Only: boolean;
  /** SO_REUSEPORT: several listeners share the port. */
  reusePort: boolean;
  /** `exclusive` of `listen()`: in a cluster worker, do not share the port with other workers. */
  exclusive?: boolean;
}

/** What core passes to `listenUnix`. */
export interface UnixListenRequest {
  /** Filesystem path of the socket. */
  path: string;
  /** Listen backlog. */
  backlog: number;
  /** `exclusive` of `listen()`: in a cluster worker, do not share the path with other workers. */
  exclusive?: boolean;
}

/** Callbacks a listener reports to its owner (the core Server). */
export interface ListenerEvents {
  /** A connection was accepted. It is not reading until `readStart()`. */
  onConnection(handle: StreamHandle): void;
  /** An accept-side error (`accept EMFILE`...). Listening goes on. */
  onError(err: SystemError): void;
  /**
   * Whether the owner is at its `maxConnections` (a connection offered now
   * would be dropped). Asked only where the runtime can still give such a
   * connection to someone else: a `node:cluster` round-robin worker refuses
   * it back to the primary, which hands it to another worker.
   */
  full?(): boolean;
  /**
   * The runtime asks the owner to close, as `server.close()` would: a `node:cluster` worker's
   * `disconnect()` closes every server that listens through the cluster, as in Node. `cb`
   * once the owner closed.
   */
  closeRequested?(cb: () => void): void;
}

/** A listening socket. */
export interface ListenerHandle {
  /** The bound endpoint (port resolved when 0 was asked); a path for Unix sockets. */
  address(): AddressInfo | string;
  /**
   * Stops accepting and releases the socket (and nothing else). `cb` fires
   * once the address is free, never within the call: in the microtasks after
   * it where the runtime frees it within the call, and then close() returns
   * `true` (the server's `'close'` then comes on the next tick of the
   * close() call, as Node's; where the adapter does not bring it from the
   * event loop, core holds a loop turn after it for a `'beforeExit'`
   * listener: `holdTurnForBeforeExit`).
   * @returns `true` when the address is free on return
   */
  close(cb: () => void): boolean | void;
  /** Lets the listener keep the process alive (default). */
  ref(): void;
  /** Stops the listener from keeping the process alive. */
  unref(): void;
  /**
   * Hands over the runtime's own listening handle (a `node:net` Server's
   * `_handle`) and finishes this listener without closing it; `undefined`
   * where there is none. Used to move a cluster worker's shared listener
   * onto the libuv adapter (`runtimes/cluster.ts`).
   */
  releaseHandle?(): unknown;
  /**
   * The runtime's own listening handle, left in place: the object the
   * runtime's `node:net` Server keeps as `_handle`, which its `child_process`
   * sends for `subprocess.send(message, server)` (Node's and Deno's TCP/Pipe
   * handle, Bun's `Bun.listen` listener). `undefined` where there is none.
   */
  nativeHandle?(): unknown;
}

/**
 * Called once with the bound listener or a Node-shaped error
 * (`listen EADDRINUSE ...`): synchronously, before `listenTcp`/`listenUnix`
 * returns, whenever the runtime binds synchronously (see `Transport.listenTcp`).
 */
export type ListenCallback = (err: SystemError | null, listener?: ListenerHandle) => void;

/** What core passes to `Transport.bindTcp`: always a numeric IP. */
export interface TcpBindRequest {
  /** IP literal to bind (IPv6 without brackets). */
  address: string;
  /** Port; 0 picks a free one. */
  port: number;
  /** IPV6_V6ONLY: only meaningful with an IPv6 `address`. */
  ipv6Only: boolean;
  /** SO_REUSEPORT. */
  reusePort: boolean;
}

/**
 * A socket bound to a local endpoint that neither listens nor connects yet
 * (what `net.BoundSocket` holds): it becomes a listener through `listen` or
 * a connection through `connectTcp`/`connectUnix`, exactly once; after
 * either, or after `close`, core never calls it again. Closing a Unix one
 * removes its socket file, as libuv does.
 */
export interface BoundHandle {
  /** The bound endpoint (port resolved when 0 was asked); the path for a Unix socket. */
  address(): AddressInfo | string;
  /** The socket's descriptor, or -1 where the runtime exposes none. */
  fd(): number;
  /** Releases the socket now (synchronously as far as the bind goes). */
  close(): void;
  /** Listens on the bound socket; `cb` is called before this returns. */
  listen(backlog: number, events: ListenerEvents, cb: ListenCallback): void;
  /** Connects from the bound TCP socket; the request never has a local endpoint. */
  connectTcp(req: TcpConnectRequest, cb: ConnectCallback): Dial;
  /** Connects from the bound Unix socket to `path`. */
  connectUnix(path: string, cb: ConnectCallback): Dial;
  /**
   * The runtime's own handle (Node's TCP or Pipe handle), left in place:
   * what Node's worker messaging lists before it moves it. Absent where the
   * adapter holds no runtime handle.
   */
  nativeHandle?(): object;
  /**
   * Gives the runtime's own handle up, for the runtime's `node:net`,
   * `child_process` or worker messaging to own from now on; this
   * BoundHandle is done afterwards. Present with `nativeHandle`.
   */
  release?(): object;
}

/** What an adapter can do, for features some runtimes lack. */
export interface TransportFeatures {
  /** `reusePort` on listen works. */
  reusePort: boolean;
  /** `ipv6Only` on listen works. */
  ipv6Only: boolean;
  /** `backlog` on listen is honoured (otherwise the runtime's default is used). */
  backlog: boolean;
  /** `setKeepAlive(true, delay)` sets the delay, not only the flag. */
  keepAliveDelay: boolean;
  /** `setKeepAlive` sets the probe interval and count too (Node 24.21+ and 26); absent means false. */
  keepAliveProbes?: boolean;
  /** `localAddress`/`localPort` on connect work. */
  localBind: boolean;
  /** `openFd` wraps pipes (FIFOs) too, not only sockets; absent means true. */
  fdPipe?: boolean;
  /** TCP handles implement `setTypeOfService`/`getTypeOfService` (IP_TOS). */
  typeOfService?: boolean;
  /**
   * Stream handles implement `startTls` (TLS in the runtime's own TLS, on
   * the connection); absent means false. Even then a handle may decline a
   * request it cannot serve natively (it returns `null`).
   */
  nativeTls?: boolean;
  /** `bindTcp`/`bindUnix` are there (`net.BoundSocket`); absent means false. */
  boundSocket?: boolean;
  /**
   * A stream handle's `close` callback runs from the event loop itself, on a
   * later turn, never inside a caller's stack or another callback of the
   * runtime (libuv's close phase on Node); absent means false. Core then
   * emits `'close'` from that callback instead of one tick later.
   */
  closeFromLoop?: boolean;
  /**
   * Stream handles answer `nativeHandle()` with the handle the runtime's own
   * `node:net` would keep (libuv on Node and Deno, the Bun socket on Bun):
   * omninet's Socket is then a `node:net` Socket showing it as `_handle` where
   * the runtime allows the link (runtimes/node/handoff.ts).
   */
  nativeStreamHandles?: boolean;
}

/** A runtime adapter. */
export interface Transport {
  /** `'deno'`, `'bun'`, `'node'`, or a test transport's name. */
  readonly name: string;
  /** Capabilities that differ between runtimes. */
  readonly features: TransportFeatures;
  /** Dials a TCP endpoint given as an IP literal. */
  connectTcp(req: TcpConnectRequest, cb: ConnectCallback): Dial;
  /**
   * Dials a Unix domain socket at `path`; on `handle` (of `dialHandle()`) when
   * given, which the dial then owns.
   */
  connectUnix(path: string, cb: ConnectCallback, handle?: object): Dial;
  /**
   * Makes the runtime handle a connecting socket's next dial will run on,
   * before its host lookup: what the socket shows as `_handle` while it
   * connects, as Node's socket holds its handle from `connect()` on (Node's
   * tests and stacks read or patch it then). The dial gets it back through
   * `TcpConnectRequest.handle` or `connectUnix`'s `handle`; one no dial took
   * goes to `dropDialHandle`. Absent, or returning null for a kind of dial,
   * where the adapter makes no runtime handle before the dial (`_handle` is
   * then `null` until connected).
   */
  dialHandle?(pipe: boolean): object | null;
  /** Closes a handle of `dialHandle()` that no dial took. */
  dropDialHandle?(handle: object): void;
  /**
   * Binds and listens on TCP; `events` receives accepted handles. `cb` gets
   * the bound listener or the bind error, and, unlike other callbacks, runs
   * before this method returns whenever the runtime knows the outcome at
   * once: core builds Node's synchronous `listen()` on that (`listening` and
   * `address()` right after the call). Deno and Bun bind synchronously,
   * success and failure alike. `node:net` binds the wildcard (`'::'`, passed
   * on as "no host") and Unix paths synchronously but reports their errors
   * only on the next tick, and binds any other address after a lookup tick;
   * its adapter calls back synchronously exactly when the inner server is
   * listening on return.
   */
  listenTcp(req: TcpListenRequest, events: ListenerEvents, cb: ListenCallback): void;
  /** Binds and listens on a Unix domain socket; `cb` is timed as for `listenTcp`. */
  listenUnix(req: UnixListenRequest, events: ListenerEvents, cb: ListenCallback): void;
  /**
   * Wraps an existing file descriptor (the `fd` option), where the runtime
   * can. Absent on runtimes that cannot; core then raises
   * `ERR_FEATURE_UNAVAILABLE_ON_PLATFORM`.
   */
  openFd?(fd: number): StreamHandle;
  /**
   * Wraps a connected stream handle someone else made (the `handle` option
   * of `new net.Socket()`): a handle of this runtime's own `node:net` (Node's
   * and Deno's TCP and Pipe handles, such as `socket._handle` shows), or any
   * object made to look like one, as Node's tests make. The handle is not
   * reading yet. Absent where the adapter has none of its own; core then
   * wraps it in the runtime's `node:net` Socket (`runtimes/mod.ts`).
   */
  openHandle?(handle: object): StreamHandle;
  /**
   * Takes over a runtime listening handle (from `ListenerHandle.releaseHandle`,
   * e.g. the handle a cluster worker got from the primary) bound to
   * `address`; its connections go to `events` from then on.
   */
  adoptListening?(
    handle: unknown,
    address: AddressInfo | string,
    events: ListenerEvents,
  ): ListenerHandle;
  /**
   * Whether `handle` is one of this runtime's listening handles, as a
   * `node:net` Server holds it in `_handle` (the Server a child process got
   * from `subprocess.send(message, server)` holds one). Absent where the
   * adapter cannot take such a handle over.
   */
  isListenHandle?(handle: unknown): boolean;
  /**
   * Takes over a runtime listening handle (`isListenHandle` said yes) for
   * `listen(handle)`, as Node's `listen()` does with a handle: it listens with
   * `backlog`, its connections go to `events` from then on, and the object
   * that held it before gets none. `cb` is called before this returns.
   */
  listenHandle?(handle: unknown, backlog: number, events: ListenerEvents, cb: ListenCallback): void;
  /**
   * Listens on an existing socket descriptor (`listen({ fd })`), bound
   * already, where the runtime can; `cb` is timed as for `listenTcp`, and a
   * descriptor that is not a TCP or Unix socket fails with `listen EINVAL`.
   * Absent on runtimes that cannot; core then raises
   * `ERR_FEATURE_UNAVAILABLE_ON_PLATFORM`.
   */
  listenFd?(fd: number, backlog: number, events: ListenerEvents, cb: ListenCallback): void;
  /**
   * Binds a TCP socket without listening or connecting (`net.BoundSocket`),
   * synchronously: returns the bound socket or throws the bind's system
   * error (`bind EADDRINUSE 127.0.0.1:80`, including a conflict the kernel
   * reports only later, which the adapter asks for at once). Absent where
   * the runtime cannot hold a socket that is bound only (`features.boundSocket`
   * is false then); core raises `ERR_FEATURE_UNAVAILABLE_ON_PLATFORM`.
   */
  bindTcp?(req: TcpBindRequest): BoundHandle;
  /** Like `bindTcp`, for a Unix socket path (a leading NUL: Linux's abstract namespace). */
  bindUnix?(path: string): BoundHandle;
  /**
   * Takes over a BoundSocket of the runtime's own `node:net` (one a child
   * process or worker thread received, say), which is adopted afterwards.
   * Present where the runtime's `node:net` has a BoundSocket.
   */
  adoptBound?(bound: object): BoundHandle;
  /**
   * Calls `cb` in this turn's closing phase of the event loop, where a
   * handle's close callback comes (after the turn's immediates, also those
   * queued after this call), keeping the process alive until then: for a
   * socket closed before it had a handle of the adapter's. Absent where the
   * runtime has no such phase to reach; core then uses `afterLoopTurn`
   * (`core/loop.ts`), which comes one turn later.
   */
  afterLoopTurn?(cb: () => void): void;
}
