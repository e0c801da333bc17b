/**
 * The Bun handler sets every socket of a kind shares (dialled and accepted
 * sockets): `socket.data` is the `Conn`, or, for a socket just accepted, the
 * listener's `ListenState` until the open handler swaps in a fresh `Conn`.
 * @module
 */
import type { Buffer } from "node:buffer";
import { systemError } from "../../core/errors.ts";
import type { AddressInfo, Dial, ListenerEvents } from "../types.ts";
import {
  bunApi,
  type BunError,
  type BunSocket,
  Conn,
  failWrite,
  finishWrite,
  flush,
  pump,
  queueFlush,
  reportReset,
  TcpConn,
  UNNAMED,
} from "./conn.ts";

// Shared handlers: `socket.data` is the Conn (a dial), or the ListenState
// until the accept handler swaps in a fresh Conn.

// Bun reads up to 512 KiB at a time; Node delivers at most 64 KiB per chunk,
// so a reader that pauses after a chunk sees the same amounts everywhere.
// An echo (pipe) then sends 64 KiB at a time where Bun's node:net sends 512
// KiB: a 64 KiB write is over the high-water mark, so the next chunk comes
// only after its callback and 'drain'. Gathering a delivery's writes into one
// send means copying them (the callback must not come before the bytes are
// out or copied): tried on 2026-12-05 (copies into a shared buffer, one send
// per Bun read from setImmediate), sendto calls as few as node:net's, but CPU
// per MiB echoed rose (median of 9-15 alternating rounds: 1,183-1,718 µs
// against 1,121-1,535 µs plain), so writes go out as they come.
const _MAX_CHUNK = 64 * 1024;

function _onData(s: BunSocket, chunk: Buffer): void {
  const c = s.data as Conn;
  if (c.closed) return;
  // Bun's node:tls upgraded the socket in place (upgradeTLS): what the raw side it made reads,
  // with these handlers, is the ciphertext its TLS socket reads too. Not the owner's data.
  if (s !== c.sock || c.tlsRaw) return void c.ev?._onHandlePassed?.(chunk.length);
  const n = chunk.length;
  let off = 0;
  while (off < n && c.reading && c.pending === null && !c.closed) {
    const end = Math.min(off + _MAX_CHUNK, n);
    c.ev!._onHandleData(off === 0 && end === n ? chunk : chunk.subarray(off, end));
    off = end;
  }
  if (off >= n || c.closed) return;
  const q = c.pending ??= [];
  for (; off < n; off += _MAX_CHUNK) q.push(chunk.subarray(off, Math.min(off + _MAX_CHUNK, n)));
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
  c._syncRef();
  if (c.reading) queueFlush(c);
}

function _onClose(s: BunSocket, err?: BunError): void {
  const c = s.data as Conn;
  if (!(c instanceof Conn) || c.released) return;
  c.released = true;
  // Under Bun's node:tls (upgraded in place) the TLS socket reports what ended the connection;
  // the socket it runs over just closes, as a Node socket under a TLS socket does.
  c.releaseErr = c.tlsRaw ? undefined : err;
  if (c.closed) return;
  // Bun may call this synchronously inside write(); report from a microtask.
  queueMicrotask(() => _afterRelease(c));
}

