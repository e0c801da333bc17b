/**
 * A pipe's descriptor (`new Socket({ fd })` of a FIFO or an anonymous pipe)
 * on Bun. `Bun.connect({ fd })` takes sockets only (a pipe opens as a dead
 * socket, ENOTSOCK on first use), and Bun's own `node:net` writes to a pipe's
 * descriptor but never reads from it. `Bun.file(fd)` does both: its stream
 * reads the pipe as bytes arrive, its writer (`FileSink`) writes to it. Both
 * are driven through a Duplex, which the shared Duplex handle serves.
 * @module
 */
import { Duplex } from "node:stream";
import { systemError } from "../../core/errors.ts";
import type { StreamHandle } from "../types.ts";
import { DuplexStreamHandle } from "../_duplex_handle.ts";
import { noop } from "../_shared.ts";

/** The part of Bun's `FileSink` used here. */
interface _Sink {
  write(chunk: Uint8Array): number;
  flush(): number | Promise<number>;
  end(): number | Promise<number>;
}

/** The part of Bun's `BunFile` used here. */
interface _File {
  stream(): ReadableStream<Uint8Array>;
  writer(): _Sink;
}

/** A failure of Bun's file I/O as a Node system error (its `code`, else EIO). */
function _ioError(err: unknown, syscall: string): Error {
  const code = (err as { code?: unknown } | null)?.code;
  return systemError({ code: typeof code === "string" ? code : "EIO", syscall, cause: err });
}

/**
 * A Duplex over a pipe's descriptor: it reads only once asked to (a
 * descriptor may be the pipe's write end), writes each chunk through to the
 * pipe before calling back, sends no FIN of its own (a pipe has none), and
 * closes the descriptor once destroyed, as Node's socket does.
 */
class _PipeDuplex extends Duplex {
  readonly #fd: number;
  readonly #file: _File;
  #reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  #sink: _Sink | null = null;
  #closed = false;

  constructor(fd: number) {
    super({ allowHalfOpen: true });
    this.#fd = fd;
    this.#file = (globalThis as unknown as { Bun: { file(fd: number): _File } }).Bun.file(fd);
  }

  override _read(): void {
    const reader = this.#reader ??= this.#file.stream().getReader();
    reader.read().then(
      ({ value, done }) => {
        if (this.destroyed) return;
        if (done) this.push(null);
        else this.push(value);
      },
      (err) => this.destroy(_ioError(err, "read")),
    );
  }

  override _write(chunk: Uint8Array, _enc: string, cb: (err?: Error | null) => void): void {
    try {
      const sink = this.#sink ??= this.#file.writer();
      sink.write(chunk);
      const flushed = sink.flush();
      if (typeof flushed === "number") return cb();
      flushed.then(() => cb(), (err) => cb(_ioError(err, "write")));
    } catch (err) {
      cb(_ioError(err, "write"));
    }
  }

  override _final(cb: (err?: Error | null) => void): void {
    // A pipe has no half-close: what is written is flushed, and the peer reads its end once the
    // descriptor is closed, when the socket is destroyed (Node's shutdown of a pipe fails, and
    // its close is what ends the peer's reads too).
    const sink = this.#sink;
    if (sink === null) return cb();
    try {
      const flushed = sink.flush();
      if (typeof flushed === "number") return cb();
      flushed.then(() => cb(), (err) => cb(_ioError(err, "write")));
    } catch (err) {
      cb(_ioError(err, "write"));
    }
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.#reader?.cancel().catch(noop);
    this.#reader = null;
    const sink = this.#sink;
    this.#sink = null;
    try {
      // Ends the writer, on a descriptor of its own: what it still holds for a full pipe goes
      // out when the reader takes it, and the process waits for that or for the reader to go,
      // as Node's does for a pipe socket destroyed with a write pending. Bun's file objects
      // leave the given descriptor open, and so it is closed here, once, as Node's socket
      // closes its own.
      const ended = sink?.end();
      if (ended !== undefined && typeof ended !== "number") ended.catch(noop);
    } catch {
      // The pipe's reader went away: nothing more can be written.
    }
    if (!this.#closed) {
      this.#closed = true;
      try {
        // node:fs from getBuiltinModule at use: its ES module namespace reads
        // fs.promises, which loads ten more of Node's modules at import.
        process.getBuiltinModule("node:fs").closeSync(this.#fd);
      } catch {
        // Not open any more.
      }
    }
    cb(err);
  }
}

/**
 * Wraps a pipe's descriptor as a connected stream: the ends are unnamed, as
 * a Unix socket's (`""`), as Node names a pipe socket's.
 * @param fd the pipe's descriptor
 * @returns the stream handle
 * @example
 * ```ts
 * const handle = openPipeFd(0); // stdin, when it is a pipe
 * handle.close(() => {});
 * ```
 */
export function openPipeFd(fd: number): StreamHandle {
  return new DuplexStreamHandle(new _PipeDuplex(fd), "", "", false);
}
