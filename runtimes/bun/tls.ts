/**
 * `startTls` on a Bun connection: Bun's own TLS (`socket.upgradeTLS`) runs
 * on the connected socket, in native code. The raw socket keeps carrying
 * the ciphertext underneath, so its handlers are swapped for ones that
 * ignore it (`reload`); the TLS socket gets a fresh `Conn` with the shared
 * handlers, plus a `handshake` handler that hands it to the owner.
 * @module
 */
import { Buffer } from "../../core/builtins.ts";
import { systemError } from "../../core/errors.ts";
import type { AddressInfo, Dial, TlsUpgradeCallback, TlsUpgradeRequest } from "../types.ts";
import { noop } from "../_shared.ts";
import { type BunSocket, Conn, TcpConn } from "./conn.ts";
import { DIAL_HANDLERS } from "./handlers.ts";

/** The parts of a Bun socket the upgrade uses. */
interface _Upgradable extends BunSocket {
  reload(options: { socket: Record<string, unknown> }): void;
  upgradeTLS(options: {
    data: unknown;
    tls: Record<string, unknown>;
    socket: Record<string, unknown>;
  }): [BunSocket, BunSocket];
  readonly alpnProtocol?: string | false | null;
}

/** An upgrade in progress: what the handshake handler needs. */
interface _Pending {
  cb: TlsUpgradeCallback;
  rejectUnauthorized: boolean;
  raw: BunSocket;
}

const _pending = new WeakMap<Conn, _Pending>();

/** The raw socket's handlers after the upgrade: its bytes are the TLS layer's. */
const _SPENT: Record<string, unknown> = {
  open: noop,
  data: noop,
  drain: noop,
  end: noop,
  close: noop,
};

let _handlers: Record<string, unknown> | null = null;

/** The TLS socket's handlers: the shared ones, with the handshake and an early close. */
function _tlsHandlers(): Record<string, unknown> {
  if (_handlers !== null) return _handlers;
  const close = DIAL_HANDLERS.close as (s: BunSocket, err?: unknown) => void;
  _handlers = {
    ...DIAL_HANDLERS,
    open: noop,
    connectError: noop,
    handshake: _onHandshake,
    close(s: BunSocket, err?: unknown): void {
      const c = s.data as Conn;
      const p = _pending.get(c);
      if (p === undefined) return close(s, err);
      _pending.delete(c);
      c.closed = c.released = true;
      const e = systemError({ code: "ECONNRESET", syscall: "read", cause: err });
      queueMicrotask(() => p.cb(e));
    },
  };
  return _handlers;
}

function _onHandshake(
  s: BunSocket,
  success: boolean,
  why: (Error & { code?: string }) | null,
): void {
  const c = s.data as Conn;
  const p = _pending.get(c);
  if (p === undefined) return;
  if (!success || (why !== null && p.rejectUnauthorized)) {
    _pending.delete(c);
    c.closed = true;
    s.terminate();
    p.raw.terminate();
    const err = why ?? systemError({ code: "ECONNRESET", syscall: "read" });
    queueMicrotask(() => p.cb(err));
    return;
  }
  _pending.delete(c);
  c.sock = s;
  c._syncRef();
  const proto = (s as _Upgradable).alpnProtocol;
  const info = {
    authorized: why === null,
    authorizationError: why === null ? undefined : why.code ?? why.message,
    alpnProtocol: typeof proto === "string" && proto !== "" ? proto : null,
    route: "bun.upgradeTLS",
  };
  queueMicrotask(() => {
    if (c.closed) return;
    p.cb(null, c, info);
  });
}

/** ALPN names in the TLS wire format Bun takes (each prefixed by its length). */
function _alpnWire(names: string[]): Buffer {
  const parts = names.map((n) => Buffer.from(n));
  return Buffer.concat(parts.flatMap((b) => [Buffer.from([b.length]), b]));
}

/**
 * Upgrades `old`'s socket with Bun's TLS. Declines (`null`) what Bun's
 * upgrade does not serve the same way (the server side), and a connection
 * that holds unread bytes or a write in flight.
 * @param old the plain connection, which the TLS layer takes over
 * @param req what the handshake needs
 * @param cb as `StreamHandle.startTls`
 * @returns what cancels the handshake, or `null`
 * @example
 * ```ts
 * // From Conn.startTls only.
 * ```
 */
export function startBunTls(
  old: Conn,
  req: TlsUpgradeRequest,
  cb: TlsUpgradeCallback,
): Dial | null {
  if (
    req.isServer || old.closed || old.released || old.sock === null || old.pending !== null ||
    old.eof || old.wCb !== null
  ) {
    return null;
  }
  const raw = old.sock as _Upgradable;
  if (typeof raw.upgradeTLS !== "function" || typeof raw.reload !== "function") return null;
  const unix = !(old instanceof TcpConn);
  const c = unix ? new Conn() : new TcpConn();
  if (unix) {
    c.localEnd = old.localEnd;
    c.remoteEnd = old.remoteEnd;
  } else {
    // Read (and so capture) the ends while Bun still names them on the raw socket.
    c.localEnd = (old.localAddress() as AddressInfo | null) ?? undefined;
    c.remoteEnd = (old.remoteAddress() as AddressInfo | null) ?? undefined;
  }
  c.nagle = old.nagle;
  c.nagleDue = old.nagleDue;
  c.pushed = old.pushed;
  c.refWanted = old.refWanted;
  // The plain connection is done; its socket now belongs to the TLS layer.
  old.closed = true;
  old.ev = null;
  raw.reload({ socket: _SPENT });
  if (old.paused) raw.resume();
  const tls: Record<string, unknown> = { rejectUnauthorized: req.rejectUnauthorized };
  if (req.servername !== undefined) tls.serverName = req.servername;
  if (req.ca !== undefined) tls.ca = req.ca;
  if (req.cert !== undefined) tls.cert = req.cert;
  if (req.key !== undefined) tls.key = req.key;
  if (req.alpnProtocols !== undefined) tls.ALPNProtocols = _alpnWire(req.alpnProtocols);
  _pending.set(c, { cb, rejectUnauthorized: req.rejectUnauthorized, raw });
  try {
    const [, secure] = raw.upgradeTLS({ data: c, tls, socket: _tlsHandlers() });
    c.sock = secure;
  } catch (err) {
    _pending.delete(c);
    raw.terminate();
    queueMicrotask(() => cb(err as Error));
    return { cancel() {} };
  }
  return {
    cancel(): void {
      if (!_pending.delete(c)) return;
      c.closed = true;
      c.sock?.terminate();
      raw.terminate();
    },
  };
}
