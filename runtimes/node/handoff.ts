/**
 * What the runtime's own machinery needs to move an omninet Server to
 * another process or thread.
 *
 * Processes (`subprocess.send(message, server)`, `process.send`): Node's,
 * Deno's and Bun's `child_process` all recognise a sendable server the same
 * way: it is an instance of their own `node:net` Server (an `instanceof`
 * check, nothing else), and its `_handle` is the runtime's listening handle,
 * which goes to the other process with the message; that process gets a
 * `node:net` Server listening on the same socket. So omninet's Server has
 * `node:net`'s `Server.prototype` in its prototype chain (none of node:net's
 * public methods runs through it: omninet's Server defines every one) and
 * answers `_handle` with its listener's handle (`ListenerHandle.nativeHandle`).
 *
 * Threads (`worker.postMessage(value, [server])`, Node 24.21+ and 26): Node's
 * worker messaging takes an object from a transfer list only if that very
 * object was marked transferable when it was built (a private mark that
 * node:net's Server constructor sets on `this`; it is not inherited through
 * the prototype chain, and no public API sets it). It then runs node:net's
 * transfer methods, which omninet's Server inherits with the prototype: they
 * read `_handle` and the accepted-socket options, detach the server by
 * setting `_handle = null`, and the receiving thread gets a `node:net` Server
 * listening on the moved handle. So where node:net's own servers can be
 * transferred, omninet's Server is initialised by node:net's Server
 * constructor first ({@link ServerBase}); elsewhere by EventEmitter alone.
 * Node's built-ins stay untouched.
 * @module
 */
import { EventEmitter } from "node:events";
import { Server, Socket as NodeSocket, SocketAddress as NodeSocketAddress } from "node:net";
import { detectRuntime } from "../_shared.ts";

/**
 * The runtime's own `node:net` `Server.prototype`, which omninet's Server
 * inherits from so that the runtime's `child_process` takes it as a handle.
 * @returns `node:net`'s `Server.prototype`
 * @example
 * ```ts
 * class MyServer {}
 * Object.setPrototypeOf(MyServer.prototype, sendableServerPrototype());
 * ```
 */
export function sendableServerPrototype(): object {
  return Server.prototype;
}

// Bookkeeping node:net's constructor starts that omninet's Server keeps privately (or, for
// cluster's, elsewhere): removed so they do not show stale values, as before.
const _UNKEPT = ["_connections", "_usingWorkers", "_workers", "_unref", "_listeningId"] as const;

let _transferable: boolean | undefined;

/**
 * Whether this runtime's own `node:net` servers can be listed in a worker's
 * transfer list: there a server that is not listening fails node:net's own
 * state check (`ERR_WORKER_HANDLE_NOT_TRANSFERABLE`) instead of being refused
 * as not transferable at all (Node 20: `ERR_INVALID_TRANSFER_OBJECT`). Asked
 * once, of a server that never listens, and only on Node: Deno's and Bun's
 * `node:net` servers are not transferable (a `DataCloneError`).
 */
function _nodeServersTransfer(): boolean {
  if (_transferable !== undefined) return _transferable;
  _transferable = false;
  if (detectRuntime() !== "node") return false;
  const probe = new Server();
  try {
    structuredClone(probe, { transfer: [probe as never] });
  } catch (err) {
    _transferable = (err as { code?: unknown }).code === "ERR_WORKER_HANDLE_NOT_TRANSFERABLE";
  }
  return _transferable;
}

/**
 * The function constructor omninet's Server runs first on each new server
 * (its parent, through `makeAdoptable`): where the runtime's `node:net`
 * servers can be transferred to worker threads, node:net's own Server
 * constructor, run on the new server as an ES5 subclass runs its parent (it
 * sets up the EventEmitter and the transfer mark; the bookkeeping fields it
 * adds that omninet does not keep are removed again); elsewhere
 * `EventEmitter` alone. Statics come from `EventEmitter`, as node:net's
 * Server's do.
 * @example
 * ```ts
 * import { EventEmitter } from "node:events";
 * const server = Object.create(sendableServerPrototype()) as EventEmitter;
 * ServerBase.call(server);
 * server.on("listening", () => {});
 * ```
 */
