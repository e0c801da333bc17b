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
import type * as tls from "node:tls";
import type { TLSSocket } from "node:tls";
import type {
  Dial,
  Endpoint,
  StreamHandle,
  TlsUpgradeCallback,
  TlsUpgradeRequest,
} from "./types.ts";
import { DuplexStreamHandle } from "./_duplex_handle.ts";

/** The runtime's node:tls, loaded at the first upgrade (5 MiB of RSS on Node 24). */
const _tls = (): typeof tls => process.getBuiltinModule("node:tls");

/**
 * A `tls.TLSSocket` behind the StreamHandle contract (`DuplexStreamHandle`):
 * it starts paused and flows between `readStart()` and `readStop()` (a
 * paused TLS socket stops reading below once its buffer is full); a write's
 * callback fires at once while the socket takes more, else at its `'drain'`.
 * Its close also closes the socket under the TLS.
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
export class TlsSocketHandle extends DuplexStreamHandle<TLSSocket> implements StreamHandle {
  /** The socket under the TLS: destroying the TLS socket leaves its handle open. */
  readonly #under: Socket | null;

  /**
   * @param secure a TLS socket whose handshake finished
   * @param ends the connection's endpoints (read before the upgrade)
   * @param under the socket under the TLS, closed with it
   */
  constructor(
    secure: TLSSocket,
    ends: { local: Endpoint; remote: Endpoint },
    under?: Socket,
  ) {
    super(secure, ends.local, ends.remote, true, true);
    this.#under = under ?? null;
  }

  /** The TLS socket this handle drives (for inspection: which stream it sits on). */
  get tlsSocket(): TLSSocket {
    return this.duplex;
  }

  /**
   * Gives the TLS socket back (paused, without this handle's listeners):
   * its owner takes over, and its close still closes the socket under it.
   * @returns the TLS socket
   */
  override release(): TLSSocket {
    const s = super.release();
    const under = this.#under;
    if (under !== null) s.once("close", () => under.destroy());
    return s;
  }

  /** Destroys the socket under the TLS too; its release is this handle's. */
  protected override afterClose(done: () => void): void {
    const u = this.#under;
    if (u === null || (u.destroyed && (u as { closed?: boolean }).closed)) return done();
    u.once("close", () => done());
    u.destroy();
  }
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
      ? new (_tls().TLSSocket)(sock, {
        isServer: true,
        secureContext: _tls().createSecureContext({
          ca: req.ca as tls.SecureContextOptions["ca"],
          cert: req.cert as tls.SecureContextOptions["cert"],
          key: req.key as tls.SecureContextOptions["key"],
        }),
        ALPNProtocols: alpn,
        rejectUnauthorized: req.rejectUnauthorized,
      })
      : _tls().connect({
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
