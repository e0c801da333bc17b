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
   * `false` stops reading (the stream is not paused; `resume()` reads on). Called with the
   * socket as `this`.
   */
  callback: (bytesWritten: number, buf: Uint8Array) => boolean;
}

/** What the delivery reads of the socket it delivers for. */
export interface OnReadSocket {
  /** Whether the socket was destroyed (no further callback then). */
  readonly destroyed: boolean;
  /** Whether the socket was paused (no further buffer is filled then). */
  isPaused(): boolean;
  /**
   * Counts `n` bytes as read, before the callback that gets them: as Node's reads into the
   * user's buffer, which read no more from the kernel than they deliver.
   */
  _countRead(n: number): void;
}

/**
 * A socket's `onread` delivery.
 * @example
 * ```ts
 * const onread = OnRead.from({ buffer: new Uint8Array(4096), callback: (n) => void n });
 * onread?.deliver(chunk, socket);
 * ```
 */
export class OnRead {
  /** The buffer the next bytes go to (`null` while a function returned none). */
  #current: Uint8Array | null;
  #make: (() => Uint8Array) | null;
  #callback: OnReadOpts["callback"];
  #leftover: Buffer | null = null;

  // As Node: a buffer function is called once here (the socket's construction) and then after
  // each callback, for the buffer of the next read.
  private constructor(opts: OnReadOpts) {
    const make = typeof opts.buffer === "function" ? opts.buffer : null;
    this.#make = make;
    this.#callback = opts.callback;
    this.#current = make === null ? opts.buffer as Uint8Array : OnRead.#valid(make());
  }

  static #valid(buf: unknown): Uint8Array | null {
    return buf instanceof Uint8Array ? buf : null;
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
   * Copies `chunk` into the user's buffers, one callback per buffer filled. As in Node, the
   * callback is called with the socket as `this`, and no further buffer is filled once it paused
   * or destroyed the socket (Node's reads are never larger than the buffer).
   * @param chunk the bytes received
   * @param socket the socket reading (`this` of the callback)
   * @returns `false` when the callback asked to stop or paused the socket (the rest is kept for
   * {@link OnRead.resume})
   */
  deliver(chunk: Buffer, socket: OnReadSocket): boolean {
    let off = 0;
    while (off < chunk.length) {
      const make = this.#make;
      const buf = this.#current ?? OnRead.#valid((make as () => Uint8Array)());
      if (buf === null) break;
      const n = Math.min(buf.length, chunk.length - off);
      if (n === 0) break;
      buf.set(chunk.subarray(off, off + n), 0);
      off += n;
      socket._countRead(n);
      const stop = this.#callback.call(socket, n, buf) === false;
      if (make !== null) this.#current = OnRead.#valid(make()) ?? buf;
      if (socket.destroyed) return false;
      if (stop || socket.isPaused()) {
        if (off < chunk.length) this.#leftover = chunk.subarray(off);
        return false;
      }
    }
    return true;
  }

  /**
   * Delivers bytes kept when the callback stopped reading mid-chunk.
   * @param socket the socket reading (`this` of the callback)
   * @returns `false` when the callback asked to stop again
   */
  resume(socket: OnReadSocket): boolean {
    const rest = this.#leftover;
    if (rest === null) return true;
    this.#leftover = null;
    return this.deliver(rest, socket);
  }
}
