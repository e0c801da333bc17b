/**
 * A `node:stream` Duplex (a TLS socket, or any `net.Socket`) seen through
 * the transport's `StreamHandle` contract, so a web `Socket` drives it with
 * the same code it drives a raw transport handle with: `readStop()` pauses
 * the Duplex (which stops pulling from below once its buffer is full),
 * `write()`'s callback fires when the Duplex has taken the bytes.
 * @module
 */
import type { Duplex } from "node:stream";
import type { SystemError } from "../core/errors.ts";
import type { Endpoint, HandleEvents, StreamHandle } from "../runtimes/types.ts";

/** The parts of a `net.Socket` this adapter reads addresses from. */
interface _Addressed {
  remoteAddress?: string;
  remotePort?: number;
  remoteFamily?: string;
  localAddress?: string;
  localPort?: number;
  address?(): unknown;
}

function _endpoint(address: unknown, port: unknown, family: unknown): Endpoint {
  if (typeof address !== "string") return null;
  if (typeof port !== "number") return address;
  return { address, port, family: family === "IPv6" ? "IPv6" : "IPv4" };
}

/** A Duplex as a `StreamHandle`. */
export class DuplexHandle implements StreamHandle {
  #events: HandleEvents | null = null;
  #closed = false;
  readonly duplex: Duplex;

  /** Wraps `duplex`; it starts paused until `readStart()`. */
  constructor(duplex: Duplex) {
    this.duplex = duplex;
    duplex.pause();
    duplex.on("data", this.#onData);
    duplex.on("end", this.#onEnd);
    duplex.on("error", this.#onError);
  }

  #onData = (chunk: Uint8Array): void => this.#events?.onData(chunk);
  #onEnd = (): void => this.#events?.onEnd();
  #onError = (err: Error): void => {
    if (!this.#closed) this.#events?.onError(err as SystemError);
  };

  /** Gives the Duplex back (paused, without this adapter's listeners). */
  release(): Duplex {
    this.#closed = true;
    this.#events = null;
    this.duplex.pause();
    this.duplex.removeListener("data", this.#onData);
    this.duplex.removeListener("end", this.#onEnd);
    this.duplex.removeListener("error", this.#onError);
    return this.duplex;
  }

  attach(events: HandleEvents): void {
    this.#events = events;
  }
  readStart(): void {
    if (!this.#closed) this.duplex.resume();
  }
  readStop(): void {
    this.duplex.pause();
  }
  write(chunk: Uint8Array, cb: (err?: SystemError | null) => void): void {
    this.duplex.write(chunk, (err?: Error | null) => cb(err as SystemError | null));
  }
  writev(chunks: Uint8Array[], cb: (err?: SystemError | null) => void): void {
    const last = chunks.length - 1;
    for (let i = 0; i < last; i++) this.duplex.write(chunks[i]);
    this.write(chunks[last], cb);
  }
  shutdown(cb: (err?: SystemError | null) => void): void {
    this.duplex.end(() => cb(null));
  }
  close(cb: () => void): void {
    if (this.#closed) {
      queueMicrotask(cb);
      return;
    }
    this.#closed = true;
    this.#events = null;
    if (this.duplex.destroyed && (this.duplex as { closed?: boolean }).closed) {
      queueMicrotask(cb);
      return;
    }
    this.duplex.once("close", () => cb());
    this.duplex.destroy();
  }
  setNoDelay(enable: boolean): void {
    (this.duplex as { setNoDelay?(e: boolean): void }).setNoDelay?.(enable);
  }
  setKeepAlive(enable: boolean, initialDelayMs: number): void {
    (this.duplex as { setKeepAlive?(e: boolean, d: number): void }).setKeepAlive?.(
      enable,
      initialDelayMs,
    );
  }
  ref(): void {
    (this.duplex as { ref?(): void }).ref?.();
  }
  unref(): void {
    (this.duplex as { unref?(): void }).unref?.();
  }
  localAddress(): Endpoint {
    const d = this.duplex as _Addressed;
    if (d.localPort === undefined && typeof d.address === "function") {
      const a = d.address() as { address?: unknown; port?: unknown; family?: unknown } | string;
      return typeof a === "string" ? a : _endpoint(a?.address, a?.port, a?.family);
    }
    const v6 = typeof d.localAddress === "string" && d.localAddress.includes(":");
    return _endpoint(d.localAddress, d.localPort, v6 ? "IPv6" : "IPv4");
  }
  remoteAddress(): Endpoint {
    const d = this.duplex as _Addressed;
    return _endpoint(d.remoteAddress, d.remotePort, d.remoteFamily);
  }
}