export function ServerBase(this: object): void {
  if (!_nodeServersTransfer() || !(this instanceof Server)) {
    (EventEmitter as unknown as (this: object) => void).call(this);
    return;
  }
  (Server as unknown as (this: object) => void).call(this);
  const fields = this as unknown as Record<string, unknown>;
  for (const name of _UNKEPT) delete fields[name];
}
Object.setPrototypeOf(ServerBase, EventEmitter);

/**
 * The runtime's own `node:net` `Socket.prototype` where omninet's Socket
 * inherits from it (Node and Deno; Bun, see below), else `null`. Node's,
 * Deno's and Bun's `child_process` send a socket only if it is an instance
 * of their node:net Socket, and send the native handle its `_handle` holds
 * (Node: `handoff.send`, then `_handle = null`; Deno: a duplicate of its
 * descriptor, `fdForIpc()`, then `destroy()` on the socket once the other
 * side has it; Bun: the `Bun.listen`/`Bun.connect` socket, then
 * `_handle = null`). With the link, omninet's sockets show theirs (the libuv
 * adapter's TCP or Pipe handle; on Bun the adapter's Bun socket, or the one
 * the node:net adapter's Bun `node:net` socket holds), and the runtime's own
 * stacks drive that handle as they drive node:net's: `node:tls` wraps it
 * natively (TLSWrap), Node's `node:http` server parser and `http2` consume
 * it, each reading it themselves and writing through it (Deno's `node:http`
 * server writes a last response straight to it). omninet's Socket defines
 * every public method, and the internal ones those stacks call on a socket
 * (`_unrefTimer`, `read`, `end`).
 *
 * Bun's `node:tls`, given a node:net Socket with a native socket in
 * `_handle`, upgrades that native socket in place (its raw side would go on
 * feeding the ciphertext to omninet's stream), unless the socket has a write
 * pending, which it reads from a per-socket slot of its own (a symbol
 * described `writeCallback` on every Bun node:net socket): then it wraps the
 * socket as a stream, as it did before the link. So on Bun the link is made
 * only where that slot is found, and omninet's sockets answer it (see
 * {@link linkedSocketHints}).
 * @returns `node:net`'s `Socket.prototype` on Node, Deno and Bun (as above), else `null`
 * @example
 * ```ts
 * class Mine {}
 * const proto = sendableSocketPrototype();
 * if (proto !== null) Object.setPrototypeOf(Mine.prototype, proto);
 * ```
 */
export function sendableSocketPrototype(): object | null {
  const runtime = detectRuntime();
  if (runtime === "node" || runtime === "deno") return NodeSocket.prototype;
  if (runtime === "bun" && _bunWriteSlot() !== null) return NodeSocket.prototype;
  return null;
}

let _writeSlot: symbol | null | undefined;

/** Bun's per-socket pending-write slot (see sendableSocketPrototype), found once; `null` if absent. */
function _bunWriteSlot(): symbol | null {
  if (_writeSlot !== undefined) return _writeSlot;
  const probe = new NodeSocket();
  _writeSlot = Object.getOwnPropertySymbols(probe).find((k) => k.description === "writeCallback") ??
    null;
  probe.destroy();
  return _writeSlot;
}

// Answers Bun's pending-write check (it only compares with null). Never called: nothing of Bun's
// that calls the slot runs on omninet's sockets.
function _pendingMark(): void {}

/** What {@link linkedSocketHints} asks of a socket. */
export interface LinkedSocketState {
  /**
   * Whether the socket has bytes not yet all in the kernel (its adapter
   * first settles what it holds: `StreamHandle.settle`).
   */
  pending(socket: object): boolean;
  /**
   * The runtime timer behind the socket's idle timeout while one is armed
   * (its `refresh()` records activity), else `null`.
   */
  timer(socket: object): object | null;
}

/**
 * What omninet's Socket.prototype defines beside the link (see
 * {@link sendableSocketPrototype}):
 * - the slot where the runtime's `node:net` keeps a socket's idle timer
 *   (found on a probe socket): a TLS socket over a `node:net` socket
 *   restarts its parents' timers through it when it reads or writes, so
 *   the socket under it does not time out while the TLS connection is
 *   busy, as Node's does not (`_unrefTimer` walks `_parent`);
 * - on Bun, the pending-write slot its `node:tls` reads. Given a socket
 *   whose slot is empty, Bun's `node:tls` upgrades the Bun socket in place
 *   (Bun's own handshake, `SNICallback` included), where the bytes read on
 *   it from then on are the ciphertext the adapter leaves alone; with a
 *   write pending it wraps the socket as a stream, so that the write still
 *   goes out before the handshake.
 * @param state how the slots answer for a socket
 * @returns property descriptors to define on the linked prototype
 * @example
 * ```ts
 * class Mine {}
 * Object.defineProperties(
 *   Mine.prototype,
 *   linkedSocketHints({ pending: () => false, timer: () => null }),
 * );
 * ```
 */
