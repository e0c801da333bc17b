/**
 * One `socket.connect()` as the socket sees it: the sink `startTcpConnect()`
 * reports to, the Unix dial, and the rule that an abandoned attempt (the
 * socket was destroyed or reconnected) never touches the socket again except
 * for Node's late events.
 * @module
 */
import type { StreamHandle, Transport } from "../runtimes/types.ts";
import type { ConnectSink } from "./connect.ts";
import { errSocketClosed } from "./socket_errors.ts";
import { dialUnix as _dialUnixShaped } from "./sys_errors.ts";

/** What a connect attempt needs from its socket. */
export interface ConnectingSocket {
  /** The socket's `emit`. */
  emit(event: string, ...args: unknown[]): boolean;
  /** `ip:port` of every address tried with Happy Eyeballs. */
  autoSelectFamilyAttemptedAddresses?: string[];
  /** The attempt connected: the socket adopts `handle`. */
  _connectSucceeded(handle: StreamHandle): void;
  /** The attempt failed: the socket is destroyed with `err`. */
  _connectFailed(err: Error): void;
}

function _noop(): void {}

/**
 * A connect attempt of one socket; abandoned once the socket moves on.
 * @example
 * ```ts
 * const attempt = new ConnectAttempt(socket);
 * attempt.setCancel(startTcpConnect(transport, plan, attempt));
 * ```
 */
export class ConnectAttempt implements ConnectSink {
  /** Set when the socket was destroyed or reconnected meanwhile. */
  abandoned = false;
  #cancel: (() => void) | null = null;

  /**
   * @param socket the connecting socket
   */
  constructor(readonly socket: ConnectingSocket) {}

  /**
   * Keeps the function that cancels the dial; calls it at once if already abandoned
   * (a synchronous lookup may have failed or abandoned the connect).
   * @param cancel cancels the pending dial
   */
  setCancel(cancel: () => void): void {
    if (this.abandoned) cancel();
    else this.#cancel = cancel;
  }

  /**
   * Marks the attempt abandoned.
   * @returns the pending dial's cancel function, if any: the socket calls it when Node would
   */
  abandon(): (() => void) | null {
    this.abandoned = true;
    const cancel = this.#cancel;
    this.#cancel = null;
    return cancel;
  }

  /** Emits on the socket (late events included); false once abandoned. */
  emit(event: string, ...args: unknown[]): boolean {
    this.socket.emit(event, ...args);
    return !this.abandoned;
  }

  /** {@link ConnectAttempt.emit} for three arguments: no rest array per connection. */
  emit3(event: string, a: unknown, b: unknown, c: unknown): boolean {
    this.socket.emit(event, a, b, c);
    return !this.abandoned;
  }

  /** {@link ConnectAttempt.emit} for four arguments. */
  emit4(event: string, a: unknown, b: unknown, c: unknown, d: unknown): boolean {
    this.socket.emit(event, a, b, c, d);
    return !this.abandoned;
  }

  /** Happy Eyeballs starts: the attempted list becomes `[]`. */
  startMulti(): void {
    if (!this.abandoned) this.socket.autoSelectFamilyAttemptedAddresses = [];
  }

  /** Appends to the attempted list. */
  recordAttempt(ipPort: string): void {
    if (!this.abandoned) (this.socket.autoSelectFamilyAttemptedAddresses ??= []).push(ipPort);
  }

  /** The dial connected. */
  connected(handle: StreamHandle): void {
    if (this.abandoned) {
      handle.close(_noop);
      return;
    }
    this.#cancel = null;
    this.socket._connectSucceeded(handle);
  }

  /** The dial failed. */
  failed(err: Error): void {
    if (this.abandoned) return;
    this.#cancel = null;
    this.socket._connectFailed(err);
  }
}

/**
 * Dials a Unix socket path for `attempt`.
 * @param transport the adapter that dials
 * @param path the socket's path
 * @param attempt the attempt told of the outcome
 * @example
 * ```ts
 * dialUnix(getTransport(), "/tmp/app.sock", new ConnectAttempt(socket));
 * ```
 */
export function dialUnix(transport: Transport, path: string, attempt: ConnectAttempt): void {
  // Node reports a Unix dial as an attempt too: (path, undefined, undefined[, err]).
  attempt.socket.emit("connectionAttempt", path, undefined, undefined);
  const dial = _dialUnixShaped(transport, path, (err, handle) => {
    if (attempt.abandoned) {
      handle?.close(_noop);
      return;
    }
    if (handle && !err) {
      attempt.connected(handle);
      return;
    }
    const e = err ?? errSocketClosed();
    attempt.socket.emit("connectionAttemptFailed", path, undefined, undefined, e);
    if (!attempt.abandoned) attempt.failed(e);
  });
  attempt.setCancel(() => dial.cancel());
}
