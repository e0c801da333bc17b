/**
 * The Deno adapter: the transport contract over `Deno.connect` and
 * `Deno.listen` (TCP and Unix domain sockets). The connected stream lives in
 * `stream.ts`, the read memory in `arena.ts`, the API declarations and error
 * translation in `api.ts`; this file dials, listens and accepts.
 *
 * Nothing here touches `Deno` until `createDenoTransport()` is called, so the
 * module can be imported on every runtime.
 * @module
 */
import { type SystemError, systemError } from "../../core/errors.ts";
import type {
  AddressInfo,
  ConnectCallback,
  Dial,
  ListenCallback,
  ListenerEvents,
  ListenerHandle,
  TcpConnectRequest,
  TcpListenRequest,
  Transport,
  TransportFeatures,
  UnixListenRequest,
} from "../types.ts";
import { failedDial } from "../../core/sys_errors.ts";
import {
  codeOf,
  type DenoApi,
  denoApi,
  type DenoConn,
  type DenoListener,
  mapError,
  settle,
  toEndpoint,
} from "./api.ts";
import { ReadArena } from "./arena.ts";
import { DenoStream } from "./stream.ts";

/** A `Deno.Listener` as a transport listener handle. */
class _DenoServer implements ListenerHandle {
  #listener: DenoListener;
  #events: ListenerEvents;
  #address: AddressInfo | string;
  #closed = false;
  #refed = true;
  #pending: Promise<DenoConn> | null = null;
  #arena: ReadArena;

  constructor(listener: DenoListener, events: ListenerEvents, arena: ReadArena, path?: string) {
    this.#listener = listener;
    this.#arena = arena;
    this.#events = events;
    this.#address = path ?? (toEndpoint(listener.addr) as AddressInfo);
  }

  start(): void {
    void this.#acceptLoop();
  }

