/**
 * Memory for the Deno adapter's reads and writes: read regions handed out
 * from shared slabs (a read pins its region until the bytes are given away),
 * and the coalescing of small chunks for writev.
 * @module
 */
import { Buffer } from "../../core/builtins.ts";

// Read buffers: every pending read pins its region, so idle connections read
// small (an idle connection holds MIN_READ) and a connection whose reads come
// back full grows toward MAX_READ: 64 KiB, the most Node delivers in one
// chunk, so a reader sees the same chunks on every runtime.
const _SLAB_SIZE = 512 * 1024;
/** Smallest read region. */
export const MIN_READ: number = 4 * 1024;
/** Largest read region. */
export const MAX_READ: number = 64 * 1024;
/** Reads up to this size are copied out so their region serves the next read. */
export const COPY_MAX: number = 4 * 1024;
// Unused regions an arena keeps for reuse.
const _MAX_FREE = 16;
// writev concatenates chunks smaller than this, up to _BATCH_LIMIT bytes per write.
const _SMALL_CHUNK = 16 * 1024;
const _BATCH_LIMIT = 64 * 1024;

/** Splits `chunks` into write units: runs of small chunks joined, large ones alone. */
export function coalesce(chunks: Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let run: Uint8Array[] = [];
  let runBytes = 0;
  const flush = () => {
    if (run.length === 1) out.push(run[0]);
    else if (run.length > 1) out.push(Buffer.concat(run, runBytes));
    run = [];
    runBytes = 0;
  };
  for (const chunk of chunks) {
    if (chunk.byteLength === 0) continue;
    if (chunk.byteLength >= _SMALL_CHUNK) {
      flush();
      out.push(chunk);
      continue;
    }
    if (runBytes + chunk.byteLength > _BATCH_LIMIT) flush();
    run.push(chunk);
    runBytes += chunk.byteLength;
  }
  flush();
  return out;
}

/**
 * Hands out read regions from shared slabs. Once bytes read into a region
 * are given away as a Buffer view the region is never reused, so a slab is
 * freed by the garbage collector when every view into it is gone.
 */
export class ReadArena {
  #slab: ArrayBuffer | null = null;
  #end = 0;
  // Regions of the current slab given back unused while a later region was
  // still out (a short-lived connection reads only EOF): reused, so such
  // connections cost no slab space, and never outliving their slab.
  #free: Uint8Array[] = [];

  reserve(size: number): Uint8Array {
    const free = this.#free;
    for (let i = free.length - 1; i >= 0; i--) {
      const view = free[i];
      if (view.byteLength !== size) continue;
      free[i] = free[free.length - 1];
      free.pop();
      return view;
    }
    let slab = this.#slab;
    if (slab === null || slab.byteLength - this.#end < size) {
      slab = this.#slab = new ArrayBuffer(_SLAB_SIZE);
      this.#end = 0;
      free.length = 0;
    }
    const view = new Uint8Array(slab, this.#end, size);
    this.#end += size;
    return view;
  }

  /** Takes back the unused tail of `view`: at once if nothing was reserved after it. */
  release(view: Uint8Array, used: number): void {
    if (view.buffer !== this.#slab) return;
    if (view.byteOffset + view.byteLength !== this.#end) {
      if (used === 0 && this.#free.length < _MAX_FREE) this.#free.push(view);
      return;
    }
    this.#end = view.byteOffset + used;
    if (used === 0) this.#coalesce();
  }

  // Free regions that now end at the top go back to the slab too.
  #coalesce(): void {
    const free = this.#free;
    for (let i = free.length - 1; i >= 0; i--) {
      const view = free[i];
      if (view.byteOffset + view.byteLength !== this.#end) continue;
      this.#end = view.byteOffset;
      free[i] = free[free.length - 1];
      free.pop();
      i = free.length;
    }
  }
}
