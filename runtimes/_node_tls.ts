/**
 * TLS through the runtime's `node:tls` on one of the runtime's own
 * `net.Socket`s: the route the libuv adapter (Node's TLSWrap on the libuv
 * handle; on Deno, its node:tls over its handle layer) and the node:net
 * adapter take for `StreamHandle.startTls`. Each runtime hands the native
 * handle of its own `net.Socket` to its TLS, so the ciphertext never enters
 * JavaScript; the plaintext side is the TLS socket, seen through the
 * StreamHandle contract by `TlsSocketHandle`.
 * @module
 */
import type { Socket } from "node:net";
import * as tls from "node:tls";
import type { SystemError } from "../core/errors.ts";
import type {
  Dial,
  Endpoint,
  HandleEvents,
  StreamHandle,
  TlsUpgradeCallback,
  TlsUpgradeRequest,
} from "./types.ts";
import { CachedEnds } from "./_shared.ts";

type _Cb = (err?: SystemError | null) => void;

/**
 * A `tls.TLSSocket` behind the StreamHandle contract: it starts paused and
 * flows between `readStart()` and `readStop()` (a paused TLS socket stops
 * reading below once its buffer is full); a write's callback fires at once
 * while the socket takes more, else at its `'drain'`.
 * @example
 * ```ts
 * import * as tls from "node:tls";
 * const secure = tls.connect({ port: 443, host: "example.com", servername: "example.com" });
 * secure.once("secureConnect", () => {
 *   const handle = new TlsSocketHandle(secure, { local: null, remote: null });
 *   handle.close(() => {});
 * });
 * ```
 */
export class TlsSocketHandle extends CachedEnds implements StreamHandle {
  readonly #s: tls.TLSSocket;
  #events: HandleEvents | null = null;
  #reading = false;
  #closed = false;
  #released = false;
  #held: Uint8Array[] | null = null;
  #heldEnd = false;
  #error: SystemError | null = null;
  #writeCb: _Cb | null = null;
  #shutdownCb: _Cb | null = null;
  #closeCbs: Array<() => void> | null = null;
  /** The socket under the TLS: destroying the TLS socket leaves its handle open. */
  readonly #under: Socket | null;

