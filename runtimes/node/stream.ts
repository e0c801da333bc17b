/**
 * A connected `node:net` socket behind the StreamHandle contract. Created
 * paused, it only flows between `readStart()` and `readStop()`; bytes or EOF
 * a runtime emits while stopped are held and delivered in order.
 * @module
 */
import { Socket } from "node:net";
import type { SystemError } from "../../core/errors.ts";
import type {
  AddressInfo,
  Dial,
  Endpoint,
  HandleEvents,
  StreamHandle,
  TlsUpgradeCallback,
  TlsUpgradeRequest,
} from "../types.ts";
import { CachedEnds, ipEndpoint } from "../_shared.ts";
import { type Cb, mapError, type RawError } from "./errors.ts";
import { startNodeTls } from "./tls.ts";

const _MAX_CHUNK = 64 * 1024;

/** A connected `node:net` socket behind the StreamHandle contract. */
export class NodeStream extends CachedEnds implements StreamHandle {
  protected readonly sock: Socket;
  #events: HandleEvents | null = null;
  #closed = false;
  #released = false;
  #reading = false;
  // Bytes or EOF a runtime emitted while we were not reading (Bun emits
  // 'end' on a paused socket); delivered in order on the next readStart().
  #held: Uint8Array[] | null = null;
  #heldEnd = false;
  #flushQueued = false;
  #error: SystemError | null = null;
  #writeCb: Cb | null = null;
  #shutdownCb: Cb | null = null;
  #closeCbs: Array<() => void> | null = null;
  readonly #tcp: boolean;