  async #acceptLoop(): Promise<void> {
    while (!this.#closed) {
      let conn: DenoConn;
      try {
        conn = await (this.#pending = this.#listener.accept());
      } catch (err) {
        if (this.#closed || _isClosedError(err)) return;
        this.#events.onError(mapError(err, "accept"));
        // Out of descriptors and the like: back off instead of spinning.
        await this.#pause(10);
        continue;
      }
      if (this.#closed) {
        _closeQuietly(conn);
        return;
      }
      this.#events.onConnection(new DenoStream(conn, this.#arena));
    }
  }

  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const id = setTimeout(resolve, ms) as unknown as number;
      if (!this.#refed) denoApi().unrefTimer(id);
    });
  }

  address(): AddressInfo | string {
    return this.#address;
  }

  close(cb: () => void): boolean {
    if (!this.#closed) {
      this.#closed = true;
      try {
        this.#listener.close();
      } catch {
        // Already closed.
      }
    }
    // The port is only free once the pending accept has been rejected.
    const pending = this.#pending;
    if (pending !== null) settle(pending, cb);
    else queueMicrotask(cb);
    return pending === null;
  }

  ref(): void {
    this.#refed = true;
    if (!this.#closed) this.#listener.ref();
  }

  unref(): void {
    this.#refed = false;
    if (!this.#closed) this.#listener.unref();
  }
}

function _isClosedError(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  return name === "BadResource" || name === "Interrupted";
}

function _closeQuietly(conn: DenoConn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}

function _connect(
  api: DenoApi,
  arena: ReadArena,
  options: Parameters<DenoApi["connect"]>[0],
  cb: ConnectCallback,
  onError: (err: unknown) => SystemError,
): Dial {
  let state: "pending" | "done" | "cancelled" = "pending";
  const abort = options.transport === "tcp" ? new AbortController() : undefined;
  if (abort) options.signal = abort.signal;
  let abortLater: ReturnType<typeof setTimeout> | undefined;
  api.connect(options).then((conn) => {
    clearTimeout(abortLater);
    if (state === "cancelled") return _closeQuietly(conn);
    state = "done";
    cb(null, new DenoStream(conn, arena));
  }, (err) => {
    clearTimeout(abortLater);
    if (state === "cancelled") return;
    // From an immediate, not from the microtask the rejection runs in (at once for a Unix path
    // that is missing): core destroys the socket and its 'error' follows in one go, as when
    // Node's loop reports the failure, with no queued microtask or nextTick seeing the socket
    // destroyed before its error.
    setImmediate(() => {
      // Cancelled meanwhile: the dial is over, so nothing is left to abort later.
      clearTimeout(abortLater);
      if (state === "cancelled") return;
      state = "done";
      cb(onError(err));
    });
  });
  return {
    cancel() {
      if (state !== "pending") return;
      state = "cancelled";
      // A dial that completes as its signal aborts loses its connection inside Deno (2.9: the
      // promise rejects, the socket stays open and the peer never reads EOF; about 1 in 2,000
      // dials cancelled at once). So the dial gets time to settle, and the Conn it gives is
      // closed here; only a dial still pending then (a SYN nobody answers) is aborted. The time
      // covers a busy event loop: with 250 ms a loaded run (npm run fault) still lost some.
      if (abort) abortLater = setTimeout(() => abort.abort(), _ABORT_GRACE_MS);
    },
  };
}

/** How long a cancelled TCP dial may still complete before its signal aborts it (see `_connect`). */
const _ABORT_GRACE_MS = 2000;

function _listenTcp(
  api: DenoApi,
  arena: ReadArena,
  features: TransportFeatures,
  req: TcpListenRequest,
  events: ListenerEvents,
  cb: ListenCallback,
): void {
  let listener: DenoListener;
  try {
    listener = api.listen({
      transport: "tcp",
      hostname: req.address,
      port: req.port,
      tcpBacklog: req.backlog,
      // Core asks only for what features grant; without --unstable-net Deno exits on reusePort.
      ...(req.reusePort && features.reusePort ? { reusePort: true } : {}),
    });
  } catch (err) {
    // Deno.listen binds synchronously: the outcome goes back at once, as the contract asks.
    cb(mapError(err, "listen", req.address, req.port));
    return;
  }
  _announce(new _DenoServer(listener, events, arena), cb);
}

function _announce(server: _DenoServer, cb: ListenCallback): void {
  cb(null, server);
  // Accepted connections arrive from a later turn; the owner has the handle by then.
  server.start();
}

function _listenUnix(
  api: DenoApi,
  arena: ReadArena,
  req: UnixListenRequest,
  events: ListenerEvents,
  cb: ListenCallback,
): void {
  let listener: DenoListener;
  try {
    listener = api.listen({ transport: "unix", path: req.path });
  } catch (err) {
    cb(mapError(err, "listen", req.path));
    return;
  }
  _announce(new _DenoServer(listener, events, arena, req.path), cb);
}

/**
 * Creates the transport over `Deno.connect` / `Deno.listen`.
 *
 * `features.reusePort` is true only when Deno's unstable network APIs are on
 * (`--unstable-net`): without them Deno exits the process on `reusePort`.
 *
 * @returns The Deno transport.
 * @example
 * ```ts
 * import { createDenoTransport } from "./mod.ts";
 * const transport = createDenoTransport();
 * transport.connectTcp({ address: "127.0.0.1", port: 8080, family: 4 }, (err, handle) => {
 *   if (err) throw err;
 *   handle!.close(() => {});
 * });
 * ```
 */
export function createDenoTransport(): Transport {
  const api = denoApi();
  const arena = new ReadArena();
  const features: TransportFeatures = {
    // listenDatagram is only exposed when unstable net APIs are enabled.
    reusePort: typeof api.listenDatagram === "function",
    ipv6Only: false,
    backlog: true,
    keepAliveDelay: false,
    localBind: false,
    // Deno.startTls on a TCP connection (tls.ts), for the requests Deno's API can serve.
    nativeTls: true,
  };
  return {
    name: "deno",
    features,
    connectTcp(req: TcpConnectRequest, cb: ConnectCallback): Dial {
      const refused = () =>
        systemError({
          code: "ECONNREFUSED",
          syscall: "connect",
          address: req.address,
          port: req.port,
        });
      // Deno.connect rejects port 0 (RangeError) before dialling; the kernel
      // refuses such a connect, and that is what Node reports.
      if (req.port === 0) return failedDial(refused(), cb);
      return _connect(
        api,
        arena,
        { transport: "tcp", hostname: req.address, port: req.port },
        cb,
        (err) => {
          // A listener closed just before (Deno releases its socket only once
          // the pending accept settles) resets the connection it had queued:
          // to the dialler the port was refused, as Node and Deno's node:net say.
          if (codeOf(err) === "ECONNRESET") return refused();
          return mapError(err, "connect", req.address, req.port);
        },
      );
    },
    connectUnix(path: string, cb: ConnectCallback): Dial {
      return _connect(
        api,
        arena,
        { transport: "unix", path },
        cb,
        (err) => mapError(err, "connect", path),
      );
    },
    listenTcp(req: TcpListenRequest, events: ListenerEvents, cb: ListenCallback): void {
      _listenTcp(api, arena, features, req, events, cb);
    },
    listenUnix(req: UnixListenRequest, events: ListenerEvents, cb: ListenCallback): void {
      _listenUnix(api, arena, req, events, cb);
    },
  };
}