  /**
   * @param secure a TLS socket whose handshake finished
   * @param ends the connection's endpoints (read before the upgrade)
   */
  constructor(
    secure: tls.TLSSocket,
    ends: { local: Endpoint; remote: Endpoint },
    under?: Socket,
  ) {
    super(ends.local, ends.remote);
    this.#s = secure;
    this.#under = under ?? null;
    // Paused before the 'data' listener, which would otherwise start the flow.
    secure.pause();
    secure.on("data", this.#onData);
    secure.on("end", this.#onEnd);
    secure.on("drain", this.#onDrain);
    secure.on("finish", this.#onFinish);
    secure.on("error", this.#onError);
    secure.on("close", this.#onClose);
  }

  /** The TLS socket this handle drives (for inspection: which stream it sits on). */
  get tlsSocket(): tls.TLSSocket {
    return this.#s;
  }

  /**
   * Gives the TLS socket back (paused, without this handle's listeners):
   * its owner takes over, and its close still closes the socket under it.
   */
  release(): tls.TLSSocket {
    const s = this.#s;
    this.#closed = this.#released = true;
    this.#events = null;
    s.pause();
    s.removeListener("data", this.#onData);
    s.removeListener("end", this.#onEnd);
    s.removeListener("drain", this.#onDrain);
    s.removeListener("finish", this.#onFinish);
    s.removeListener("error", this.#onError);
    s.removeListener("close", this.#onClose);
    const under = this.#under;
    if (under !== null) s.once("close", () => under.destroy());
    return s;
  }

  attach(events: HandleEvents): void {
    this.#events = events;
  }

  readStart(): void {
    if (this.#closed || this.#reading) return;
    this.#reading = true;
    if (this.#held === null && !this.#heldEnd) return void this.#s.resume();
    queueMicrotask(this.#flushHeld);
  }

  readStop(): void {
    if (this.#closed) return;
    this.#reading = false;
    this.#s.pause();
  }

  write(chunk: Uint8Array, cb: _Cb): void {
    if (this.#closed) return;
    if (this.#error !== null) return this.#failLater(cb);
    // Waiting for 'drain' past the TLS socket's own 16 KiB mark measured the same as
    // letting 256 KiB queue (TLS echo, Node 20 139–255 vs 158–247 MiB/s, Node 24
    // 189–313 vs 168–308, alternating runs): the plain form stays.
    if (chunk.length === 0 || this.#s.write(chunk)) cb();
    else this.#writeCb = cb;
  }

  writev(chunks: Uint8Array[], cb: _Cb): void {
    if (this.#closed) return;
    if (this.#error !== null) return this.#failLater(cb);
    const s = this.#s;
    let ok = true;
    s.cork();
    for (let i = 0; i < chunks.length; i++) if (chunks[i].length > 0) ok = s.write(chunks[i]);
    s.uncork();
    if (ok) cb();
    else this.#writeCb = cb;
  }

  shutdown(cb: _Cb): void {
    if (this.#closed) return;
    if (this.#error !== null) return this.#failLater(cb);
    this.#shutdownCb = cb;
    // close_notify, then the FIN once it is out.
    this.#s.end();
  }

  close(cb: () => void): void {
    if (!this.#closed) {
      this.#closed = true;
      this.#writeCb = this.#shutdownCb = null;
      this.#events = null;
    }
    if (this.#released) return void queueMicrotask(cb);
    (this.#closeCbs ??= []).push(cb);
    if (!this.#s.destroyed) this.#s.destroy();
  }

  /** Destroys the socket under the TLS too; its release is this handle's. */
  #releaseUnder(done: () => void): void {
    const u = this.#under;
    if (u === null || (u.destroyed && (u as { closed?: boolean }).closed)) return done();
    u.once("close", () => done());
    u.destroy();
  }

  setNoDelay(enable: boolean): void {
    if (!this.#closed) this.#s.setNoDelay(enable);
  }

  setKeepAlive(enable: boolean, initialDelayMs: number): void {
    if (!this.#closed) this.#s.setKeepAlive(enable, initialDelayMs);
  }

  ref(): void {
    this.#s.ref();
  }

  unref(): void {
    this.#s.unref();
  }

  protected readLocal(): Endpoint {
    return null;
  }

  protected readRemote(): Endpoint {
    return null;
  }

  #failLater(cb: _Cb): void {
    queueMicrotask(() => {
      if (!this.#closed) cb(this.#error);
    });
  }

  #onData = (chunk: Uint8Array): void => {
    if (this.#closed) return;
    if (this.#reading && this.#held === null) this.#events!.onData(chunk);
    else (this.#held ??= []).push(chunk);
  };

  #onEnd = (): void => {
    if (this.#closed) return;
    if (this.#reading && this.#held === null) this.#events!.onEnd();
    else this.#heldEnd = true;
  };

  #flushHeld = (): void => {
    const held = this.#held;
    while (held !== null && held.length > 0) {
      if (!this.#reading || this.#closed) return;
      this.#events!.onData(held.shift()!);
    }
    if (!this.#reading || this.#closed) return;
    this.#held = null;
    if (this.#heldEnd) {
      this.#heldEnd = false;
      return this.#events!.onEnd();
    }
    this.#s.resume();
  };

  #onDrain = (): void => {
    const cb = this.#writeCb;
    this.#writeCb = null;
    cb?.();
  };

  #onFinish = (): void => {
    const cb = this.#shutdownCb;
    this.#shutdownCb = null;
    cb?.();
  };

  #onError = (err: Error): void => {
    if (this.#closed || this.#error !== null) return;
    const e = err as SystemError;
    this.#error = e;
    const w = this.#writeCb;
    const s = this.#shutdownCb;
    this.#writeCb = this.#shutdownCb = null;
    w?.(e);
    s?.(e);
    if (!this.#closed) this.#events?.onError(e);
  };

  #onClose = (): void => {
    this.#releaseUnder(() => {
      this.#released = true;
      const cbs = this.#closeCbs;
      this.#closeCbs = null;
      if (cbs !== null) { for (const cb of cbs) cb(); }
    });
  };
}

/**
 * Runs a TLS handshake with the runtime's `node:tls` over `sock`, one of the
 * runtime's own connected `net.Socket`s (which it takes over), and calls
 * `cb` as `StreamHandle.startTls` describes.
 * @param sock the runtime's own socket, not reading
 * @param req what the handshake needs
 * @param route the `TlsInfo.route` to report
 * @param ends the connection's endpoints
 * @param cb called once with the plaintext handle or the handshake's error
 * @returns what cancels the handshake
 * @example
 * ```ts
 * import { connect } from "node:net";
 * const sock = connect(443, "example.com", () => {
 *   tlsOverNetSocket(sock, { isServer: false, servername: "example.com", rejectUnauthorized: true },
 *     "node:net", { local: null, remote: null }, (err, handle) => handle?.close(() => {}));
 * });
 * ```
 */
export function tlsOverNetSocket(
  sock: Socket,
  req: TlsUpgradeRequest,
  route: string,
  ends: { local: Endpoint; remote: Endpoint },
  cb: TlsUpgradeCallback,
): Dial {
  let secure: tls.TLSSocket;
  const alpn = req.alpnProtocols && req.alpnProtocols.length > 0 ? req.alpnProtocols : undefined;
  try {
    secure = req.isServer
      ? new tls.TLSSocket(sock, {
        isServer: true,
        secureContext: tls.createSecureContext({
          ca: req.ca as tls.SecureContextOptions["ca"],
          cert: req.cert as tls.SecureContextOptions["cert"],
          key: req.key as tls.SecureContextOptions["key"],
        }),
        ALPNProtocols: alpn,
        rejectUnauthorized: req.rejectUnauthorized,
      })
      : tls.connect({
        socket: sock,
        servername: req.servername,
        ALPNProtocols: alpn,
        ca: req.ca as tls.ConnectionOptions["ca"],
        cert: req.cert as tls.ConnectionOptions["cert"],
        key: req.key as tls.ConnectionOptions["key"],
        rejectUnauthorized: req.rejectUnauthorized,
      });
  } catch (err) {
    sock.destroy();
    queueMicrotask(() => cb(err as Error));
    return { cancel() {} };
  }
  // The owner applies allowHalfOpen itself: the TLS layer must not end writing on the peer's FIN.
  (secure as { allowHalfOpen: boolean }).allowHalfOpen = true;
  let done = false;
  const finish = (): void => {
    done = true;
    secure.destroy();
    sock.destroy();
  };
  const onError = (err: Error): void => {
    if (done) return;
    finish();
    cb(err);
  };
  secure.once("error", onError);
  secure.once(req.isServer ? "secure" : "secureConnect", () => {
    if (done) return;
    done = true;
    const handle = new TlsSocketHandle(secure, ends, sock);
    secure.removeListener("error", onError);
    const proto = secure.alpnProtocol;
    const why = secure.authorizationError as unknown;
    cb(null, handle, {
      authorized: secure.authorized,
      authorizationError: why === null || why === undefined ? undefined : String(why),
      alpnProtocol: typeof proto === "string" && proto !== "" ? proto : null,
      route,
    });
  });
  return {
    cancel(): void {
      if (!done) finish();
    },
  };
}
