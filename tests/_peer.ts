/**
 * `Peer`: the owner side of a transport stream handle in the suites that
 * drive handles directly. It records every callback (bytes, chunks, an event
 * log, end, error), notes callbacks the contract forbids, and waits for
 * conditions on them with a timeout guard.
 * @module
 */
import { Buffer } from "node:buffer";
import type { SystemError } from "../core/errors.ts";
import type { HandleEvents, StreamHandle } from "../runtimes/types.ts";
import { untrack, within } from "./_handles.ts";

/**
 * Records a handle's callbacks; `until()` waits for a condition on them.
 * @example
 * ```ts
 * const p = new Peer(handle);
 * await p.write("ping");
 * await p.until(() => p.bytes === 4, "the echo");
 * ```
 */
export class Peer implements HandleEvents {
  /** Chunks as delivered (unless `sink` consumes them). */
  chunks: Uint8Array[] = [];
  /** Bytes delivered so far. */
  bytes = 0;
  /** `onEnd` came. */
  ended = false;
  /** The error `onError` reported. */
  error: SystemError | null = null;
  /** Events in order: `d` per chunk, `e` for end, `x` for error. */
  log = "";
  /** The owner called close(): no callback may follow. */
  closing = false;
  /** Between `start()` and `stop()`. */
  reading = false;
  /** Callbacks the contract forbids (after close(), while stopped, after onEnd...). */
  violations: string[] = [];
  /** Consumes each chunk instead of keeping it. */
  sink: ((chunk: Uint8Array) => void) | null = null;
  /** Sees each chunk after it is kept. */
  onChunk: ((chunk: Uint8Array) => void) | null = null;
  #waiters: Array<{ check: () => boolean; resolve: () => void }> = [];

  /**
   * @param h the handle to own
   * @param start start reading at once
   */
  constructor(readonly h: StreamHandle, start = true) {
    h.attach(this);
    if (start) this.start();
  }

  /** Starts reading. */
  start(): void {
    this.reading = true;
    this.h.readStart();
  }

  /** Stops reading. */
  stop(): void {
    this.reading = false;
    this.h.readStop();
  }

  #check(what: string): void {
    if (this.closing) this.violations.push(`${what} after close()`);
    if (!this.reading) this.violations.push(`${what} while not reading`);
    if (this.ended) this.violations.push(`${what} after onEnd`);
    if (this.error) this.violations.push(`${what} after onError`);
  }

  /** `HandleEvents._onHandleData`. */
  _onHandleData = (chunk: Uint8Array): void => {
    this.#check("_onHandleData");
    this.log += "d";
    this.bytes += chunk.length;
    if (this.sink) this.sink(chunk);
    else this.chunks.push(chunk);
    this.onChunk?.(chunk);
    this.#wake();
  };

  /** `HandleEvents._onHandleEnd`. */
  _onHandleEnd = (): void => {
    this.#check("onEnd");
    this.log += "e";
    this.ended = true;
    this.#wake();
  };

  /** `HandleEvents._onHandleError`. */
  _onHandleError = (err: SystemError): void => {
    if (this.closing) this.violations.push("onError after close()");
    if (this.error) this.violations.push("a second onError");
    this.log += "x";
    this.error = err;
    this.#wake();
  };

  /** Everything kept, as one Buffer. */
  data(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** Everything kept, as latin1 text. */
  text(): string {
    return this.data().toString("latin1");
  }

  /** Resolves once `check()` holds (checked after every callback); fails after the guard. */
  until(check: () => boolean, what: string): Promise<void> {
    if (check()) return Promise.resolve();
    return within(new Promise<void>((resolve) => this.#waiters.push({ check, resolve })), what);
  }

  /** Writes latin1 text or bytes; resolves on the write callback. */
  write(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === "string" ? Buffer.from(data, "latin1") : data;
    return new Promise((resolve, reject) =>
      this.h.write(bytes, (err) => (err ? reject(err) : resolve()))
    );
  }

  /** Writes several chunks; resolves on the write callback. */
  writev(chunks: Uint8Array[]): Promise<void> {
    return new Promise((resolve, reject) =>
      this.h.writev(chunks, (e) => (e ? reject(e) : resolve()))
    );
  }

  /** Sends the FIN; resolves on the shutdown callback. */
  shutdown(): Promise<void> {
    return within(
      new Promise((resolve, reject) => this.h.shutdown((e) => (e ? reject(e) : resolve()))),
      "shutdown callback",
    );
  }

  /** Closes the handle (no callback may follow); resolves on the close callback. */
  close(): Promise<void> {
    this.closing = true;
    untrack(this.h);
    return within(new Promise<void>((r) => this.h.close(r)), "close callback");
  }

  #wake(): void {
    this.#waiters = this.#waiters.filter((w) => (w.check() ? (w.resolve(), false) : true));
  }
}
