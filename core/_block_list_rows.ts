/**
 * The rule store of `BlockList`: the rules of one kind in insertion order, in
 * typed arrays (a few bytes per rule, no object per rule), with an
 * open-addressing hash index on each rule's identity so that adding,
 * finding and removing a rule are O(1).
 *
 * Row `r` holds `v[r]` and `m[r]`. A narrow row (an IPv4 value: an IPv4 or
 * IPv4-mapped address, an IPv4 subnet) keeps the value itself in `v[r]`; a
 * wide row keeps, in `v[r]`, the index of its words in `wide` (`stride`
 * words each: an IPv6 value, or a range's start and end). `m[r]` packs the
 * prefix length and flags. Removed rows stay as holes until they outnumber
 * the live ones; then the rows are compacted in order. A byte array of hash
 * tags beside the table settles most probes without reading the table.
 * @module
 */

/** Prefix length of a subnet (bits 0-7). */
export const _M_PREFIX = 0xff;
/** The rule's (start) address was given as IPv6. */
export const _M_FAM6 = 0x100;
/** A range's end was given as IPv6. */
export const _M_EFAM6 = 0x200;
/** The row's words are in `wide`. */
export const _M_WIDE = 0x400;
/** The row is live (not removed). */
export const _M_LIVE = 0x800;

const _EMPTY = 0;

/** A slot's tag: 8 bits of its hash above the slot bits, never 0 (which marks an empty slot). */
function _tag(h: number): number {
  return (h >>> 24) | 1;
}

/** Mixes a 32-bit word into a hash state. */
function _mix(h: number, w: number): number {
  return Math.imul(h ^ w, 0x9e3779b1) ^ (h >>> 15);
}