export function linkedSocketHints(state: LinkedSocketState): PropertyDescriptorMap {
  const hints: PropertyDescriptorMap = {};
  const timerKey = _timerKey();
  if (timerKey !== null) {
    hints[timerKey] = {
      get(this: object) {
        return state.timer(this);
      },
      set: _ignore,
      configurable: true,
      enumerable: false,
    };
  }
  const slot = detectRuntime() === "bun" ? _bunWriteSlot() : null;
  if (slot !== null) {
    hints[slot] = {
      get(this: object) {
        return state.pending(this) ? _pendingMark : null;
      },
      set: _ignore,
      configurable: true,
      enumerable: false,
    };
  }
  return hints;
}

/**
 * The symbol under which the runtime's `node:net` keeps a socket's idle
 * timer: the one a probe socket gains, holding an object with `refresh()`,
 * when its timeout is set (Node's and Deno's `Symbol(timeout)`, Bun's
 * `Symbol(::buntimeout::)`); `null` if none is found.
 */
function _timerKey(): symbol | null {
  const probe = new NodeSocket();
  probe.setTimeout(60_000);
  const fields = probe as unknown as Record<symbol, { refresh?: unknown } | null | undefined>;
  const key =
    Object.getOwnPropertySymbols(probe).find((k) => typeof fields[k]?.refresh === "function") ??
      null;
  probe.setTimeout(0);
  probe.destroy();
  return key;
}

function _ignore(_value: unknown): void {}

/** The constructor options node:net's `SocketAddress` takes, already validated. */
export interface NativeSocketAddressInit {
  address: string;
  port: number;
  family: "ipv4" | "ipv6";
  flowlabel: number;
}

let _cloneable: (new (init: NativeSocketAddressInit) => object) | null | undefined;

/**
 * The runtime's own `node:net` `SocketAddress.prototype`, which omninet's
 * `SocketAddress` inherits from: where node:net's socket addresses can be
 * cloned (`structuredClone()`, `postMessage()`), the clone method that the
 * runtime's serializer calls lives there.
 * @returns `node:net`'s `SocketAddress.prototype`
 * @example
 * ```ts
 * class Mine {}
 * Object.setPrototypeOf(Mine.prototype, nativeSocketAddressPrototype());
 * ```
 */
export function nativeSocketAddressPrototype(): object {
  return NodeSocketAddress.prototype;
}

/**
 * node:net's `SocketAddress` class where its instances survive
 * `structuredClone()` as socket addresses (Node: the other side gets a
 * `node:net` `SocketAddress` with the same fields), else `null` (Bun's throw
 * a `DataCloneError`; Deno's arrive as plain objects). Node's serializer
 * clones only an object that node:net's constructor marked as cloneable
 * itself (a private per-instance mark), so omninet's socket addresses are
 * built by that constructor where this answers a class. Asked once.
 * @returns the class, or `null`
 * @example
 * ```ts
 * const Native = cloneableSocketAddress();
 * if (Native) structuredClone(new Native({ address: "::1", port: 80, family: "ipv6", flowlabel: 0 }));
 * ```
 */
export function cloneableSocketAddress(): (new (init: NativeSocketAddressInit) => object) | null {
  if (_cloneable !== undefined) return _cloneable;
  _cloneable = null;
  if (detectRuntime() !== "node") return null;
  try {
    const copy = structuredClone(new NodeSocketAddress({ address: "127.0.0.1", port: 1 }));
    if (copy instanceof NodeSocketAddress && copy.port === 1) {
      _cloneable = NodeSocketAddress as unknown as new (init: NativeSocketAddressInit) => object;
    }
  } catch {
    // Not cloneable on this runtime: plain objects, as before.
  }
  return _cloneable;
}
