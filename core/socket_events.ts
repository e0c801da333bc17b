/**
 * The object a connected socket hands its transport handle for callbacks.
 * @module
 */
import type { HandleEvents } from "../runtimes/types.ts";
import type { SystemError } from "./errors.ts";

/** What the handle's callbacks reach on their socket. */
export interface HandleOwner {
  /** Whether the socket is destroyed already. */
  readonly destroyed: boolean;
  /** Destroys the socket with an error. */
  destroy(err?: Error): unknown;
  /** Bytes arrived. */
  _onHandleData(chunk: Uint8Array): void;
  /** The peer ended its side. */
  _onHandleEnd(): void;
}

/**
 * The handle's callbacks as prototype methods: per-socket closures made in the
 * constructor keep dead sockets alive through young-generation GCs.
 * @example
 * ```ts
 * handle.attach(new SocketHandleEvents(socket));
 * ```
 */
export class SocketHandleEvents implements HandleEvents {
  /**
   * @param socket the socket that owns the handle
   */
  constructor(readonly socket: HandleOwner) {}
  /** Bytes arrived. */
  onData(chunk: Uint8Array): void {
    this.socket._onHandleData(chunk);
  }
  /** The peer ended its side. */
  onEnd(): void {
    this.socket._onHandleEnd();
  }
  /** The handle failed: the socket is destroyed with the error. */
  onError(err: SystemError): void {
    if (!this.socket.destroyed) this.socket.destroy(err);
  }
}
