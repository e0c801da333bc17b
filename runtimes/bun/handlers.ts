/**
 * The Bun handler sets every socket of a kind shares (dialled and accepted
 * sockets): `socket.data` is the `Conn`, or, for a socket just accepted, the
 * listener's `ListenState` until the open handler swaps in a fresh `Conn`.
 * @module
 */
import type { Buffer } from "node:buffer";
import { systemError } from "../../core/errors.ts";
import type { AddressInfo, ListenerEvents } from "../types.ts";
import {
  type BunError,
  type BunSocket,
  Conn,
  failWrite,
  finishWrite,
  flush,
  pump,
  queueFlush,
  reportError,
  TcpConn,
  UNNAMED,
} from "./conn.ts";

// Shared handlers: `socket.data` is the Conn (a dial), or the ListenState
// until the accept handler swaps in a fresh Conn.

function _onData(s: BunSocket, chunk: Buffer): void {
  const c = s.data as Conn;
  if (c.closed) return;
  if (c.reading && c.pending === null) {
    c.ev!.onData(chunk);
    return;
  }
  (c.pending ??= []).push(chunk);
  if (!c.reading && !c.paused) {
    c.paused = true;
    s.pause();
  }
}

function _onDrain(s: BunSocket): void {
  const c = s.data as Conn;
  if (c.wCb === null || c.closed) return;
  const r = pump(c);
  if (r === 1) finishWrite(c);
  else if (r < 0) failWrite(c, undefined);
}

function _onEnd(s: BunSocket): void {
  const c = s.data as Conn;
  if (c.closed || c.eof) return;
  c.eof = true;
  if (c.reading) queueFlush(c);
}

function _onClose(s: BunSocket, err?: BunError): void {
  const c = s.data as Conn;
  if (!(c instanceof Conn) || c.released) return;
  c.released = true;
  c.releaseErr = err;
  if (c.closed) return;
  // Bun may call this synchronously inside write(); report from a microtask.
  queueMicrotask(() => _afterRelease(c));
}

function _afterRelease(c: Conn): void {
  if (c.closed) return;
  const err = c.releaseErr;
  if (c.wCb !== null || c.shutCb !== null) {
    failWrite(c, err);
    return;
  }
  if (err !== undefined) {
    const code = err.code ?? "ECONNRESET";
    const syscall = code === "EPIPE" ? "write" : err.syscall ?? "read";
    reportError(c, systemError({ code, syscall, cause: err }));
    return;
  }
  if (!c.eof) {
    c.eof = true;
    // Already in a microtask: deliver now rather than queue another.
    if (c.reading) flush(c);
  }
}

function _onDialOpen(s: BunSocket): void {
  const c = s.data as Conn;
  c.sock = s;
  if (c.unixLocal === null) {
    c.nagleDue = c.nagle = true;
    // An IPv4 literal dialled is already canonical: the peer costs no syscall.
    if (!c.dialAddress.includes(":")) {
      c.remoteIp = c.dialAddress;
      c.remotePort = c.dialPort;
    }
  }
  if (c.dialing) queueMicrotask(() => _dialOpened(c));
  else _dialOpened(c);
}

function _dialOpened(c: Conn): void {
  const cb = c.dialCb;
  c.dialCb = null;
  if (c.cancelled || cb === null) {
    // A connection completing after cancel() is closed at once.
    c._release(false);
    return;
  }
  // Not reading yet: inactive until the owner reads or writes.
  c._syncRef();
  cb(null, c);
}

function _onDialError(s: BunSocket | undefined, err: BunError): void {
  const c = s?.data as Conn | undefined;
  if (c === undefined) return;
  // A Unix dial to a missing path fails inside Bun.connect() itself.
  if (c.dialing) queueMicrotask(() => dialFailed(c, err));
  else dialFailed(c, err);
}

/** Fails a dial with the error Bun gave (refused unless it says otherwise). */
export function dialFailed(c: Conn, err: BunError | undefined): void {
  const cb = c.dialCb;
  c.dialCb = null;
  if (c.cancelled || cb === null) return;
  const code = err?.code ?? "ECONNREFUSED";
  const port = c.unixRemote === null ? c.dialPort : undefined;
  cb(systemError({ code, syscall: "connect", address: c.dialAddress, port, cause: err }));
}

/** Handlers of dialled sockets. */
export const DIAL_HANDLERS: Record<string, unknown> = {
  open: _onDialOpen,
  connectError: _onDialError,
  data: _onData,
  drain: _onDrain,
  end: _onEnd,
  close: _onClose,
  binaryType: "buffer",
};

/** What a listener's `data` holds: accepted sockets start with it. */
export interface ListenState {
  events: ListenerEvents;
  /** Unix socket path, or `null` for TCP. */
  path: string | null;
  /** Every accepted socket's local end when bound to one address (not a wildcard). */
  local: AddressInfo | null;
}

function _onAccept(s: BunSocket): void {
  const ls = s.data as ListenState;
  const c = ls.path === null ? new TcpConn() : new Conn();
  c.sock = s;
  if (ls.path === null) {
    c.nagleDue = c.nagle = true;
    const local = ls.local;
    if (local !== null) {
      // Known from the listener: costs no syscall.
      c.localIp = local.address;
      c.localPort = local.port;
    }
  } else {
    c.unixLocal = ls.path;
    c.unixRemote = UNNAMED;
  }
  s.data = c;
  // Not reading yet: inactive until the owner reads or writes.
  c._syncRef();
  ls.events.onConnection(c);
}

/** Handlers of accepted sockets. */
export const ACCEPT_HANDLERS: Record<string, unknown> = {
  open: _onAccept,
  data: _onData,
  drain: _onDrain,
  end: _onEnd,
  close: _onClose,
  binaryType: "buffer",
};

/** A listening socket as core sees it. */