  constructor(
    sock: Socket,
    unixLocal?: string,
    unixRemote?: string,
    knownLocal?: AddressInfo,
    knownRemote?: AddressInfo,
  ) {
    // Ends the caller already knows cost no getsockname/getpeername syscall.
    super(unixLocal ?? knownLocal, unixRemote ?? knownRemote);
    this.sock = sock;
    this.#tcp = unixLocal === undefined && unixRemote === undefined;
    sock.on("data", this.#onData);
    sock.on("end", this.#onEnd);
    sock.on("drain", this.#onDrain);
    sock.on("finish", this.#onFinish);
    sock.on("error", this.#onError);
    sock.on("close", this.#onClose);
    if (this.#tcp) {
      // Read while connected: once both FINs are exchanged or the peer reset,
      // the kernel no longer names the ends. #release would ask anyway.
      this.localAddress();
      this.remoteAddress();
    }
  }

  attach(events: HandleEvents): void {
    this.#events = events;
  }

  readStart(): void {
    if (this.#closed) return;
    this.#reading = true;
    if (this.#held === null && !this.#heldEnd) return void this.sock.resume();
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(this.#flushHeld);
    }
  }

  readStop(): void {
    if (this.#closed) return;
    this.#reading = false;
    // Pausing lets the stream fill to its high-water mark, then it stops the
    // kernel reads: bounded buffering, the peer sees TCP flow control.
    this.sock.pause();
  }

  write(chunk: Uint8Array, cb: Cb): void {
    if (this.#closed) return;
    if (this.#error) return this.#failLater(cb);
    if (chunk.length === 0 || this.sock.write(chunk)) cb();
    else this.#writeCb = cb;
  }

  writev(chunks: Uint8Array[], cb: Cb): void {
    if (this.#closed) return;
    if (this.#error) return this.#failLater(cb);
    // Corked writes reach the kernel as one writev() on uncork.
    const sock = this.sock;
    let ok = true;
    sock.cork();
    for (let i = 0; i < chunks.length; i++) {
      if (chunks[i].length > 0) ok = sock.write(chunks[i]);
    }
    sock.uncork();
    if (ok) cb();
    else this.#writeCb = cb;
  }

  shutdown(cb: Cb): void {
    if (this.#closed) return;
    if (this.#error) return this.#failLater(cb);
    this.#shutdownCb = cb;
    this.sock.end();
  }

  close(cb: () => void): void {
    this.#release(cb);
    if (!this.sock.destroyed) this.sock.destroy();
  }

  setNoDelay(enable: boolean): void {
    if (this.#tcp && !this.#closed) this.sock.setNoDelay(enable);
  }
  setTypeOfService(tos: number): string | null {
    const sock = this.sock as { setTypeOfService?(tos: number): unknown };
    if (this.#tcp && !this.#closed) sock.setTypeOfService?.(tos);
    return null;
  }

  getTypeOfService(): number | string {
    const sock = this.sock as { getTypeOfService?(): number };
    return this.#tcp && !this.#closed ? sock.getTypeOfService?.() ?? 0 : 0;
  }

  setKeepAlive(enable: boolean, initialDelayMs: number, intervalMs?: number, count?: number): void {
    if (!this.#tcp || this.#closed) return;
    if (intervalMs === undefined && count === undefined) {
      this.sock.setKeepAlive(enable, initialDelayMs);
    } else {
      // Node 24.21+ and 26 take the probes (features.keepAliveProbes); core passes them only then.
      (this.sock.setKeepAlive as (e: boolean, d: number, i?: number, c?: number) => unknown)(
        enable,
        initialDelayMs,
        intervalMs,
        count,
      );
    }
  }

  ref(): void {
    this.sock.ref();
  }

  unref(): void {
    this.sock.unref();
  }

  /** Gives the socket to the runtime's node:tls (`./tls.ts`); this stream is done with it. */
  startTls(req: TlsUpgradeRequest, cb: TlsUpgradeCallback): Dial | null {
    // Bytes read but not delivered belong before the TLS: only the JavaScript route keeps them.
    if (this.#closed || this.#error !== null || this.#held !== null || this.#heldEnd) return null;
    const ends = { local: this.localAddress(), remote: this.remoteAddress() };
    this.#closed = this.#released = true;
    const sock = this.sock;
    sock.pause();
    sock.removeListener("data", this.#onData);
    sock.removeListener("end", this.#onEnd);
    sock.removeListener("drain", this.#onDrain);
    sock.removeListener("finish", this.#onFinish);
    sock.removeListener("error", this.#onError);
    sock.removeListener("close", this.#onClose);
    return startNodeTls(sock, ends, req, cb);
  }

  protected readLocal(): Endpoint {
    const a = this.sock.address() as Partial<AddressInfo>;
    return ipEndpoint(a.address, a.family, a.port);
  }

  protected readRemote(): Endpoint {
    const s = this.sock;
    return ipEndpoint(s.remoteAddress, s.remoteFamily, s.remotePort);
  }

  /** Marks the handle closed and queues `cb` for the inner socket's release. */
  protected release(cb: () => void): void {
    this.#release(cb);
  }

  #release(cb: () => void): void {
    if (!this.#closed) {
      this.#closed = true;
      this.#writeCb = this.#shutdownCb = null;
      // Addresses stay answerable after close, as Node's do.
      this.localAddress();
      this.remoteAddress();
    }
    if (this.#released) queueMicrotask(cb);
    else (this.#closeCbs ??= []).push(cb);
  }

  #failLater(cb: Cb): void {
    queueMicrotask(() => {
      if (!this.#closed) cb(this.#error);
    });
  }

  #onData = (chunk: Uint8Array): void => {
    if (this.#closed) return;
    // Bun's node:net reads up to 512 KiB at a time; Node delivers at most
    // 64 KiB per chunk, and so does every adapter.
    if (chunk.length > _MAX_CHUNK) return this.#onLarge(chunk);
    if (this.#reading && this.#held === null) this.#events!.onData(chunk);
    else (this.#held ??= []).push(chunk);
  };

  #onLarge(chunk: Uint8Array): void {
    for (let off = 0; off < chunk.length && !this.#closed; off += _MAX_CHUNK) {
      this.#onData(chunk.subarray(off, Math.min(off + _MAX_CHUNK, chunk.length)));
    }
  }

  #onEnd = (): void => {
    if (this.#closed) return;
    if (this.#reading && this.#held === null) this.#events!.onEnd();
    else this.#heldEnd = true;
  };

  #flushHeld = (): void => {
    this.#flushQueued = false;
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
    this.sock.resume();
  };

  #onDrain = (): void => {
    const cb = this.#writeCb;
    if (cb === null) return;
    this.#writeCb = null;
    cb();
  };

  #onFinish = (): void => {
    const cb = this.#shutdownCb;
    if (cb === null) return;
    this.#shutdownCb = null;
    cb();
  };

  #onError = (raw: unknown): void => {
    if (this.#closed || this.#error) return;
    const syscall = (raw as RawError)?.syscall === "write" ? "write" : "read";
    const err = mapError(raw, { syscall });
    this.#error = err;
    const w = this.#writeCb;
    const s = this.#shutdownCb;
    this.#writeCb = this.#shutdownCb = null;
    w?.(err);
    s?.(err);
    if (!this.#closed) this.#events?.onError(err);
  };

  #onClose = (): void => {
    this.#released = true;
    const cbs = this.#closeCbs;
    this.#closeCbs = null;
    if (cbs) { for (const cb of cbs) cb(); }
  };
}

/** A TCP socket: can also abort with a RST. */
class NodeTcpStream extends NodeStream {
  reset(cb: () => void): void {
    const sock = this.sock;
    this.release(cb);
    if (!sock.destroyed) sock.resetAndDestroy();
  }
}

const _canReset = typeof (Socket.prototype as { resetAndDestroy?: unknown }).resetAndDestroy ===
  "function";

/** Wraps a connected socket; Unix ends are given as paths (`""` when unnamed). */
export function wrap(sock: Socket, unixLocal?: string, unixRemote?: string): StreamHandle {
  const unix = unixLocal !== undefined || unixRemote !== undefined;
  return unix || !_canReset ? new NodeStream(sock, unixLocal, unixRemote) : new NodeTcpStream(sock);
}

/** Wraps a TCP socket whose local and/or remote end is already known. */
export function wrapTcp(sock: Socket, local?: AddressInfo, remote?: AddressInfo): StreamHandle {
  return _canReset
    ? new NodeTcpStream(sock, undefined, undefined, local, remote)
    : new NodeStream(sock, undefined, undefined, local, remote);
}
