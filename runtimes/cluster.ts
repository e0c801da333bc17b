/**
 * `node:cluster` port sharing for every adapter, in one place.
 *
 * Node's docs: in a cluster worker, `server.listen(port)` shares the port
 * with the other workers (the primary owns the listening socket) unless
 * `exclusive: true` is given. omninet's own adapters bind sockets
 * themselves, which the primary never sees, so in a worker a non-exclusive
 * listen is handed to whatever the runtime's `cluster` uses (TCP below; a
 * Unix path goes to the runtime's `node:net` on every runtime):
 * - Node and Deno: the runtime's `node:net` Server (the `node` adapter),
 *   whose `listen()` asks the primary for the shared handle or for
 *   round-robin connections; the libuv adapter then takes over that
 *   server's handle (the real one, or cluster's round-robin stand-in), so
 *   connections arrive as its own TCP/Pipe handles.
 * - Bun: Bun's `node:net` Server too, whose cluster code asks the primary
 *   (which listens and hands connections out by default, and gives every
 *   worker the one port it picks for port 0) and tells it of the listen and
 *   the close: the primary's `'listening'` for the worker comes from there
 *   (omninet's own `SO_REUSEPORT` listen for a fixed port, until 2026-12-06,
 *   never told it). Connections come through that server (the `node:net`
 *   adapter's streams).
 *
 * `maxConnections` in a round-robin worker (Node and Deno; on Bun, a Unix
 * path): the primary accepts and sends each connection to a
 * worker, whose `cluster` code asks the server that owns the listening
 * handle (the runtime's `node:net` Server here, not omninet's) whether it is
 * at `maxConnections`; if so the connection goes back to the primary, which
 * gives it to another worker. `linkClusterLimit` makes that inner Server
 * answer with omninet's Server's state. With the primary's handle in every
 * worker (`SCHED_NONE`), and on Bun for a TCP port (Bun's cluster code does
 * not hand a connection back), a full server drops the connection, as each
 * runtime's own `node:net` does.
 * @module
 */
import type {
  ListenCallback,
  ListenerEvents,
  TcpListenRequest,
  Transport,
  UnixListenRequest,
} from "./types.ts";

/**
 * Whether this process is a `node:cluster` worker. A worker always has an IPC
 * channel (`process.send`), so only such processes load `node:cluster`
 * (about 12 ms on Deno, 2 ms on Node and Bun), and then lazily.
 */
function _isWorker(): boolean {
  const p = process as unknown as {
    send?: unknown;
    getBuiltinModule?(id: string): { isWorker?: boolean } | undefined;
  };
  if (typeof p.send !== "function") return false;
  // getBuiltinModule: every supported runtime has it (Node >= 20.16).
  return p.getBuiltinModule?.("node:cluster")?.isWorker === true;
}

/**
 * Returns `transport` with `listenTcp` routed through the runtime's cluster
 * machinery in worker processes (non-exclusive listens only); elsewhere the
 * transport is returned unchanged.
 * @param transport the adapter in use
 * @param viaNodeNet the `node:net` adapter, made on first use and the same one each call
 * @returns the transport to use
 */
export function withClusterSharing(
  transport: Transport,
  viaNodeNet: () => Transport,
): Transport {
  if (!_isWorker() || transport.name === "node") return transport;
  const own = transport.listenTcp.bind(transport);
  // Where the adapter drives the runtime's handles (libuv), it takes over the
  // handle node:net got from the primary, so the worker's connections are
  // the adapter's own streams rather than streams around node:net sockets.
  const adopt = (cb: ListenCallback, events: ListenerEvents): ListenCallback => {
    const take = transport.adoptListening?.bind(transport);
    if (take === undefined) return cb;
    return (err, listener) => {
      if (err !== null || listener?.releaseHandle === undefined) return cb(err, listener);
      const address = listener.address();
      cb(null, take(listener.releaseHandle(), address, events));
    };
  };
  const listenTcp = (req: TcpListenRequest, events: ListenerEvents, cb: ListenCallback): void => {
    if (req.exclusive === true) return own(req, events, cb);
    // Every runtime's cluster machinery lives in its node:net (Bun's too): it
    // asks the primary (port 0 gets the one port the primary picked), tells it
    // of the listen (the primary's 'listening' for the worker) and the close.
    viaNodeNet().listenTcp(req, events, adopt(cb, events));
  };
  // Every runtime's node:net shares a Unix path in a worker (Node and Deno
  // through the primary, Bun its own way), so omninet does what it does.
  const ownUnix = transport.listenUnix.bind(transport);
  const listenUnix = (req: UnixListenRequest, events: ListenerEvents, cb: ListenCallback): void => {
    if (req.exclusive === true) return ownUnix(req, events, cb);
    viaNodeNet().listenUnix(req, events, adopt(cb, events));
  };
  return { ...transport, listenTcp, listenUnix } as Transport;
}

/**
 * In a round-robin cluster worker, makes the runtime's `node:net` Server
 * that got the primary's stand-in handle report omninet's limit: its
 * `maxConnections` reads as reached (-1, which any count meets) while
 * `events.full()` says so, and as unset (`null`) otherwise, which is what
 * the worker's `cluster` code checks before accepting a connection.
 * Elsewhere (a real listening handle, no `full`) nothing changes.
 * @param server the runtime's `node:net` Server, listening
 * @param events the owner's listener callbacks
 * @example
 * ```ts
 * server.listen({ port: 8080 }, () => linkClusterLimit(server, events));
 * ```
 */
export function linkClusterLimit(server: object, events: ListenerEvents): void {
  if (events.full === undefined || !_isWorker()) return;
  const handle = (server as { _handle?: { getAsyncId?: unknown } | null })._handle;
  // The round-robin stand-in is a plain object; real handles have async ids (Node, Deno)
  // or a class of their own (Bun's listeners).
  if (
    handle == null || typeof handle.getAsyncId === "function" ||
    Object.getPrototypeOf(handle) !== Object.prototype
  ) return;
  Object.defineProperty(server, "maxConnections", {
    configurable: true,
    get: () => events.full!() ? -1 : null,
    set: () => {},
  });
}