/** The final avalanche of a hash state (murmur3's). */
function _fin(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The hash of a narrow row: its value and identity bits.
 * @param v The IPv4 value.
 * @param key The row's identity bits (`m & keyMask`).
 * @returns A 32-bit hash.
 */
export function _hashNarrow(v: number, key: number): number {
  return _fin(_mix(key, v));
}

/**
 * The hash of a 4-word value with identity bits (a wide address or subnet).
 * @returns A 32-bit hash.
 */
export function _hash4(key: number, w0: number, w1: number, w2: number, w3: number): number {
  return _fin(_mix(_mix(_mix(_mix(key, w0), w1), w2), w3));
}

/**
 * Rules of one kind (see the module doc).
 * @example
 * ```ts
 * const rows = new _Rows(4, _M_WIDE, false);
 * ```
 */
export class _Rows {
  /** Words per wide row: 4 (addresses, subnets) or 8 (ranges). */
  readonly stride: number;
  /** The bits of `m` that, with the value, make up a rule's identity. */
  readonly keyMask: number;
  /** Whether equal rules may repeat (subnets, ranges); addresses are unique. */
  readonly dups: boolean;
  /** Rows used, holes included. */
  n = 0;
  /** Live rows. */
  live = 0;
  v: Uint32Array = new Uint32Array(16);
  m: Uint16Array = new Uint16Array(16);
  /** For repeatable rules: the next older row with the same identity, or -1. */
  older: Int32Array = new Int32Array(0);
  wide: Uint32Array;
  /** Wide rows used. */
  nWide = 0;
  /** Zone IDs of rows that have one (they take part in identity). */
  zones: Map<number, string> | null = null;
  /**
   * Per slot, two ints: row + 1 of the newest row of an identity (0: empty
   * slot), and that identity's hash, which settles most probes without
   * reading the row. One cache line serves both.
   */
  table: Int32Array = new Int32Array(64);
  /**
   * One byte per slot: 0 when empty, else the tag of its hash. Probes walk
   * this array, an eighth of `table`'s size (so it mostly stays in cache),
   * and read `table` only on a matching tag.
   */
  tags: Uint8Array = new Uint8Array(32);
  /** Distinct identities in `table`. */
  keys = 0;
  // Where the last failed search of the staged row ended (valid while #freeFor === n).
  #freeFor = -1;
  #freeSlot = 0;
  #freeHash = 0;

  /**
   * @param stride Words per wide row.
   * @param keyMask Identity bits of `m`.
   * @param dups Whether equal rules may repeat.
   */
  constructor(stride: number, keyMask: number, dups: boolean) {
    this.stride = stride;
    this.keyMask = keyMask;
    this.dups = dups;
    this.wide = new Uint32Array(16 * stride);
    if (dups) this.older = new Int32Array(16);
  }

  /** Removes every row. */
  clear(): void {
    this.#freeFor = -1;
    this.n = 0;
    this.live = 0;
    this.nWide = 0;
    this.v = new Uint32Array(16);
    this.m = new Uint16Array(16);
    if (this.dups) this.older = new Int32Array(16);
    this.wide = new Uint32Array(16 * this.stride);
    this.zones = null;
    this.table = new Int32Array(64);
    this.tags = new Uint8Array(32);
    this.keys = 0;
  }

  /**
   * Writes a candidate row at index `n` without committing it; `commit()`
   * keeps it, anything else overwrites it. Returns the wide offset to fill
   * for a wide row (the caller writes `stride` words there), or -1.
   * @param v The IPv4 value for a narrow row (ignored for a wide one).
   * @param m Prefix and flags, `_M_LIVE` included.
   * @param zone Zone ID ("" for none).
   * @returns The offset in `wide` for the words, or -1 for a narrow row.
   */
  stage(v: number, m: number, zone: string): number {
    if (this.n === this.v.length) this.#growRows();
    this.#freeFor = -1;
    const r = this.n;
    this.m[r] = m;
    if (zone !== "") (this.zones ??= new Map()).set(r, zone);
    else this.zones?.delete(r);
    if ((m & _M_WIDE) === 0) {
      this.v[r] = v;
      return -1;
    }
    if ((this.nWide + 1) * this.stride > this.wide.length) this.#growWide();
    this.v[r] = this.nWide;
    return this.nWide * this.stride;
  }

  /**
   * The newest live row equal to the staged one, or -1.
   * @returns A row index or -1.
   */
  findStaged(): number {
    const slot = this.#findSlot(this.n);
    if (slot !== -1) return this.table[slot << 1] - 1;
    // A commit() right after reuses the empty slot the search ended on.
    this.#freeFor = this.n;
    return -1;
  }

  /**
   * Keeps the staged row as the newest rule.
   * @returns Its row index.
   */
  commit(): number {
    const r = this.n;
    if ((this.m[r] & _M_WIDE) !== 0) this.nWide++;
    this.n++;
    this.live++;
    if (this.#freeFor === r) {
      // findStaged() just found no equal row: its search ended on this empty slot.
      this.#placeAtFree(r);
    } else {
      this.#index(r);
    }
    this.#freeFor = -1;
    if ((this.keys + 1) * 10 > this.table.length * 3) this.#resize(this.tags.length * 2, null);
    return r;
  }

  /** Forgets the staged row (its zone entry, if any). */
  unstage(): void {
    this.#freeFor = -1;
    this.zones?.delete(this.n);
  }

  /**
   * Removes the newest live row with the staged row's identity.
   * @returns Whether one was removed.
   */
  removeStaged(): boolean {
    this.#freeFor = -1;
    const slot = this.#findSlot(this.n);
    this.unstage();
    if (slot === -1) return false;
    const r = this.table[slot << 1] - 1;
    const next = this.dups ? this.older[r] : -1;
    if (next === -1) this.#deleteSlot(slot);
    else this.table[slot << 1] = next + 1;
    this.m[r] &= ~_M_LIVE;
    this.live--;
    if (this.n - this.live > 1024 && this.n - this.live > this.live) this.#compact();
    return true;
  }

  /** The zone ID of row `r`, or "". */
  zoneOf(r: number): string {
    return this.zones?.get(r) ?? "";
  }

  /**
   * Whether a live narrow row has value `v` and identity bits 0 (the IPv4
   * address lookup of `check()`).
   * @param v The IPv4 value.
   * @returns `true` if present.
   */
  hasNarrow(v: number): boolean {
    const tags = this.tags;
    const mask = tags.length - 1;
    const h = _hashNarrow(v, 0) | 0;
    const tag = _tag(h);
    let slot = h & mask;
    for (;;) {
      const t = tags[slot];
      if (t === _EMPTY) return false;
      if (t === tag) {
        const table = this.table;
        const e = table[slot << 1];
        if (
          table[(slot << 1) + 1] === h && this.v[e - 1] === v && (this.m[e - 1] & _M_WIDE) === 0
        ) {
          return true;
        }
      }
      slot = (slot + 1) & mask;
    }
  }

  #hashRow(r: number): number {
    const key = this.m[r] & this.keyMask;
    if ((key & _M_WIDE) === 0) return _hashNarrow(this.v[r], key);
    const o = this.v[r] * this.stride;
    const w = this.wide;
    if (this.stride === 4) return _hash4(key, w[o], w[o + 1], w[o + 2], w[o + 3]);
    let h = key;
    for (let i = 0; i < this.stride; i++) h = _mix(h, w[o + i]);
    return _fin(h);
  }

  #same(a: number, b: number): boolean {
    const m = this.m, km = this.keyMask;
    if ((m[a] & km) !== (m[b] & km)) return false;
    if ((m[a] & _M_WIDE) === 0) {
      if (this.v[a] !== this.v[b]) return false;
    } else {
      const s = this.stride, w = this.wide;
      const oa = this.v[a] * s, ob = this.v[b] * s;
      for (let i = 0; i < s; i++) if (w[oa + i] !== w[ob + i]) return false;
    }
    return this.zones === null || this.zoneOf(a) === this.zoneOf(b);
  }

  /** The table slot holding row `r`'s identity, or -1. */
  #findSlot(r: number): number {
    const tags = this.tags;
    const mask = tags.length - 1;
    const h = this.#hashRow(r) | 0;
    const tag = _tag(h);
    let slot = h & mask;
    for (;;) {
      const t = tags[slot];
      if (t === _EMPTY) {
        this.#freeSlot = slot;
        this.#freeHash = h;
        return -1;
      }
      if (t === tag) {
        const table = this.table;
        if (table[(slot << 1) + 1] === h && this.#same(table[slot << 1] - 1, r)) return slot;
      }
      slot = (slot + 1) & mask;
    }
  }

  /** Makes row `r` the newest of its identity in the table. */
  #index(r: number): void {
    const table = this.table;
    const slot = this.#findSlot(r);
    if (slot >= 0) {
      if (this.dups) this.older[r] = table[slot << 1] - 1;
      table[slot << 1] = r + 1;
      return;
    }
    this.#placeAtFree(r);
  }

  /** Puts row `r`, the first of its identity, in the empty slot the last search ended on. */
  #placeAtFree(r: number): void {
    this.table[this.#freeSlot << 1] = r + 1;
    this.table[(this.#freeSlot << 1) + 1] = this.#freeHash;
    this.tags[this.#freeSlot] = _tag(this.#freeHash);
    this.keys++;
    if (this.dups) this.older[r] = -1;
  }

  /** Empties `slot`, moving later entries of its probe run back (linear probing). */
  #deleteSlot(slot: number): void {
    const table = this.table;
    const tags = this.tags;
    const mask = tags.length - 1;
    let hole = slot;
    let j = slot;
    for (;;) {
      j = (j + 1) & mask;
      const t = tags[j];
      if (t === _EMPTY) break;
      const hash = table[(j << 1) + 1];
      const home = hash & mask;
      // The entry may move into the hole unless its home lies cyclically in (hole, j].
      const stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (!stays) {
        table[hole << 1] = table[j << 1];
        table[(hole << 1) + 1] = hash;
        tags[hole] = t;
        hole = j;
      }
    }
    table[hole << 1] = _EMPTY;
    tags[hole] = _EMPTY;
    this.keys--;
  }

  /**
   * Moves the table's entries into a new table of `size` slots by the
   * hashes it keeps: no row is read or hashed again. `remap`, after a
   * compaction, gives each row's new number.
   */
  #resize(size: number, remap: Int32Array | null): void {
    const old = this.table, oldTags = this.tags;
    const table = new Int32Array(size * 2);
    const tags = new Uint8Array(size);
    const mask = size - 1;
    for (let s = 0; s < oldTags.length; s++) {
      const t = oldTags[s];
      if (t === _EMPTY) continue;
      const h = old[(s << 1) + 1];
      let slot = h & mask;
      while (tags[slot] !== _EMPTY) slot = (slot + 1) & mask;
      const e = old[s << 1];
      table[slot << 1] = remap === null ? e : remap[e - 1] + 1;
      table[(slot << 1) + 1] = h;
      tags[slot] = t;
    }
    _release(old);
    _release(oldTags);
    this.table = table;
    this.tags = tags;
  }

  #growRows(): void {
    const size = Math.ceil(this.v.length * 1.5);
    this.v = new Uint32Array(_resized(this.v, size * 4));
    this.m = new Uint16Array(_resized(this.m, size * 2));
    if (this.dups) this.older = new Int32Array(_resized(this.older, size * 4));
  }

  #growWide(): void {
    const size = Math.ceil(this.wide.length / this.stride * 1.5) * this.stride;
    this.wide = new Uint32Array(_resized(this.wide, size * 4));
  }

  /** Drops the holes, keeping order, and renumbers the rows in the table. */
  #compact(): void {
    const s = this.stride, n = this.n;
    const m = this.m, v = this.v, wide = this.wide, older = this.older, dups = this.dups;
    // Row r becomes row remap[r]. An identity's older rows are live (the
    // newest goes first), so they are renumbered before the rows naming them.
    const remap = new Int32Array(n);
    let out = 0, outWide = 0;
    const zones = this.zones === null ? null : new Map<number, string>();
    for (let r = 0; r < n; r++) {
      const mr = m[r];
      if ((mr & _M_LIVE) === 0) continue;
      remap[r] = out;
      if ((mr & _M_WIDE) !== 0) {
        const from = v[r] * s, to = outWide * s;
        for (let i = 0; i < s; i++) wide[to + i] = wide[from + i];
        v[out] = outWide++;
      } else {
        v[out] = v[r];
      }
      m[out] = mr;
      if (dups) older[out] = older[r] === -1 ? -1 : remap[older[r]];
      const zone = this.zones?.get(r);
      if (zone !== undefined) zones!.set(out, zone);
      out++;
    }
    this.n = out;
    this.nWide = outWide;
    this.zones = zones;
    let size = 32;
    while (size * 3 < this.live * 5) size *= 2;
    this.#resize(size, remap);
  }
}