function _afterRelease(c: Conn): void {
  if (c.closed) return;
  const err = c.releaseErr;
  if (c.wCb !== null) {
    failWrite(c, err);
    return;
  }
  // A half-open socket past the peer's end of stream with nothing to write: Node's reads
  // stopped at the EOF, so a reset (the answer to a write after it) is news only to the next
  // write, which then fails with EPIPE, as Linux's write does then.
  if (err !== undefined && c.eofDelivered) {
    c.releaseErr = undefined;
    return;
  }
  if (err !== undefined) {
    // Not reading (paused on connect, or stopped): held for the next read or write (resetHeld).
    if (c.reading) reportReset(c, err);
    else c.resetHeld = true;
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
  if (c.dialing) queueMicrotask(() => dialOpened(c, s));
  else dialOpened(c, s);
}

/**
 * A dial opened on socket `s`: the connection takes it and its owner is
 * called back (or, when the dial was cancelled meanwhile, it is closed).
 */
export function dialOpened(c: Conn, s: BunSocket): void {
  c.sock = s;
  const d = c.dial;
  c.dial = null;
  if (c instanceof TcpConn) {
    c.nagleDue = c.nagle = true;
    if (d !== null && d.peer !== undefined) c.remoteEnd = d.peer;
  }
  const cb = d?.cb ?? null;
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
  if (c.dialing) failDialSoon(c, err);
  else dialFailed(c, err);
}

/**
 * Fails a dial that failed within the call that started it, from an
 * immediate: as on Node, where such a failure (a Unix path that is missing or
 * refuses) comes back from the event loop, the socket is destroyed and its
 * `'error'` emitted in one go, with no microtask or `nextTick` between them
 * that would see it destroyed without its error (ioredis reports a connect
 * error only if it came before such a check). From a microtask, code queued
 * after `connect()` ran in that gap.
 * @param c the dial's connection
 * @param err what Bun gave
 */
export function failDialSoon(c: Conn, err: BunError | undefined): void {
  setImmediate(dialFailed, c, err);
}

/** Fails a dial with the error Bun gave (refused unless it says otherwise). */
export function dialFailed(c: Conn, err: BunError | undefined): void {
  const d = c.dial;
  c.dial = null;
  const cb = d?.cb ?? null;
  if (c.cancelled || d === null || cb === null) return;
  const code = err?.code ?? "ECONNREFUSED";
  const port = c instanceof TcpConn ? d.port : undefined;
  cb(systemError({ code, syscall: "connect", address: d.address, port, cause: err }));
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

/**
 * Dials with `Bun.connect()` (Unix paths; TCP where Bun's node:net offers no
 * dial of ours). Such an attempt cannot be abandoned: cancel() only drops
 * its callback.
 */
export function bunDial(c: Conn, options: Record<string, unknown>): Dial {
  options.data = c;
  options.socket = DIAL_HANDLERS;
  options.allowHalfOpen = true;
  c.dialing = true;
  try {
    // connectError reports the failure, and Bun then counts the promise's
    // rejection as handled: no catch (one promise and job less per dial).
    bunApi().connect(options);
  } catch (e) {
    // Options Bun rejects up front (a port it cannot parse...) fail the dial.
    failDialSoon(c, e as BunError);
  } finally {
    c.dialing = false;
  }
  return c;
}

/** What a listener's `data` holds: accepted sockets start with it. */
export interface ListenState {
  events: ListenerEvents;
  /** Unix socket path, or `null` for TCP. */
  path: string | null;
  /** Every accepted socket's local end when bound to one address (not a wildcard). */
  local: AddressInfo | null;
  /**
   * The Bun listener once given out as the server's `_handle` (see
   * `showListener`): from then on each connection goes through its
   * `onconnection`, which code may patch as it patches Node's server handle.
   */
  shown: { onconnection?: unknown } | null;
}

/**
 * Gives a listener's connections to its `onconnection` from now on, as a
 * Node server handle does (libuv calls `onconnection(err, clientHandle)`
 * with each connection's handle; Bun's own `node:net` keeps that shape). A
 * patched one sees the Bun socket of each connection before omninet wraps it,
 * and wraps it by calling the one it replaced.
 * @param ls the listener's state
 * @param listener the Bun listener, given out as the server's `_handle`
 */
export function showListener(ls: ListenState, listener: { onconnection?: unknown }): void {
  if (ls.shown !== null) return;
  ls.shown = listener;
  if (listener.onconnection === undefined) listener.onconnection = _onConnection;
}

/** A shown listener's `onconnection`: wraps the connection's Bun socket, once. */
function _onConnection(err: unknown, s: BunSocket | undefined): void {
  if (err != null || s === undefined || s === null || s.data instanceof Conn) return;
  _accept(s);
}

function _onAccept(s: BunSocket): void {
  const shown = (s.data as ListenState).shown;
  if (shown !== null) {
    const hook = shown.onconnection;
    if (typeof hook === "function" && hook !== _onConnection) {
      hook.call(shown, null, s);
      return;
    }
  }
  _accept(s);
}

function _accept(s: BunSocket): void {
  const ls = s.data as ListenState;
  const c = ls.path === null ? new TcpConn() : new Conn();
  c.sock = s;
  if (ls.path === null) {
    c.nagleDue = c.nagle = true;
    // Known from the listener when bound to one address: costs no syscall.
    if (ls.local !== null) c.localEnd = ls.local;
  } else {
    c.localEnd = ls.path;
    c.remoteEnd = UNNAMED;
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
