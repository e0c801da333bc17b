/**
 * The `onread` option of `net.Socket`/`net.connect()`: received bytes go into
 * a buffer the user supplies (or a function returns) and to a callback,
 * instead of `'data'` events; the callback returning `false` stops reading
 * until `resume()`.
 * @module
 */
import type { Buffer } from "node:buffer";

/** The `onread` option. */
export interface OnReadOpts {
  /** The buffer received bytes are copied into, or a function returning one per read. */
  buffer: Uint8Array | (() => Uint8Array);
  /**
   * Called with the number of bytes placed at the start of `buf`; returning
   * `false` stops reading (the stream is not paused; `resume()` reads on).
   */
  callback: (bytesWritten: number, buf: Uint8Array) => boolean | void;
}

/**
 * A socket's `onread` delivery.
 * @example
 * ```ts
 * const onread = OnRead.from({ buffer: new Uint8Array(4096), callback: (n) => void n });
 * onread?.deliver(chunk);
 * ```
 */
export class OnRead {
  #fixed: Uint8Array | null;
  #make: (() => Uint8Array) | null;
  #callback: OnReadOpts["callback"];
  #leftover: Buffer | null = null;

  private constructor(opts: OnReadOpts) {
    this.#fixed = typeof opts.buffer === "function" ? null : opts.buffer;
    this.#make = typeof opts.buffer === "function" ? opts.buffer : null;
    this.#callback = opts.callback;
  }

  /**
   * The delivery for an `onread` option, or `null` when it is not one (Node
   * ignores an `onread` without a usable buffer and callback).
   * @param value the option as given
   * @returns the delivery, or `null`
   */
  static from(value: unknown): OnRead | null {
    if (value === null || typeof value !== "object") return null;
    const { buffer, callback } = value as Partial<OnReadOpts>;
    if (!(buffer instanceof Uint8Array) && typeof buffer !== "function") return null;
    if (typeof callback !== "function") return null;
    return new OnRead({ buffer, callback });
  }

  /**
   * Copies `chunk` into the user's buffers, one callback per buffer filled.
   * @param chunk the bytes received
   * @returns `false` when the callback asked to stop (the rest is kept for {@link OnRead.resume})
   */
  deliver(chunk: Buffer): boolean {
    let off = 0;
    while (off < chunk.length) {
      const buf = this.#fixed ?? (this.#make as () => Uint8Array)();
      const n = Math.min(buf.length, chunk.length - off);
      if (n === 0) break;
      buf.set(chunk.subarray(off, off + n), 0);
      off += n;
      if (this.#callback(n, buf) === false) {
        if (off < chunk.length) this.#leftover = chunk.subarray(off);
        return false;
      }
    }
    return true;
  }

  /**
   * Delivers bytes kept when the callback stopped reading mid-chunk.
   * @returns `false` when the callback asked to stop again
   */
  resume(): boolean {
    const rest = this.#leftover;
    if (rest === null) return true;
    this.#leftover = null;
    return this.deliver(rest);
  }
}
