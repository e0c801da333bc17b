/**
 * The IPv6 address rules of `BlockList`, as `check()` looks them up: a set of
 * their 128-bit values, apart from the rule store (`_block_list_rows.ts`).
 * The rule store keeps every address rule (IPv4 ones too) with its order and
 * flags, spread over five arrays; a probe there reads each of them, and on a
 * list of 100,000 rules or more most of those reads miss the cache. Here a
 * probe reads one array, where a key's 4 words sit together (16 bytes, a
 * quarter of a cache line), so a check against IPv6 address rules costs one
 * or two cache misses.
 *
 * Beside the set, a count of the rules by a hash of their first 64 bits lets
 * the staged IPv6 check (which reads the first 64 bits of a text first) answer
 * `false` for a block without rules without reading the rest of the text.
 *
 * Open addressing with linear probing, at most half full; removal shifts the
 * probe run back (no tombstones), so any interleaving of adds and removes
 * keeps probes short. A slot of 4 zero words is empty; the all-zero address
 * (`::`) itself is kept as a flag.
 * @module
 */

/** A 32-bit hash of a 128-bit key (exported for tests). */
export function _hash(w0: number, w1: number, w2: number, w3: number): number {
  let h = Math.imul(w0, 0x9e3779b1) ^ Math.imul(w1, 0x85ebca6b) ^
    Math.imul(w2, 0xc2b2ae35) ^ Math.imul(w3, 0x27d4eb2f);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 12);
}

/** A 32-bit hash of a key's first 64 bits. */
function _hash64(h0: number, h1: number): number {
  const h = Math.imul((Math.imul(h0, 0x9e3779b1) ^ h1) | 0, 0x85ebca6b);
  return h ^ (h >>> 15);
}

/**
 * The set of live IPv6 address rules (not IPv4-mapped: those are IPv4 rules).
 * Keys are passed as 4 int32 words, most significant first (`x | 0`).
 * @example
 * ```ts
 * const s = new _WideSet();
 * s.add(0x20010db8, 0, 0, 1);
 * s.has(0x20010db8, 0, 0, 1); // true
 * ```
 */
export class _WideSet {
  /** Live keys. */
  size = 0;
  /** 4 words per slot; a slot of 4 zeros is empty. */
  #keys = new Int32Array(0);
  /** Whether `::` is in the set. */
  #zero = false;
  /**
   * Live keys by a hash of their first 64 bits: 4 counters per key or more,
   * of a byte each. A counter that reaches 255 stays there (it then only
   * sends checks on to `has()`) until the next resize counts again.
   */
  #heads = new Uint8Array(0);

  /** Whether the key is in the set. */
  has(w0: number, w1: number, w2: number, w3: number): boolean {
    const keys = this.#keys;
    if ((w0 | w1 | w2 | w3) === 0) return this.#zero;
    const mask = (keys.length >> 2) - 1;
    if (mask < 0) return false;
    let s = _hash(w0, w1, w2, w3) & mask;
    for (;;) {
      const o = s << 2;
      const k0 = keys[o], k1 = keys[o + 1], k2 = keys[o + 2], k3 = keys[o + 3];
      if (k0 === w0 && k1 === w1 && k2 === w2 && k3 === w3) return true;
      if ((k0 | k1 | k2 | k3) === 0) return false;
      s = (s + 1) & mask;
    }
  }

  /**
   * Whether some key may start with these 64 bits: `false` is exact, `true`
   * may be a hash collision.
   */
  mayHold(h0: number, h1: number): boolean {
    const heads = this.#heads;
    return heads.length !== 0 && heads[_hash64(h0, h1) & (heads.length - 1)] !== 0;
  }

  /** Adds a key that is not in the set (the rule store knows). */
  add(w0: number, w1: number, w2: number, w3: number): void {
    this.size++;
    if (this.size * 2 > this.#keys.length >> 2) this.#resize(this.size);
    if ((w0 | w1 | w2 | w3) === 0) this.#zero = true;
    else this.#put(w0, w1, w2, w3);
    this.#count(w0, w1, 1);
  }

  /** Removes a key that is in the set. */
  remove(w0: number, w1: number, w2: number, w3: number): void {
    this.size--;
    this.#count(w0, w1, -1);
    if ((w0 | w1 | w2 | w3) === 0) {
      this.#zero = false;
      return;
    }
    const keys = this.#keys;
    const mask = (keys.length >> 2) - 1;
    let s = _hash(w0, w1, w2, w3) & mask;
    while (
      keys[s << 2] !== w0 || keys[(s << 2) + 1] !== w1 || keys[(s << 2) + 2] !== w2 ||
      keys[(s << 2) + 3] !== w3
    ) s = (s + 1) & mask;
    // Backward shift: each later key of the run whose home slot does not lie
    // in (hole, its slot] moves into the hole.
    let hole = s;
    for (;;) {
      s = (s + 1) & mask;
      const o = s << 2;
      const k0 = keys[o], k1 = keys[o + 1], k2 = keys[o + 2], k3 = keys[o + 3];
      if ((k0 | k1 | k2 | k3) === 0) break;
      const home = _hash(k0, k1, k2, k3) & mask;
      if (((s - home) & mask) >= ((s - hole) & mask)) {
        keys.copyWithin(hole << 2, o, o + 4);
        hole = s;
      }
    }
    keys.fill(0, hole << 2, (hole << 2) + 4);
    // A set that shrank far gives its memory back.
    if (this.size === 0) this.clear();
    else if (this.size * 8 < keys.length >> 2 && keys.length > 64) this.#resize(this.size);
  }

  /** Empties the set. */
  clear(): void {
    this.size = 0;
    this.#zero = false;
    this.#keys = new Int32Array(0);
    this.#heads = new Uint8Array(0);
  }

  /** Counts a key in or out of its head counter (saturating). */
  #count(h0: number, h1: number, d: number): void {
    const heads = this.#heads;
    const s = _hash64(h0, h1) & (heads.length - 1);
    if (heads[s] !== 255) heads[s] += d;
  }

  /** Stores a non-zero key in its first free slot. */
  #put(w0: number, w1: number, w2: number, w3: number): void {
    const keys = this.#keys;
    const mask = (keys.length >> 2) - 1;
    let s = _hash(w0, w1, w2, w3) & mask;
    while ((keys[s << 2] | keys[(s << 2) + 1] | keys[(s << 2) + 2] | keys[(s << 2) + 3]) !== 0) {
      s = (s + 1) & mask;
    }
    const o = s << 2;
    keys[o] = w0;
    keys[o + 1] = w1;
    keys[o + 2] = w2;
    keys[o + 3] = w3;
  }

  /** Rehashes into room for `n` keys at most half full (the set and its head counts). */
  #resize(n: number): void {
    let slots = 16;
    while (slots < 2 * n) slots *= 2;
    const old = this.#keys;
    this.#keys = new Int32Array(slots * 4);
    this.#heads = new Uint8Array(slots * 2);
    if (this.#zero) this.#count(0, 0, 1);
    for (let o = 0; o < old.length; o += 4) {
      const k0 = old[o], k1 = old[o + 1], k2 = old[o + 2], k3 = old[o + 3];
      if ((k0 | k1 | k2 | k3) === 0) continue;
      this.#put(k0, k1, k2, k3);
      this.#count(k0, k1, 1);
    }
  }
}
