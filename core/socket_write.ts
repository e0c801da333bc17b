/**
 * The write path of `net.Socket` outside the class: chunks to bytes, a write
 * held while connecting, Node's `bytesWritten` count, and the `EPIPE` rule
 * for writes after the peer ended a socket that is not half-open.
 * @module
 */
import { Buffer } from "./builtins.ts";
import { Duplex } from "node:stream";
import { codedError } from "./errors.ts";
import type { StreamCallback, StreamChunk } from "./socket_types.ts";

/** A `_write`/`_writev` call made while connecting, replayed once connected. */
export interface HeldWrite {
  /** Whether it came from `_writev` (then `data` is the chunk list). */
  writev: boolean;
  /** The chunk, or the chunk list. */
  data: Buffer | string | StreamChunk[];
  /** Encoding of a string chunk. */
  encoding: BufferEncoding;
  /** The stream's callback for this write. */
  cb: StreamCallback;
}

/**
 * A chunk as bytes (strings encoded, Buffers as they are).
 * @param chunk the chunk `node:stream` handed over
 * @param encoding encoding of a string chunk
 * @returns the bytes
 * @example
 * ```ts
 * handle.write(toBytes("hi", "utf8"), done);
 * ```
 */
export function toBytes(chunk: Buffer | string, encoding: BufferEncoding): Buffer {
  return typeof chunk === "string" ? Buffer.from(chunk, encoding) : chunk;
}

const _TEXT_ENCODINGS = new Set([
  "utf8",
  "utf-8",
  "latin1",
  "binary",
  "ascii",
  "ucs2",
  "ucs-2",
  "utf16le",
  "utf-16le",
]);

/**
 * Whether Node's `bytesWritten` leaves out this chunk when the kernel refuses
 * it at once: its handle writes strings in these encodings itself and then
 * reports no bytes, while Buffers (and strings it encodes to a Buffer first)
 * are reported whole.
 * @param chunk the chunk `node:stream` handed over
 * @param encoding encoding of a string chunk
 * @returns `true` for a string in a text encoding the handle writes itself
 * @example
 * ```ts
 * if (refusedAtOnce && uncountedIfRefused(chunk, encoding)) dispatched -= length;
 * ```
 */
export function uncountedIfRefused(chunk: Buffer | string, encoding: BufferEncoding): boolean {
  return typeof chunk === "string" && _TEXT_ENCODINGS.has(encoding);
}

function _chunkLength(chunk: Buffer | string, encoding: BufferEncoding): number {
  return typeof chunk === "string" ? Buffer.byteLength(chunk, encoding) : chunk.length;
}

/**
 * Bytes not yet handed to the handle: the stream's queue plus a held write.
 * @param queued the stream's `writableBuffer`
 * @param held the write held while connecting, if any
 * @returns the byte count
 * @example
 * ```ts
 * const written = dispatched + queuedBytes(socket.writableBuffer, held);
 * ```
 */
export function queuedBytes(queued: StreamChunk[], held: HeldWrite | null): number {
  let n = 0;
  for (const el of queued) n += _chunkLength(el.chunk, el.encoding);
  if (held === null) return n;
  if (Array.isArray(held.data)) {
    for (const el of held.data) n += _chunkLength(el.chunk, el.encoding);
  } else n += _chunkLength(held.data, held.encoding);
  return n;
}

// Installed as an own `write` once the peer ended and allowHalfOpen is off.
function _writeAfterFIN(
  this: Duplex,
  chunk: unknown,
  encoding?: BufferEncoding | StreamCallback,
  cb?: StreamCallback,
): boolean {
  if (!this.writableEnded) {
    return Duplex.prototype.write.call(this, chunk, encoding as BufferEncoding, cb);
  }
  if (typeof encoding === "function") cb = encoding;
  const err = codedError("EPIPE", "This socket has been ended by the other party");
  if (typeof cb === "function") process.nextTick(cb, err);
  this.destroy(err);
  return false;
}

/**
 * The socket's `'end'` listener: without `allowHalfOpen`, later writes fail with `EPIPE`.
 * @example
 * ```ts
 * socket.on("end", onReadableEnd);
 * ```
 */
export function onReadableEnd(this: Duplex): void {
  if (!this.allowHalfOpen) {
    (this as unknown as { write: typeof _writeAfterFIN }).write = _writeAfterFIN;
  }
}