/** `ArrayBuffer.prototype.transfer` (ES2024), where the runtime has it. */
const _transfer = (ArrayBuffer.prototype as {
  transfer?: (this: ArrayBuffer, length: number) => ArrayBuffer;
}).transfer;

/**
 * A buffer of `bytes` bytes holding the start of `a`'s (zeros after it), for
 * a grown array. Where the runtime has `ArrayBuffer.prototype.transfer`, `a`
 * is detached and its memory freed now, instead of at some later garbage
 * collection: arrays that grow by steps while nothing else is freed would
 * otherwise each stay allocated until then, and the C allocator keeps most
 * of such freed memory resident (RSS) rather than using it again.
 * @param a A typed array spanning its whole buffer; unusable afterwards.
 * @param bytes The new size in bytes.
 * @returns The new buffer.
 * @example
 * ```ts
 * let v = new Uint32Array(16);
 * v = new Uint32Array(_resized(v, 24 * 4));
 * ```
 */
export function _resized(
  a: Uint8Array | Uint16Array | Uint32Array | Int32Array,
  bytes: number,
): ArrayBuffer {
  if (_transfer !== undefined) return _transfer.call(a.buffer as ArrayBuffer, bytes);
  const out = new ArrayBuffer(bytes);
  new Uint8Array(out).set(new Uint8Array(a.buffer, a.byteOffset, Math.min(a.byteLength, bytes)));
  return out;
}

/**
 * Frees the memory of `a` now where the runtime can (see {@link _resized}),
 * for an array about to be replaced; `a` is unusable afterwards.
 * @param a A typed array spanning its whole buffer.
 * @example
 * ```ts
 * _release(new Int32Array(64));
 * ```
 */
export function _release(a: Uint8Array | Uint16Array | Uint32Array | Int32Array): void {
  if (_transfer !== undefined) _transfer.call(a.buffer as ArrayBuffer, 0);
}
