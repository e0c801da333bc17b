/**
 * `net.BlockList`: Node 26's whole API (addresses, ranges, subnets, CIDRs,
 * removal, `clear`, `size`, `toJSON`/`fromJSON`, `PRIVATE_RANGES`) with
 * Node's matching rules, on every runtime and Node version.
 *
 * Every mutation updates the index in place, so that any interleaving of
 * changes and checks stays fast: addresses live in hash tables keyed by their
 * numeric value, subnets and ranges as intervals in a blocked, counted
 * boundary list per input family (`_block_list_cover.ts`). `check()` is a
 * hash probe plus a predecessor search, O(log n), with no BigInt and no
 * allocation for string input; IPv6 text is read in stages, its first groups
 * first (`_block_list_scan6.ts`). Rules are kept in typed arrays, in insertion
 * order (`_block_list_rows.ts`).
 * @module
 */
import type { InspectOptions } from "node:util";
import * as nodeNet from "node:net";
import { codedError, errInvalidArgType, errInvalidArgValue } from "./errors.ts";
import {
  _parseIPv4Span,
  _parseIPv6Fast,
  formatIPv4,
  formatIPv6,
  parseIPv4,
  parseIPv6,
} from "./ip.ts";
import { _socketAddressValue, type AnySocketAddress, SocketAddress } from "./socket_address.ts";
import { validateInt32, validateString } from "./validators.ts";
import { _Cover, _ge4, _last1, _le4 } from "./_block_list_cover.ts";
import { _buckets, _bucketShift, _Flat6, _sortInt32, _tz4 } from "./_block_list_flat.ts";
import { _HEAD, _head6, _LOW, _low6, _stage6, _tail6 } from "./_block_list_scan6.ts";
import { _WideSet } from "./_block_list_wide.ts";
import {
  _M_EFAM6,
  _M_FAM6,
  _M_LIVE,
  _M_PREFIX,
  _M_WIDE,
  _release,
  _resized,
  _Rows,
} from "./_block_list_rows.ts";

/** `'ipv4'` or `'ipv6'` (case-insensitive, as Node accepts). */
export type BlockListFamily = "ipv4" | "ipv6" | string;

// Every address lives in one 128-bit space as 4 uint32 words, most
// significant first; IPv4 `x` is stored as its mapped form ::ffff:x, which
// is how Node makes IPv4 rules and inputs meet IPv6 ones.
const _KIND_ADDRESS = 0;
const _KIND_SUBNET = 1;
const _KIND_RANGE = 2;

/** A parsed address: family, 128-bit value (IPv4 mapped), zone text. */
interface _Addr {
  fam: 4 | 6;
  w0: number;
  w1: number;
  w2: number;
  w3: number;
  zone: string;
}

const _words = new Uint16Array(8);
const _quad = new Uint32Array(4);
const _ERR_INVALID_ADDRESS = "ERR_INVALID_ADDRESS";

function _invalidAddress(): Error {
  return codedError(_ERR_INVALID_ADDRESS, "Invalid socket address");
}

/** A blank parsed address, to be filled by `_toAddr`. */
function _newAddr(): _Addr {
  return { fam: 4, w0: 0, w1: 0, w2: 0, w3: 0, zone: "" };
}

// Scratch addresses for the mutations that use their parse at once and keep
// nothing of it (a round of churn then allocates no address object).
const _A = _newAddr();
const _B = _newAddr();

function _fromWords(fam: 4 | 6, w: ArrayLike<number>, zone: string, out: _Addr): _Addr {
  out.fam = fam;
  out.w0 = ((w[0] << 16) | w[1]) >>> 0;
  out.w1 = ((w[2] << 16) | w[3]) >>> 0;
  out.w2 = ((w[4] << 16) | w[5]) >>> 0;
  out.w3 = ((w[6] << 16) | w[7]) >>> 0;
  out.zone = zone;
  return out;
}

/** An IPv6 address from the 4 words `_parseIPv6Fast` wrote, no zone. */
function _fromQuad(q: Uint32Array, out: _Addr): _Addr {
  out.fam = 6;
  out.w0 = q[0];
  out.w1 = q[1];
  out.w2 = q[2];
  out.w3 = q[3];
  out.zone = "";
  return out;
}

function _fromV4(v4: number, out: _Addr): _Addr {
  out.fam = 4;
  out.w0 = 0;
  out.w1 = 0;
  out.w2 = 0xffff;
  out.w3 = v4;
  out.zone = "";
  return out;
}

/** Parses `text` as `family` (already lower-cased) into `out`; null when invalid. */
function _parse(text: string, family: "ipv4" | "ipv6", out: _Addr): _Addr | null {
  if (family === "ipv4") {
    const v4 = parseIPv4(text);
    return v4 === -1 ? null : _fromV4(v4, out);
  }
  // Plain hex-and-colon text (the usual form) takes the one-pass scan.
  if (_parseIPv6Fast(text, _quad, text.length) === 1) return _fromQuad(_quad, out);
  // Node keeps whatever follows the first `%` as a zone and matches without it.
  const pct = text.indexOf("%");
  const bare = pct === -1 ? text : text.slice(0, pct);
  if (parseIPv6(bare, _words) !== 1) return null;
  return _fromWords(6, _words, pct === -1 ? "" : text.slice(pct + 1), out);
}

/** Node's family check for string input: a string, lower-cased, then ipv4/ipv6. */
function _family(family: unknown): "ipv4" | "ipv6" {
  if (family === "ipv4" || family === "ipv6") return family;
  validateString(family, "family");
  const lower = family.toLowerCase();
  if (lower !== "ipv4" && lower !== "ipv6") throw errInvalidArgValue("options.family", family);
  return lower;
}

/**
 * Whether `type` lower-cases to `"ipv4"`, without making the lower-cased
 * string (`check(address, socket.remoteFamily)` passes `"IPv4"` on every
 * call). Only `I`/`i`, `P`/`p`, `V`/`v` and `4` lower-case into those four
 * characters one for one: `İ` lower-cases to two.
 */
function _isIPv4Name(type: string): boolean {
  return type.length === 4 && (type.charCodeAt(0) | 32) === 0x69 &&
    (type.charCodeAt(1) | 32) === 0x70 && (type.charCodeAt(2) | 32) === 0x76 &&
    type.charCodeAt(3) === 0x34;
}

/** A string (parsed as `family`) or a SocketAddress, as every `add*`/`remove*` takes. */
function _toAddr(
  value: unknown,
  name: string,
  family: unknown,
  out: _Addr = _newAddr(),
): _Addr {
  if (SocketAddress.isSocketAddress(value)) {
    const p = _socketAddressValue(value);
    return p.family === 4 ? _fromV4(p.v4, out) : _fromWords(6, p.words!, "", out);
  }
  validateString(value, name);
  const addr = _parse(value, _family(family), out);
  if (addr === null) throw _invalidAddress();
  return addr;
}

/** -1/0/1 comparing two 128-bit values given as words. */
function _cmp(
  a0: number,
  a1: number,
  a2: number,
  a3: number,
  b0: number,
  b1: number,
  b2: number,
  b3: number,
): number {
  if (a0 !== b0) return a0 < b0 ? -1 : 1;
  if (a1 !== b1) return a1 < b1 ? -1 : 1;
  if (a2 !== b2) return a2 < b2 ? -1 : 1;
  if (a3 !== b3) return a3 < b3 ? -1 : 1;
  return 0;
}

function _isMapped(w0: number, w1: number, w2: number): boolean {
  return w0 === 0 && w1 === 0 && w2 === 0xffff;
}

/** Whether Node can order an endpoint against IPv4 input: IPv4 itself or IPv4-mapped. */
function _v4Comparable(fam: 4 | 6, w0: number, w1: number, w2: number): boolean {
  return fam === 4 || _isMapped(w0, w1, w2);
}

/** The 32-bit mask word `i` (0 = most significant) of a 128-bit prefix. */
function _maskWord(prefix: number, i: number): number {
  const bits = Math.min(32, Math.max(0, prefix - 32 * i));
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/** Node's text for an endpoint: dotted quad for IPv4, its IPv6 printing otherwise. */
function _format(fam: 4 | 6, w0: number, w1: number, w2: number, w3: number): string {
  if (fam === 4) return formatIPv4(w3);
  return formatIPv6([
    w0 >>> 16,
    w0 & 0xffff,
    w1 >>> 16,
    w1 & 0xffff,
    w2 >>> 16,
    w2 & 0xffff,
    w3 >>> 16,
    w3 & 0xffff,
  ]);
}

/** The text of the 4 words at `w[o..]` printed as family `fam`. */
function _formatAt(fam: 4 | 6, w: Uint32Array, o: number): string {
  return _format(fam, w[o], w[o + 1], w[o + 2], w[o + 3]);
}

/**
 * The rule texts as one JSON array text, written as ASCII bytes, which
 * `JSON.parse` turns into a million flat strings in one native call: one
 * string object per rule (no concatenation trees, no number conversions),
 * which is what keeps the garbage collector's share of `rules` small.
 */
class _RuleWriter {
  buf: Uint8Array;
  n = 0;
  constructor(rules: number) {
    this.buf = new Uint8Array(rules * 40 + 16);
  }

  /** Makes room for `more` bytes. */
  room(more: number): void {
    if (this.n + more <= this.buf.length) return;
    this.buf = new Uint8Array(_resized(this.buf, Math.max(this.buf.length * 2, this.n + more)));
  }

  /** Appends an ASCII string (rule texts are ASCII). */
  ascii(t: string): void {
    this.room(t.length);
    const b = this.buf;
    let n = this.n;
    for (let i = 0; i < t.length; i++) b[n++] = t.charCodeAt(i);
    this.n = n;
  }

  /** Appends 0-255 in decimal (no room check: callers reserve it). */
  dec(x: number): void {
    const b = this.buf;
    if (x >= 100) b[this.n++] = 0x30 + ((x / 100) | 0);
    if (x >= 10) b[this.n++] = 0x30 + (((x / 10) | 0) % 10);
    b[this.n++] = 0x30 + (x % 10);
  }

  /** Appends a dotted quad. */
  v4(v: number): void {
    this.room(15);
    this.dec(v >>> 24);
    this.buf[this.n++] = 0x2e;
    this.dec((v >>> 16) & 255);
    this.buf[this.n++] = 0x2e;
    this.dec((v >>> 8) & 255);
    this.buf[this.n++] = 0x2e;
    this.dec(v & 255);
  }

  /** Appends the endpoint at `wide[o..o+4)` (or the narrow IPv4 value `v`) printed as `fam`. */
  endpoint(fam6: boolean, wide: Uint32Array | null, o: number, v: number): void {
    if (wide === null) {
      if (fam6) this.ascii(_format(6, 0, 0, 0xffff, v));
      else this.v4(v);
    } else if (fam6) this.ascii(_formatAt(6, wide, o));
    else this.v4(wide[o + 3]);
  }

  /** The texts written, as strings; the writer's buffer is freed (see `_release`). */
  parse(): string[] {
    const text = _DECODER.decode(this.buf.subarray(0, this.n));
    _release(this.buf);
    return JSON.parse(text);
  }
}

const _DECODER = new TextDecoder();
const _HEADS: readonly string[] = [
  '"Address: IPv4 ',
  '"Address: IPv6 ',
  '"Subnet: IPv4 ',
  '"Subnet: IPv6 ',
  '"Range: IPv4 ',
  '"Range: IPv6 ',
];

/** "0" to "128": the prefix texts of subnet rules. */
const _PREFIXES: readonly string[] = Array.from({ length: 129 }, (_, i) => String(i));

/** Writes the texts of the live rows of `rows`, newest first, each followed by a comma. */
function _rowTexts(out: _RuleWriter, rows: _Rows, kind: number): void {
  for (let r = rows.n - 1; r >= 0; r--) {
    const m = rows.m[r];
    if ((m & _M_LIVE) === 0) continue;
    const fam6 = (m & _M_FAM6) !== 0;
    out.ascii(_HEADS[kind * 2 + (fam6 ? 1 : 0)]);
    const wide = (m & _M_WIDE) !== 0 ? rows.wide : null;
    out.endpoint(fam6, wide, rows.v[r] * rows.stride, rows.v[r]);
    if (kind === _KIND_SUBNET) {
      out.ascii("/");
      out.ascii(_PREFIXES[m & _M_PREFIX]);
    } else if (kind === _KIND_RANGE) {
      out.ascii("-");
      out.endpoint((m & _M_EFAM6) !== 0, rows.wide, rows.v[r] * 8 + 4, 0);
    }
    out.ascii('",');
  }
}

/**
 * Stages a row holding `a`: narrow (its low word) when `narrow`, else wide
 * (its 4 words, followed by `b`'s for a range).
 */
function _stage(
  rows: _Rows,
  m: number,
  a: _Addr,
  b: _Addr | null,
  narrow: boolean,
  zone: string = a.zone,
): void {
  if (narrow) {
    rows.stage(a.w3, m | _M_LIVE, zone);
    return;
  }
  const o = rows.stage(0, m | _M_WIDE | _M_LIVE, zone);
  const w = rows.wide;
  w[o] = a.w0;
  w[o + 1] = a.w1;
  w[o + 2] = a.w2;
  w[o + 3] = a.w3;
  if (b !== null) {
    w[o + 4] = b.w0;
    w[o + 5] = b.w1;
    w[o + 6] = b.w2;
    w[o + 7] = b.w3;
  }
}

// Cover keys are stored sign-flipped (see _block_list_cover.ts).
const _FLIP = 0x80000000;
const _k4a = new Int32Array(1);
const _k4e = new Int32Array(1);
const _k6a = new Int32Array(4);
const _k6e = new Int32Array(4);
const _MAX = 0xffffffff;

/**
 * The two interval covers: IPv4 input (uint32) and IPv6 input (128-bit),
 * with what the staged IPv6 check needs to know about the second.
 */
interface _Covers {
  c4: _Cover;
  c6: _Cover;
  /** Which covers the last updates touched: 1 (c4) | 2 (c6); the list clears it. */
  touched: number;
  /**
   * At most the fewest trailing zero bits of any boundary of c6 (128: none):
   * every aligned block of 2 ** tz6 keys is then wholly covered or not at all.
   */
  tz6: number;
  /**
   * The leading groups (16 bits each) that name such a block, 1-4; 0 when
   * that takes more than 4 (the staged check is off).
   */
  g6: number;
  /**
   * The flat index of c6, built once checks of IPv6 input have paid for it
   * (see `BlockList`), or null.
   */
  flat6: _Flat6 | null;
  /**
   * What changed in c6 since `flat6` was built, which `flat6` does not show:
   * `nDelta` entries of 9 ints, oldest first: the first and last key of an
   * interval (sign-flipped, both included) and the state of all of it just
   * after the change: 1 covered, 0 not, -1 partly (the cover tells). The
   * newest entry holding a key decides for it; none: `flat6` decides.
   */
  delta: Int32Array;
  nDelta: number;
  /** The first words of the entries' first keys and of their last keys, and the least and greatest. */
  lo0: Int32Array;
  hi0: Int32Array;
  min0: number;
  max0: number;
  /** A change came that `delta` had no room for: `flat6` must go. */
  over: boolean;
  /**
   * The /16 blocks of the IPv4 space (of IPv4 input) that may hold a rule:
   * an IPv4 address rule or part of a run of the IPv4 cover, one bit each
   * (8 KiB, made with the first such rule; null: none yet). A check of an
   * address whose block has no bit is `false` without an index lookup (on
   * lists of local networks and ban lists, most addresses that connect).
   * Adds set bits; removals leave theirs (a bit set in vain only sends
   * checks on to the index) and are counted in `stale4` until the map is
   * made exact again from the list (`BlockList`, after as many removals as
   * the list has rules).
   */
  occ4: Int32Array | null;
  /** Removals of IPv4 rules since `occ4` was last exact. */
  stale4: number;
}

/** Changes of the IPv6 cover a flat IPv6 index takes in its delta before it is dropped. */
const _DELTA = 16;

/** A fresh pair of covers. */
function _newCovers(): _Covers {
  return {
    c4: new _Cover(1),
    c6: new _Cover(4),
    touched: 0,
    tz6: 128,
    g6: 1,
    flat6: null,
    delta: new Int32Array(_DELTA * 9),
    nDelta: 0,
    lo0: new Int32Array(_DELTA),
    hi0: new Int32Array(_DELTA),
    occ4: null,
    stale4: 0,
    min0: 0,
    max0: 0,
    over: false,
  };
}

/**
 * Notes in the delta that c6 just changed over [_k6a, b] (b: sign-flipped
 * words, included). Entries inside the interval are dropped (the new one
 * decides for all their keys); the new one is left out when it would say
 * what `flat6` says and no older entry overlaps it.
 */
function _logDelta(cv: _Covers, b0: number, b1: number, b2: number, b3: number): void {
  const flat = cv.flat6;
  if (flat === null || cv.over) return;
  const a = _k6a, a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
  const state = cv.c6.span4(a0, a1, a2, a3, b0, b1, b2, b3);
  const t = cv.delta;
  let overlap = false, n = 0;
  for (let k = 0; k < cv.nDelta; k++) {
    const o = k * 9;
    // Entry k: [t[o..o+4), t[o+4..o+8)]; inside [a, b], or overlapping it.
    if (_le4(a, 0, t[o], t[o + 1], t[o + 2], t[o + 3]) && _le4(t, o + 4, b0, b1, b2, b3)) continue;
    if (_le4(t, o, b0, b1, b2, b3) && _ge4(t, o + 4, a0, a1, a2, a3)) overlap = true;
    if (n !== k) t.copyWithin(n * 9, o, o + 9);
    n++;
  }
  cv.nDelta = n;
  // Left out only when the flat index says the same of all of [a, b] (a
  // "partly" on both sides may split it differently).
  if (overlap || state === -1 || state !== flat.span(a0, a1, a2, a3, b0, b1, b2, b3)) {
    if (n === _DELTA) {
      cv.over = true;
      return;
    }
    _putDelta(cv, n, a0, a1, a2, a3, b0, b1, b2, b3, state);
  }
  // The first words of what is left, for _inDelta's quick tests.
  let min0 = 0x7fffffff, max0 = -0x80000000;
  for (let k = 0; k < cv.nDelta; k++) {
    const l = t[k * 9], h = t[k * 9 + 4];
    cv.lo0[k] = l;
    cv.hi0[k] = h;
    if (l < min0) min0 = l;
    if (h > max0) max0 = h;
  }
  cv.min0 = min0;
  cv.max0 = max0;
}

/** Writes delta entry `n` and counts it. */
function _putDelta(
  cv: _Covers,
  n: number,
  a0: number,
  a1: number,
  a2: number,
  a3: number,
  b0: number,
  b1: number,
  b2: number,
  b3: number,
  state: number,
): void {
  const t = cv.delta;
  const o = n * 9;
  t[o] = a0;
  t[o + 1] = a1;
  t[o + 2] = a2;
  t[o + 3] = a3;
  t[o + 4] = b0;
  t[o + 5] = b1;
  t[o + 6] = b2;
  t[o + 7] = b3;
  t[o + 8] = state;
  cv.nDelta = n + 1;
}

/**
 * What the delta says of sign-flipped x: 1 covered, 0 not, -1 ask the
 * cover, 2 nothing (`flat6` decides).
 */
function _inDelta(cv: _Covers, x0: number, x1: number, x2: number, x3: number): number {
  if (x0 < cv.min0 || x0 > cv.max0) return 2;
  const t = cv.delta, lo0 = cv.lo0, hi0 = cv.hi0;
  for (let k = cv.nDelta - 1; k >= 0; k--) {
    if (x0 < lo0[k] || x0 > hi0[k]) continue;
    const o = k * 9;
    if (_le4(t, o, x0, x1, x2, x3) && _ge4(t, o + 4, x0, x1, x2, x3)) return t[o + 8];
  }
  return 2;
}

/**
 * Whether a block (of the alignment `g6` names, or coarser) lies in the IPv6
 * cover, for a flat index with changes in its delta: the delta's newest
 * entry holding the block decides (its intervals are aligned as the block
 * is, so its first key decides), else the flat index.
 */
class _Delta6 {
  cv: _Covers;
  constructor(cv: _Covers) {
    this.cv = cv;
  }
  /**
   * @param h0 Bits 0-31 of the block's keys.
   * @param h1 Bits 32-63.
   * @returns `true` if the block is covered.
   */
  region(h0: number, h1: number): boolean {
    const cv = this.cv;
    const y0 = h0 ^ _FLIP, y1 = h1 ^ _FLIP, y2 = _FLIP | 0;
    const d = _inDelta(cv, y0, y1, y2, y2);
    if (d !== 2) return d === 1 || (d === -1 && cv.c6.has4(y0, y1, y2, y2));
    return cv.flat6!.region(h0, h1);
  }
}

/** Sets the alignment of c6 and the groups the staged check reads. */
function _setTz6(cv: _Covers, tz: number): void {
  cv.tz6 = tz;
  const bits = 128 - tz;
  cv.g6 = bits > 64 ? 0 : bits <= 16 ? 1 : (bits + 15) >>> 4;
}

/** Adds `d` × [lo, hi] (uint32, inclusive) to the IPv4 cover. */
function _update4(c: _Cover, lo: number, hi: number, d: number): void {
  _k4a[0] = lo ^ _FLIP;
  if (hi === _MAX) {
    c.update(_k4a, null, d);
    return;
  }
  _k4e[0] = (hi + 1) ^ _FLIP;
  c.update(_k4a, _k4e, d);
}

/** Adds `d` × [a, b] (128-bit, inclusive) to the IPv6 cover. */
function _update6(
  cv: _Covers,
  a0: number,
  a1: number,
  a2: number,
  a3: number,
  b0: number,
  b1: number,
  b2: number,
  b3: number,
  d: number,
): void {
  const c = cv.c6;
  cv.touched |= 2;
  _k6a[0] = a0 ^ _FLIP;
  _k6a[1] = a1 ^ _FLIP;
  _k6a[2] = a2 ^ _FLIP;
  _k6a[3] = a3 ^ _FLIP;
  // Both ends of the interval may be boundaries now (or, once it goes, again).
  let tz = _tz4(_k6a, 0);
  // The exclusive end b + 1, absent when b is the last address.
  let e0 = b0, e1 = b1, e2 = b2, e3 = b3 + 1;
  if (e3 > _MAX) {
    e3 = 0;
    e2++;
    if (e2 > _MAX) {
      e2 = 0;
      e1++;
      if (e1 > _MAX) {
        e1 = 0;
        e0++;
        if (e0 > _MAX) {
          if (tz < cv.tz6) _setTz6(cv, tz);
          c.update(_k6a, null, d);
          _logDelta(cv, b0 ^ _FLIP, b1 ^ _FLIP, b2 ^ _FLIP, b3 ^ _FLIP);
          return;
        }
      }
    }
  }
  _k6e[0] = e0 ^ _FLIP;
  _k6e[1] = e1 ^ _FLIP;
  _k6e[2] = e2 ^ _FLIP;
  _k6e[3] = e3 ^ _FLIP;
  const te = _tz4(_k6e, 0);
  if (te < tz) tz = te;
  if (tz < cv.tz6) _setTz6(cv, tz);
  c.update(_k6a, _k6e, d);
  _logDelta(cv, b0 ^ _FLIP, b1 ^ _FLIP, b2 ^ _FLIP, b3 ^ _FLIP);
}

/**
 * Adds `d` × [a, b] (128-bit) for IPv6 input and, when `v4`, its part inside
 * ::ffff:0:0/96 for IPv4 input. An interval wholly inside the mapped space
 * that IPv4 input also matches goes to the IPv4 cover only: IPv4-mapped IPv6
 * input consults both covers.
 */
function _apply(
  cv: _Covers,
  a0: number,
  a1: number,
  a2: number,
  a3: number,
  b0: number,
  b1: number,
  b2: number,
  b3: number,
  v4: boolean,
  d: number,
): void {
  if (_cmp(a0, a1, a2, a3, b0, b1, b2, b3) > 0) return;
  if (!(v4 && _isMapped(a0, a1, a2) && _isMapped(b0, b1, b2))) {
    _update6(cv, a0, a1, a2, a3, b0, b1, b2, b3, d);
  }
  if (!v4) return;
  // Clip to ::ffff:0:0/96 and keep the low 32 bits.
  const lo = _cmp(a0, a1, a2, a3, 0, 0, 0xffff, 0) < 0 ? 0 : (_isMapped(a0, a1, a2) ? a3 : -1);
  const hi = _cmp(b0, b1, b2, b3, 0, 0, 0xffff, _MAX) > 0
    ? _MAX
    : (_isMapped(b0, b1, b2) ? b3 : -1);
  if (lo === -1 || hi === -1 || lo > hi) return;
  cv.touched |= 1;
  if (d > 0) _mark4(cv, lo, hi);
  else cv.stale4++;
  _update4(cv.c4, lo, hi, d);
}

/** Sets the bits of `cv.occ4` for the /16 blocks of the IPv4 values lo..hi (unsigned). */
function _mark4(cv: _Covers, lo: number, hi: number): void {
  const occ = cv.occ4 ??= new Int32Array(2048);
  for (let b = lo >>> 16, e = hi >>> 16; b <= e; b++) occ[b >>> 5] |= 1 << (b & 31);
}

/** Adds `d` × the addresses of a subnet (IPv4 prefixes count from bit 96). */
function _applySubnet(cv: _Covers, a: _Addr, prefix: number, d: number): void {
  const p = a.fam === 4 ? prefix + 96 : prefix;
  const m0 = _maskWord(p, 0), m1 = _maskWord(p, 1), m2 = _maskWord(p, 2), m3 = _maskWord(p, 3);
  _apply(
    cv,
    (a.w0 & m0) >>> 0,
    (a.w1 & m1) >>> 0,
    (a.w2 & m2) >>> 0,
    (a.w3 & m3) >>> 0,
    (a.w0 | ~m0) >>> 0,
    (a.w1 | ~m1) >>> 0,
    (a.w2 | ~m2) >>> 0,
    (a.w3 | ~m3) >>> 0,
    true,
    d,
  );
}

/**
 * Adds `d` × a range. It matches IPv6 input between its ends, restricted to
 * mapped addresses when an end is IPv4 (Node cannot order other IPv6 against
 * it), and IPv4 input only when both ends are IPv4 or IPv4-mapped.
 */
function _applyRange(cv: _Covers, s: _Addr, e: _Addr, d: number): void {
  let a0 = s.w0, a1 = s.w1, a2 = s.w2, a3 = s.w3;
  let b0 = e.w0, b1 = e.w1, b2 = e.w2, b3 = e.w3;
  if (s.fam === 4 || e.fam === 4) {
    if (_cmp(a0, a1, a2, a3, 0, 0, 0xffff, 0) < 0) [a0, a1, a2, a3] = [0, 0, 0xffff, 0];
    if (_cmp(b0, b1, b2, b3, 0, 0, 0xffff, _MAX) > 0) [b0, b1, b2, b3] = [0, 0, 0xffff, _MAX];
  }
  const v4 = _v4Comparable(s.fam, s.w0, s.w1, s.w2) && _v4Comparable(e.fam, e.w0, e.w1, e.w2);
  _apply(cv, a0, a1, a2, a3, b0, b1, b2, b3, v4, d);
}

/** Node's CIDR split: the text after the last `/` must print back as the same integer. */
function _splitCIDR(cidr: unknown): [string, number] {
  validateString(cidr, "cidr");
  const slash = cidr.lastIndexOf("/");
  if (slash === -1) {
    throw errInvalidArgValue("cidr", cidr, 'must contain a prefix length (e.g. "10.0.0.0/8")');
  }
  const text = cidr.slice(slash + 1);
  const prefix = Number.parseInt(text, 10);
  if (Number.isNaN(prefix) || String(prefix) !== text) {
    throw errInvalidArgValue("cidr", cidr, "prefix length must be a valid integer");
  }
  return [cidr.slice(0, slash), prefix];
}

/**
 * The IPv4 fast path of `addCIDR`/`removeCIDR`: for `a.b.c.d/p` with `p`
 * 0-32 written as `_splitCIDR` accepts it (no sign, no leading zero), parses
 * the address where it stands into `_A` and returns `p`; -1 leaves the text
 * to the general path (which then makes the same call, or throws).
 */
function _cidr4(cidr: unknown): number {
  if (typeof cidr !== "string") return -1;
  const slash = cidr.lastIndexOf("/");
  const digits = cidr.length - slash - 1;
  if (slash === -1 || digits < 1 || digits > 2) return -1;
  let prefix = cidr.charCodeAt(slash + 1) - 0x30;
  if (prefix < 0 || prefix > 9) return -1;
  if (digits === 2) {
    const d = cidr.charCodeAt(slash + 2) - 0x30;
    if (prefix === 0 || d < 0 || d > 9) return -1;
    prefix = prefix * 10 + d;
  }
  if (prefix > 32) return -1;
  const v = _parseIPv4Span(cidr, 0, slash);
  if (v === -1) return -1;
  _fromV4(v, _A);
  return prefix;
}

/**
 * The IPv6 fast path of `addCIDR`/`removeCIDR`: for plain hex-and-colon text
 * `addr/p` with `p` 0-128 written as `_splitCIDR` accepts it, parses the
 * address into `_A` and returns `p`; -1 leaves the text to the general path.
 */
function _cidr6(cidr: unknown): number {
  if (typeof cidr !== "string") return -1;
  const slash = cidr.lastIndexOf("/");
  const digits = cidr.length - slash - 1;
  if (slash === -1 || digits < 1 || digits > 3) return -1;
  let prefix = 0;
  for (let i = slash + 1; i < cidr.length; i++) {
    const d = cidr.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9 || (d === 0 && i === slash + 1 && digits > 1)) return -1;
    prefix = prefix * 10 + d;
  }
  if (prefix > 128 || _parseIPv6Fast(cidr, _quad, slash) !== 1) return -1;
  _fromQuad(_quad, _A);
  return prefix;
}

function _cidrFamily(address: string): "ipv4" | "ipv6" {
  return address.includes(":") ? "ipv6" : "ipv4";
}

// What `fromJSON` recognises in an entry, tried in this order (IPv4 kinds
// first); the first match anywhere in the entry wins, unmatched entries are
// skipped and a matched but invalid address throws, as in Node 26.
const _V4 = String.raw`(\d{1,3}(?:\.\d{1,3}){3})`;
const _V6 = "([0-9a-fA-F:.]+)";
const _JSON_RULES: readonly [RegExp, number, "ipv4" | "ipv6"][] = [
  [new RegExp(`Subnet: IPv4 ${_V4}/(\\d{1,3})`), _KIND_SUBNET, "ipv4"],
  [new RegExp(`Address: IPv4 ${_V4}`), _KIND_ADDRESS, "ipv4"],
  [new RegExp(`Range: IPv4 ${_V4}-${_V4}`), _KIND_RANGE, "ipv4"],
  [new RegExp(`Subnet: IPv6 ${_V6}/(\\d{1,3})`), _KIND_SUBNET, "ipv6"],
  [new RegExp(`Address: IPv6 ${_V6}`), _KIND_ADDRESS, "ipv6"],
  [new RegExp(`Range: IPv6 ${_V6}-${_V6}`), _KIND_RANGE, "ipv6"],
];

const _PRIVATE_RANGES: readonly string[] = Object.freeze([
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "127.0.0.0/8",
  "::1/128",
  "169.254.0.0/16",
  "fe80::/10",
  "fc00::/7",
]);

/**
 * Rules blocking IP addresses, ranges and subnets, checked in O(log n).
 * The same API and matching as Node 26's `net.BlockList`, on every runtime.
 * @example
 * ```ts
 * const blockList = new BlockList();
 * blockList.addAddress("123.123.123.123");
 * blockList.addRange("10.0.0.1", "10.0.0.10");
 * blockList.addSubnet("8592:757c:efae:4e45::", 64, "ipv6");
 * blockList.check("10.0.0.3"); // true
 * blockList.check("::ffff:7b7b:7b7b", "ipv6"); // true
 * blockList.rules; // ["Address: IPv4 123.123.123.123", "Subnet: IPv6 8592:757c:efae:4e45::/64", ...]
 * ```
 */
export class BlockList {
  // Addresses are found by hashing; subnets and ranges, as intervals, in the covers.
  #addresses = new _Rows(4, _M_WIDE, false);
  #subnets = new _Rows(4, _M_PREFIX | _M_FAM6 | _M_WIDE, true);
  #ranges = new _Rows(8, _M_FAM6 | _M_EFAM6 | _M_WIDE, true);
  #cv: _Covers = _newCovers();
  // Once the list has been checked without change for long enough to pay for
  // it, checks use flat merged indexes: for IPv4 input (the IPv4 address rows
  // and the IPv4 cover; any change of those drops it) and for IPv6 input (the
  // IPv6 cover: `#cv.flat6`, which keeps changes in its delta until that is
  // full). IPv6 address rules (hashed) are in neither.
  #flat4: _Flat4 | null = null;
  // Checks of each family since its flat index went, and how many pay for
  // building it: about two per rule.
  #quiet4 = 0;
  #limit4 = 1024;
  #quiet6 = 0;
  #limit6 = 1024;
  // Changes of the IPv6 cover while it has no flat index, counting a run of
  // changes with no check between them once (a bulk load is one), and the
  // check count at the last one.
  #changes6 = 0;
  #quietAt6 = 0;
  // Live IPv6 address rules (wide rows) again, as a set of their values for
  // check(), which also knows when none lies in a 64-bit block.
  #wide = new _WideSet();
  // What the staged IPv6 check asks about a block while `#cv.flat6` has a delta.
  #d6: _Delta6 | null = null;

  /**
   * A frozen list of CIDRs for private, loopback, link-local and unique-local
   * ranges, for {@link BlockList.addCIDRs}.
   * @example
   * ```ts
   * const blockList = new BlockList();
   * blockList.addCIDRs(BlockList.PRIVATE_RANGES);
   * blockList.check("192.168.1.1"); // true
   * ```
   */
  static PRIVATE_RANGES: readonly string[] = _PRIVATE_RANGES;

  /**
   * Tells whether `value` is a `BlockList`: one of this class, or one of
   * the runtime's own `node:net` (which omninet's `blockList` options take
   * too, as Node's take its own).
   * @param value Anything.
   * @returns `true` for a `BlockList`.
   * @example
   * ```ts
   * BlockList.isBlockList(new BlockList()); // true
   * BlockList.isBlockList({}); // false
   * ```
   */
  static isBlockList(value: unknown): value is BlockList {
    if (typeof value !== "object" || value === null) return false;
    return #addresses in value || _isRuntimeList(value);
  }

  /**
   * Blocks one address. Adding an address already present (also as its
   * IPv4-mapped twin) keeps one rule, shown as last added.
   * @param address An IPv4 or IPv6 address, or a `SocketAddress`.
   * @param type `'ipv4'` (default) or `'ipv6'`; ignored for a `SocketAddress`.
   * @throws `ERR_INVALID_ARG_TYPE`, `ERR_INVALID_ARG_VALUE` (type) or `ERR_INVALID_ADDRESS`.
   * @example
   * ```ts
   * new BlockList().addAddress("::1", "ipv6");
   * ```
   */
  addAddress(address: string | AnySocketAddress, type: BlockListFamily = "ipv4"): void {
    this.#putAddress(_toAddr(address, "address", type, _A));
  }

  /**
   * Blocks several addresses at once; if any is invalid, none is added.
   * @param addresses Strings or `SocketAddress`es.
   * @param type `'ipv4'` (default) or `'ipv6'` for the strings.
   * @throws `ERR_INVALID_ARG_TYPE`, `ERR_INVALID_ARG_VALUE` or `ERR_INVALID_ADDRESS`.
   * @example
   * ```ts
   * new BlockList().addAddresses(["1.1.1.1", "8.8.8.8"]);
   * ```
   */
  addAddresses(
    addresses: readonly (string | AnySocketAddress)[],
    type: BlockListFamily = "ipv4",
  ): void {
    if (!Array.isArray(addresses)) {
      throw errInvalidArgType("addresses", "an instance of Array", addresses);
    }
    validateString(type, "family");
    const parsed: _Addr[] = [];
    for (let i = 0; i < addresses.length; i++) {
      parsed.push(_toAddr(addresses[i], `addresses[${i}]`, type));
    }
    for (const a of parsed) this.#putAddress(a);
  }

  /**
   * Blocks the addresses from `start` to `end`, both included.
   * @param start First address (string or `SocketAddress`).
   * @param end Last address (string or `SocketAddress`).
   * @param type `'ipv4'` (default) or `'ipv6'` for string ends.
   * @throws `ERR_INVALID_ARG_TYPE`, `ERR_INVALID_ADDRESS`, or `ERR_INVALID_ARG_VALUE` when `start` is after `end`.
   * @example
   * ```ts
   * new BlockList().addRange("10.0.0.1", "10.0.0.10");
   * ```
   */
  addRange(
    start: string | AnySocketAddress,
    end: string | AnySocketAddress,
    type: BlockListFamily = "ipv4",
  ): void {
    _rangeEnds(start, end, type);
    this.#addRangeAddrs(_A, _B);
  }

  /** Adds the range rule of two parsed ends in order. */
  #addRangeAddrs(s: _Addr, e: _Addr): void {
    _stage(this.#ranges, _rangeBits(s, e), s, e, false);
    this.#ranges.commit();
    _applyRange(this.#cv, s, e, 1);
    this.#changed(this.#cv.touched);
  }

  /**
   * Blocks a subnet: `net` with `prefix` leading bits.
   * @param net The network address (string or `SocketAddress`).
   * @param prefix 0-32 for IPv4, 0-128 for IPv6.
   * @param type `'ipv4'` (default) or `'ipv6'` for a string `net`.
   * @throws `ERR_INVALID_ARG_TYPE`, `ERR_INVALID_ADDRESS` or `ERR_OUT_OF_RANGE` (prefix).
   * @example
   * ```ts
   * new BlockList().addSubnet("192.168.0.0", 16);
   * ```
   */
  addSubnet(net: string | AnySocketAddress, prefix: number, type: BlockListFamily = "ipv4"): void {
    this.#addSubnetAddr(_subnetNet(net, prefix, type), prefix as number);
  }

  /** Adds the subnet rule of a parsed network and a validated prefix. */
  #addSubnetAddr(a: _Addr, prefix: number): void {
    _stage(this.#subnets, _subnetBits(a, prefix), a, null, a.fam === 4);
    this.#subnets.commit();
    _applySubnet(this.#cv, a, prefix, 1);
    this.#changed(this.#cv.touched);
  }

  /**
   * Blocks a subnet written in CIDR notation; the family follows the address
   * (IPv6 if it contains `:`).
   * @param cidr For example `'10.0.0.0/8'` or `'2001:db8::/32'`.
   * @throws `ERR_INVALID_ARG_TYPE`, `ERR_INVALID_ARG_VALUE`, `ERR_INVALID_ADDRESS` or `ERR_OUT_OF_RANGE`.
   * @example
   * ```ts
   * new BlockList().addCIDR("2001:db8::/32");
   * ```
   */
  addCIDR(cidr: string): void {
    const p = _cidr4(cidr);
    if (p !== -1) {
      this.#addSubnetAddr(_A, p);
      return;
    }
    const p6 = _cidr6(cidr);
    if (p6 !== -1) {
      this.#addSubnetAddr(_A, p6);
      return;
    }
    const [address, prefix] = _splitCIDR(cidr);
    this.addSubnet(address, prefix, _cidrFamily(address));
  }

  /**
   * Blocks several CIDR subnets, in order. Malformed text in any entry adds
   * nothing; an invalid address or prefix stops at that entry, as in Node.
   * @param cidrs CIDR strings.
   * @throws As {@link BlockList.addCIDR}, with `cidrs[i]` naming a non-string entry.
   * @example
   * ```ts
   * new BlockList().addCIDRs(BlockList.PRIVATE_RANGES);
   * ```
   */
  addCIDRs(cidrs: readonly string[]): void {
    if (!Array.isArray(cidrs)) throw errInvalidArgType("cidrs", "an instance of Array", cidrs);
    for (let i = 0; i < cidrs.length; i++) validateString(cidrs[i], `cidrs[${i}]`);
    const split = cidrs.map(_splitCIDR);
    for (const [address, prefix] of split) this.addSubnet(address, prefix, _cidrFamily(address));
  }

  /**
   * Removes an address rule (either IPv4 or its IPv4-mapped twin); no-op if absent.
   * @param address String or `SocketAddress`.
   * @param type `'ipv4'` (default) or `'ipv6'`.
   * @throws As {@link BlockList.addAddress}.
   * @example
   * ```ts
   * const b = new BlockList();
   * b.addAddress("1.1.1.1");
   * b.removeAddress("1.1.1.1"); // b.size === 0
   * ```
   */
  removeAddress(address: string | AnySocketAddress, type: BlockListFamily = "ipv4"): void {
    const a = this.#stageAddress(_toAddr(address, "address", type, _A));
    if (this.#addresses.removeStaged()) this.#addressChanged(a, -1);
  }

  /**
   * Removes the newest range rule with exactly these ends; no-op if absent.
   * @param start First address.
   * @param end Last address.
   * @param type `'ipv4'` (default) or `'ipv6'`.
   * @throws As {@link BlockList.addRange}, except that reversed ends simply match nothing.
   * @example
   * ```ts
   * const b = new BlockList();
   * b.addRange("10.0.0.1", "10.0.0.9");
   * b.removeRange("10.0.0.1", "10.0.0.9");
   * ```
   */
  removeRange(
    start: string | AnySocketAddress,
    end: string | AnySocketAddress,
    type: BlockListFamily = "ipv4",
  ): void {
    const s = _toAddr(start, "start", type, _A);
    const e = _toAddr(end, "end", type, _B);
    _stage(this.#ranges, _rangeBits(s, e), s, e, false);
    if (this.#ranges.removeStaged()) {
      _applyRange(this.#cv, s, e, -1);
      this.#changed(this.#cv.touched);
    }
  }

  /**
   * Removes the newest subnet rule with this exact network text value and prefix; no-op if absent.
   * @param net Network address.
   * @param prefix Prefix length.
   * @param type `'ipv4'` (default) or `'ipv6'`.
   * @throws As {@link BlockList.addSubnet}.
   * @example
   * ```ts
   * const b = new BlockList();
   * b.addSubnet("10.0.0.0", 8);
   * b.removeSubnet("10.0.0.0", 8);
   * ```
   */
  removeSubnet(
    net: string | AnySocketAddress,
    prefix: number,
    type: BlockListFamily = "ipv4",
  ): void {
    this.#removeSubnetAddr(_subnetNet(net, prefix, type), prefix as number);
  }

  /** Removes the subnet rule of a parsed network and a validated prefix, if present. */
  #removeSubnetAddr(a: _Addr, prefix: number): void {
    _stage(this.#subnets, _subnetBits(a, prefix), a, null, a.fam === 4);
    if (this.#subnets.removeStaged()) {
      _applySubnet(this.#cv, a, prefix, -1);
      this.#changed(this.#cv.touched);
    }
  }

  /**
   * Removes a subnet rule given in CIDR notation; no-op if absent.
   * @param cidr For example `'10.0.0.0/8'`.
   * @throws As {@link BlockList.addCIDR}.
   * @example
   * ```ts
   * const b = new BlockList();
   * b.addCIDR("10.0.0.0/8");
   * b.removeCIDR("10.0.0.0/8");
   * ```
   */
  removeCIDR(cidr: string): void {
    const p = _cidr4(cidr);
    if (p !== -1) {
      this.#removeSubnetAddr(_A, p);
      return;
    }
    const p6 = _cidr6(cidr);
    if (p6 !== -1) {
      this.#removeSubnetAddr(_A, p6);
      return;
    }
    const [address, prefix] = _splitCIDR(cidr);
    this.removeSubnet(address, prefix, _cidrFamily(address));
  }

  /**
   * Removes every rule.
   * @example
   * ```ts
   * const b = new BlockList();
   * b.addAddress("1.1.1.1");
   * b.clear(); // b.size === 0
   * ```
   */
  clear(): void {
    this.#addresses.clear();
    this.#subnets.clear();
    this.#ranges.clear();
    this.#cv = _newCovers();
    this.#wide.clear();
    this.#quiet6 = 0;
    this.#changes6 = 0;
    this.#quietAt6 = 0;
    this.#changed(1);
  }

  /**
   * Tells whether `address` matches a rule. Invalid addresses (or an unknown
   * `type`) give `false`. IPv4 rules match IPv4-mapped IPv6 input and IPv6
   * rules covering `::ffff:0:0/96` match IPv4 input; zone IDs are ignored.
   * @param address String or `SocketAddress`.
   * @param type `'ipv4'` (default) or `'ipv6'`; ignored for a `SocketAddress`.
   * @returns `true` if blocked.
   * @throws `ERR_INVALID_ARG_TYPE` if `address` or `type` is not a string.
   * @example
   * ```ts
   * const b = new BlockList();
   * b.addSubnet("10.0.0.0", 8);
   * b.check("10.1.2.3"); // true
   * b.check("::ffff:10.1.2.3", "ipv6"); // true
   * ```
   */
  check(address: string | AnySocketAddress, type: BlockListFamily = "ipv4"): boolean {
    if (typeof address === "string") {
      if (type === "ipv4") return this.#check4(parseIPv4(address));
      if (type === "ipv6") return this.#check6String(address);
      validateString(type, "family");
      // As Node's: any family other than IPv4 (in any case) is IPv6.
      if (_isIPv4Name(type)) return this.#check4(parseIPv4(address));
      return this.#check6String(address);
    }
    if (SocketAddress.isSocketAddress(address)) {
      const p = _socketAddressValue(address);
      return p.family === 4 ? this.#check4(p.v4) : this.#check6Words(p.words!);
    }
    throw errInvalidArgType("address", "of type string", address);
  }

  /** The number of rules, without building the `rules` array. */
  get size(): number {
    return this.#addresses.live + this.#subnets.live + this.#ranges.live;
  }

  /**
   * The rules as Node prints them (`Address: IPv4 1.2.3.4`,
   * `Range: IPv4 a-b`, `Subnet: IPv6 2001:db8::/32`): addresses, then
   * subnets, then ranges, newest first within each kind, as Node 26 lists them.
   */
  get rules(): string[] {
    const out = new _RuleWriter(this.size);
    out.ascii("[");
    _rowTexts(out, this.#addresses, _KIND_ADDRESS);
    _rowTexts(out, this.#subnets, _KIND_SUBNET);
    _rowTexts(out, this.#ranges, _KIND_RANGE);
    if (out.n > 1) out.n--; // the last comma
    out.ascii("]");
    return out.parse();
  }

  /**
   * The rules, for `JSON.stringify`.
   * @returns Same as {@link BlockList.rules}.
   * @example
   * ```ts
   * JSON.stringify(new BlockList()); // "[]"
   * ```
   */
  toJSON(): string[] {
    return this.rules;
  }

  /**
   * Adds the rules in `data` (rule strings as `rules` prints them, or their
   * JSON text), in order. Unrecognised entries are skipped; a recognised
   * entry with an invalid address or prefix throws, keeping earlier ones.
   * @param data A `string[]` or a JSON string of one.
   * @throws `ERR_INVALID_ARG_TYPE` for other data; `SyntaxError` for bad JSON.
   * @example
   * ```ts
   * const copy = new BlockList();
   * copy.fromJSON(["Address: IPv4 1.2.3.4", "Subnet: IPv6 2001:db8::/32"]);
   * ```
   */
  fromJSON(data: string | readonly string[]): void {
    const list: unknown = typeof data === "string" ? JSON.parse(data) : data;
    if (!Array.isArray(list) || !list.every((x) => typeof x === "string")) {
      throw errInvalidArgType("data", "of type string or string[]", list);
    }
    for (const entry of list as string[]) this.#applyJSON(entry);
  }

  #applyJSON(entry: string): void {
    if (this.#applyPrinted(entry)) return;
    for (const [re, kind, family] of _JSON_RULES) {
      const m = re.exec(entry);
      if (m === null) continue;
      if (kind === _KIND_ADDRESS) this.addAddress(m[1], family);
      else if (kind === _KIND_SUBNET) this.addSubnet(m[1], Number.parseInt(m[2], 10), family);
      else this.addRange(m[1], m[2], family);
      return;
    }
  }

  /**
   * Adds `entry` if it is exactly a rule as `rules` prints it, without the
   * regular expressions; `false` (nothing done) otherwise. On such an entry
   * the expressions would make the very same call: no earlier one can match,
   * and the one that does captures exactly the parts split here.
   */
  #applyPrinted(entry: string): boolean {
    let kind = _KIND_RANGE, at = 10;
    if (entry.startsWith("Address: IPv")) kind = _KIND_ADDRESS, at = 12;
    else if (entry.startsWith("Subnet: IPv")) kind = _KIND_SUBNET, at = 11;
    else if (!entry.startsWith("Range: IPv")) return false;
    const f = entry.charCodeAt(at);
    if ((f !== 0x34 && f !== 0x36) || entry.charCodeAt(at + 1) !== 0x20) return false;
    const v6 = f === 0x36;
    if (!v6 && this.#applyPrinted4(entry, kind, at + 2)) return true;
    const family = v6 ? "ipv6" : "ipv4";
    const rest = entry.slice(at + 2);
    if (kind === _KIND_ADDRESS) {
      if (!_printed(rest, v6)) return false;
      this.addAddress(rest, family);
    } else if (kind === _KIND_SUBNET) {
      const slash = rest.indexOf("/");
      const net = rest.slice(0, slash);
      const bits = rest.slice(slash + 1);
      if (slash === -1 || !_printed(net, v6) || !_PREFIX_TEXT.test(bits)) return false;
      this.addSubnet(net, Number.parseInt(bits, 10), family);
    } else {
      const dash = rest.indexOf("-");
      const start = rest.slice(0, dash);
      const end = rest.slice(dash + 1);
      if (dash === -1 || !_printed(start, v6) || !_printed(end, v6)) return false;
      this.addRange(start, end, family);
    }
    return true;
  }

  /**
   * The IPv4 entries of {@link BlockList.#applyPrinted}, parsed where they
   * stand (no slices, no address objects): `true` when added, `false` to
   * leave the entry to the general path, which then makes the same decision
   * (and throws the same error for reversed range ends).
   */
  #applyPrinted4(entry: string, kind: number, from: number): boolean {
    const len = entry.length;
    if (kind === _KIND_ADDRESS) {
      const v = _parseIPv4Span(entry, from, len);
      if (v === -1) return false;
      this.#putAddress(_fromV4(v, _A));
      return true;
    }
    if (kind === _KIND_SUBNET) {
      const slash = entry.indexOf("/", from);
      if (slash === -1 || len - slash < 2 || len - slash > 4) return false;
      const v = _parseIPv4Span(entry, from, slash);
      if (v === -1) return false;
      let prefix = 0;
      for (let i = slash + 1; i < len; i++) {
        const d = entry.charCodeAt(i) - 0x30;
        if (d < 0 || d > 9) return false;
        prefix = prefix * 10 + d;
      }
      validateInt32(prefix, "prefix", 0, 32);
      this.#addSubnetAddr(_fromV4(v, _A), prefix);
      return true;
    }
    const dash = entry.indexOf("-", from);
    if (dash === -1) return false;
    const s = _parseIPv4Span(entry, from, dash);
    const e = _parseIPv4Span(entry, dash + 1, len);
    if (s === -1 || e === -1 || s > e) return false;
    this.#addRangeAddrs(_fromV4(s, _A), _fromV4(e, _B));
    return true;
  }

  /** Stages the address row for `a`: narrow when IPv4 or IPv4-mapped (one rule for both). */
  #stageAddress(a: _Addr): _Addr {
    const mapped = _isMapped(a.w0, a.w1, a.w2);
    const fam6 = a.fam === 6 ? _M_FAM6 : 0;
    // Zone IDs play no part in address rules.
    _stage(this.#addresses, fam6, a, null, mapped, "");
    return a;
  }

  /** Adds `a`, or, if present, shows it in the family given last (keeping its place). */
  #putAddress(a: _Addr): void {
    const rows = this.#addresses;
    this.#stageAddress(a);
    const r = rows.findStaged();
    if (r === -1) {
      rows.commit();
      this.#addressChanged(a, 1);
      return;
    }
    rows.m[r] = (rows.m[r] & ~_M_FAM6) | (a.fam === 6 ? _M_FAM6 : 0);
    rows.unstage();
  }

  /**
   * An address rule for `a` came (`d` = 1) or went (-1): an IPv4 or
   * IPv4-mapped one changes the IPv4 index, an IPv6 one only the count of
   * IPv6 addresses by their first 64 bits.
   */
  #addressChanged(a: _Addr, d: number): void {
    if (_isMapped(a.w0, a.w1, a.w2)) {
      if (d > 0) _mark4(this.#cv, a.w3, a.w3);
      else this.#cv.stale4++;
      this.#changed(1);
      return;
    }
    if (d > 0) this.#wide.add(a.w0 | 0, a.w1 | 0, a.w2 | 0, a.w3 | 0);
    else this.#wide.remove(a.w0 | 0, a.w1 | 0, a.w2 | 0, a.w3 | 0);
  }

  /**
   * Drops the flat indexes built from what changed (1: IPv4 rows or cover,
   * 2: IPv6 cover) and restarts their count of quiet checks.
   */
  #changed(what: number): void {
    const cv = this.#cv;
    cv.touched = 0;
    const limit = 2 * this.size + 1024;
    if ((what & 1) !== 0) {
      this.#flat4 = null;
      this.#quiet4 = 0;
      this.#limit4 = limit;
      // As many removals as there are rules: the map of /16 blocks is made exact (O(rules)).
      if (cv.stale4 > 1024 && cv.stale4 > this.size) this.#exactOcc4(cv);
    }
    // The flat IPv6 index stays while its delta holds the changes. Once
    // dropped, checks count from then on, not from the last change, and it
    // is built again when they pay for it and changes are rare enough for
    // the delta to keep it a while (see #settle6).
    if ((what & 2) === 0) return;
    // The flat IPv6 index holds the IPv6 cover only: its size is what the
    // checks must pay for (IPv4 and IPv6 address rules are not in it).
    const limit6 = cv.c6.size + 1024;
    if (cv.flat6 === null) {
      // A list still growing waits for checks enough to pay for its size.
      if (limit6 > this.#limit6) this.#limit6 = limit6;
      if (this.#quiet6 !== this.#quietAt6) {
        this.#changes6++;
        this.#quietAt6 = this.#quiet6;
      }
    } else if (cv.over) {
      cv.flat6 = null;
      this.#quiet6 = 0;
      this.#quietAt6 = 0;
      this.#changes6 = 1;
      this.#limit6 = limit6;
    }
  }

  /**
   * IPv4 lookups of `check()` (`v4` unsigned): none where the address's /16
   * block holds no rule, else the flat index once built, else the live
   * structures.
   */
  #has4(v4: number): boolean {
    let flat = this.#flat4;
    // Every check counts towards the flat index, as before the block map.
    if (flat === null && ++this.#quiet4 > this.#limit4) {
      this.#flat4 = flat = _Flat4.build(this.#addresses, this.#cv.c4);
    }
    const cv = this.#cv;
    const occ = cv.occ4;
    if (occ === null || (occ[v4 >>> 21] & (1 << ((v4 >>> 16) & 31))) === 0) return false;
    if (flat !== null) return flat.has(v4 ^ _FLIP);
    const a = this.#addresses;
    return (a.n !== a.nWide && a.hasNarrow(v4)) || cv.c4.has1(v4 ^ _FLIP);
  }

  /** Makes `cv.occ4` exact for the rules the list holds now (see `_Covers.occ4`). */
  #exactOcc4(cv: _Covers): void {
    cv.stale4 = 0;
    const occ = cv.occ4;
    if (occ === null) return;
    occ.fill(0);
    const a = this.#addresses;
    for (let r = 0; r < a.n; r++) {
      const m = a.m[r];
      if ((m & _M_LIVE) !== 0 && (m & _M_WIDE) === 0) _mark4(cv, a.v[r], a.v[r]);
    }
    cv.c4.eachRun1((start, last) => _mark4(cv, (start ^ _FLIP) >>> 0, (last ^ _FLIP) >>> 0));
  }

  #check4(v4: number): boolean {
    return v4 !== -1 && this.#has4(v4);
  }

  #check6String(text: string): boolean {
    // Staged: the first g groups name a block of the address space that is
    // wholly blocked or wholly free (IPv4-mapped input aside). Free: `false`,
    // whatever follows (an invalid text gives `false` too). Blocked: whether
    // the rest makes a valid address. Anything else takes the full parse.
    // The settled list without IPv6 address rules (flat index, empty delta)
    // takes this short path, small enough for the engines to inline whole.
    const cv = this.#cv;
    const flat = cv.flat6, g = cv.g6;
    if (flat !== null && g !== 0) {
      if (this.#wide.size === 0) {
        const r = _stage6(text, g, cv.nDelta === 0 ? flat : this.#delta6(cv));
        return r === -1 ? this.#check6Full(text) : r === 1;
      }
      return this.#check6Wide(text, cv, g);
    }
    return this.#check6Staged(text);
  }

  /**
   * `#check6String` on a settled list with IPv6 address rules: the staged
   * check reads 64 bits, and in a free block the count of those rules by
   * their first 64 bits says whether the rest must be read with its value.
   */
  #check6Wide(text: string, cv: _Covers, g: number): boolean {
    const flat = cv.flat6!;
    const r = _stage6(text, g < 4 ? 4 : g, cv.nDelta === 0 ? flat : this.#delta6(cv));
    if (r === 1) return true;
    if (r === 0) {
      const h0 = _HEAD[0], h1 = _HEAD[1], gap = _HEAD[2];
      if (!this.#wide.mayHold(h0, h1)) return false;
      // Outside the cover, only an IPv6 address rule can match: the rest of the
      // text, read once, gives the low 64 bits (not IPv4-mapped: h0, h1 are not 0).
      if (_low6(text, _HEAD[3], 4 - gap, gap !== 0)) {
        return this.#wide.has(h0, h1, _LOW[0], _LOW[1]);
      }
    }
    return this.#check6Full(text);
  }

  /** The blocks of `cv.flat6` as its delta changed them, for `_stage6` (made again after `clear()`). */
  #delta6(cv: _Covers): _Delta6 {
    let d = this.#d6;
    if (d === null || d.cv !== cv) this.#d6 = d = new _Delta6(cv);
    return d;
  }

  /** `#check6String` on a list that is changing, or that holds IPv6 address rules. */
  #check6Staged(text: string): boolean {
    const cv = this.#cv;
    let g = cv.g6;
    if (g !== 0) {
      // With IPv6 address rules, the first 64 bits also tell whether one may match.
      const wide = this.#wide.size !== 0;
      if (wide && g < 4) g = 4;
      const at = _head6(text, g);
      if (at !== -1) {
        const h0 = _HEAD[0], h1 = _HEAD[1];
        // All groups read 0: the block may hold IPv4-mapped addresses.
        if ((h0 | h1) !== 0) {
          if (this.#region6(h0, h1)) {
            if (_tail6(text, at, g - _HEAD[2], _HEAD[2] !== 0)) return true;
          } else if (!wide || !this.#wide.mayHold(h0, h1)) {
            return false;
          } else if (g === 4 && _low6(text, at, 4 - _HEAD[2], _HEAD[2] !== 0)) {
            // Outside the cover, only an IPv6 address rule can match: the rest of the
            // text, read once, gives the low 64 bits (not IPv4-mapped: h0, h1 are not 0).
            return this.#wide.has(h0, h1, _LOW[0], _LOW[1]);
          }
        }
      }
    } else if (cv.flat6 === null && this.#wide.size === 0) {
      const r = this.#check6Fine(text);
      if (r !== -1) return r === 1;
    }
    return this.#check6Full(text);
  }

  /**
   * The staged check on the live IPv6 cover when some boundary is finer than
   * /64 (ranges such as `::10-::1f`; `g6` is 0): the first 64 bits name a
   * /64 that is, in most cases, wholly blocked or wholly free all the same;
   * only one that a boundary splits needs the rest of the text's value.
   * Not for lists with IPv6 address rules.
   * @returns 1 blocked, 0 not, -1 for the full parse (a text the staged
   * readers leave to it, or the flat index just built).
   */
  #check6Fine(text: string): number {
    const at = _head6(text, 4);
    if (at === -1) return -1;
    const h0 = _HEAD[0], h1 = _HEAD[1], gap = _HEAD[2] !== 0;
    // All groups read 0: the block may hold IPv4-mapped addresses.
    if ((h0 | h1) === 0 || this.#settle6() !== null) return -1;
    const y0 = h0 ^ _FLIP, y1 = h1 ^ _FLIP;
    const c6 = this.#cv.c6;
    const state = c6.span64(y0, y1);
    if (state === 0) return 0;
    if (state === 1) return _tail6(text, at, gap ? 3 : 4, gap) ? 1 : -1;
    // Split: the rest's value, looked up from where span64 stopped.
    if (!_low6(text, at, gap ? 3 : 4, gap)) return -1;
    return c6.hasIn64(y0, y1, _LOW[0] ^ _FLIP, _LOW[1] ^ _FLIP) ? 1 : 0;
  }

  /** IPv6 text read whole: the one-pass scan of plain hex-and-colon text, else the full parse. */
  #check6Full(text: string): boolean {
    if (_parseIPv6Fast(text, _quad, text.length) === 1) {
      return this.#check6Quad(_quad[0], _quad[1], _quad[2], _quad[3]);
    }
    let ok = parseIPv6(text, _words) !== 0;
    if (!ok) {
      const pct = text.indexOf("%");
      ok = pct !== -1 && parseIPv6(text.slice(0, pct), _words) === 1;
    }
    return ok && this.#check6Words(_words);
  }

  #check6Words(w: Uint16Array): boolean {
    return this.#check6Quad(
      ((w[0] << 16) | w[1]) >>> 0,
      ((w[2] << 16) | w[3]) >>> 0,
      ((w[4] << 16) | w[5]) >>> 0,
      ((w[6] << 16) | w[7]) >>> 0,
    );
  }

  /** IPv6 input as 4 uint32 words, most significant first. */
  #check6Quad(x0: number, x1: number, x2: number, x3: number): boolean {
    if (x0 === 0 && x1 === 0 && x2 === 0xffff) {
      if (this.#has4(x3)) return true;
    } else if (this.#wide.size !== 0 && this.#wide.has(x0 | 0, x1 | 0, x2 | 0, x3 | 0)) {
      return true;
    }
    const cv = this.#cv;
    const flat = cv.flat6 ?? this.#settle6();
    const y0 = x0 ^ _FLIP, y1 = x1 ^ _FLIP, y2 = x2 ^ _FLIP, y3 = x3 ^ _FLIP;
    if (flat === null) return cv.c6.has4(y0, y1, y2, y3);
    if (cv.nDelta !== 0) {
      const d = _inDelta(cv, y0, y1, y2, y3);
      if (d !== 2) return d === 1 || (d === -1 && cv.c6.has4(y0, y1, y2, y3));
    }
    return flat.has(y0, y1, y2, y3);
  }

  /**
   * Counts a check of IPv6 input on a changed cover; builds the flat index
   * once the checks since the last change pay for it, as for IPv4.
   */
  #settle6(): _Flat6 | null {
    // Also on average 128 checks or more per change since then, so that the
    // delta (16 changes) keeps the index for long enough to be worth building.
    const q = ++this.#quiet6;
    if (q <= this.#limit6 || q < 128 * this.#changes6) return null;
    this.#changes6 = 0;
    this.#quiet6 = this.#quietAt6 = 0;
    const cv = this.#cv;
    const flat = _Flat6.build(cv.c6);
    // Exact for what the cover holds now (it may only have grown coarser).
    _setTz6(cv, flat.tz);
    cv.nDelta = 0;
    cv.over = false;
    cv.flat6 = flat;
    return flat;
  }

  /**
   * Whether the block of keys starting with the 64 bits h0, h1 (as wide as
   * `g6` groups or wider) lies in the IPv6 cover; one key decides for all.
   */
  #region6(h0: number, h1: number): boolean {
    const cv = this.#cv;
    const flat = cv.flat6 ?? this.#settle6();
    const y0 = h0 ^ _FLIP, y1 = h1 ^ _FLIP, y2 = _FLIP | 0;
    if (flat === null) return cv.c6.has4(y0, y1, y2, y2);
    if (cv.nDelta !== 0) {
      // The delta's intervals are aligned as the block is: its first key decides.
      const d = _inDelta(cv, y0, y1, y2, y2);
      if (d !== 2) return d === 1 || (d === -1 && cv.c6.has4(y0, y1, y2, y2));
    }
    return flat.region(h0, h1);
  }
}

const _PREFIX_TEXT = /^\d{1,3}$/;

/** Whether `text` is what the `fromJSON` expression for the family captures whole. */
function _printed(text: string, v6: boolean): boolean {
  return v6 ? _v6Chars(text) : parseIPv4(text) !== -1;
}

/** Whether `text` is one or more of the characters the IPv6 expressions of `fromJSON` take. */
function _v6Chars(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const l = c | 0x20;
    if (!((c >= 0x30 && c <= 0x3a) || c === 0x2e || (l >= 0x61 && l <= 0x66))) return false;
  }
  return true;
}

/**
 * The flat index of a list that stopped changing: every IPv4 address and
 * covered IPv4 run merged into disjoint sorted intervals (sign-flipped int32,
 * ends included). A bucket table over the span of the starts (about one
 * bucket per interval) narrows the predecessor search to the few intervals
 * starting in the key's bucket, so a check reads a handful of cache lines.
 */
class _Flat4 {
  starts: Int32Array;
  ends: Int32Array;
  /** `top[b]`: the first interval whose start lies in bucket b or later. */
  top: Int32Array;
  /** Bucket of x: `(x - starts[0]) >>> shift`. */
  shift: number;
  constructor(starts: Int32Array, ends: Int32Array) {
    this.starts = starts;
    this.ends = ends;
    const n = starts.length;
    const span = n === 0 ? 0 : starts[n - 1] - starts[0];
    this.shift = _bucketShift(n, span);
    this.top = _buckets(n, span, this.shift, (i) => starts[i] - starts[0]);
  }

  /** Whether sign-flipped `x` lies in an interval. */
  has(x: number): boolean {
    const starts = this.starts;
    if (starts.length === 0 || starts[0] > x) return false;
    // The last start <= x lies in [top[b] - 1, top[b + 1] - 1].
    const top = this.top;
    let b = ((x - starts[0]) >>> 0) >>> this.shift;
    if (b > top.length - 2) b = top.length - 2;
    const lo = top[b] - 1;
    return x <= this.ends[_last1(starts, lo < 0 ? 0 : lo, top[b + 1] - 1, x)];
  }

  /**
   * Merges the IPv4 address rows and the IPv4 cover: a counting pass, then
   * a pass that fills arrays of the exact size (a million rules leave little
   * garbage behind for the allocator to hold on to).
   */
  static build(addresses: _Rows, cover: _Cover): _Flat4 {
    const points = new Int32Array(addresses.n - addresses.nWide);
    let np = 0;
    for (let r = 0; r < addresses.n; r++) {
      const m = addresses.m[r];
      if ((m & _M_LIVE) !== 0 && (m & _M_WIDE) === 0) points[np++] = addresses.v[r] ^ _FLIP;
    }
    const sorted = _sortInt32(points.subarray(0, np));
    let nr = 0;
    cover.eachRun1(() => nr++);
    const runs = new Int32Array(2 * nr);
    let k = 0;
    cover.eachRun1((s, e) => {
      runs[k++] = s;
      runs[k++] = e;
    });
    let starts: Int32Array | null = null, ends: Int32Array | null = null;
    let n = 0;
    for (let pass = 0; pass < 2; pass++) {
      let i = 0, j = 0, lastEnd = 0;
      n = 0;
      while (i < np || j < nr) {
        let s: number, e: number;
        if (j === nr || (i < np && sorted[i] < runs[2 * j])) s = e = sorted[i++];
        else s = runs[2 * j], e = runs[2 * j++ + 1];
        // Adjacent or overlapping: extend the last interval (ends are inclusive).
        if (n > 0 && s <= lastEnd + 1) {
          if (e > lastEnd) lastEnd = e;
        } else {
          if (n > 0 && ends !== null) ends[n - 1] = lastEnd;
          if (starts !== null) starts[n] = s;
          n++;
          lastEnd = e;
        }
      }
      if (n > 0 && ends !== null) ends[n - 1] = lastEnd;
      if (pass === 0) starts = new Int32Array(n), ends = new Int32Array(n);
    }
    // The merged copies are made: the inputs' memory can go to the bucket table.
    _release(points);
    _release(runs);
    return new _Flat4(starts!, ends!);
  }
}

/** The identity bits of a subnet row. */
function _subnetBits(a: _Addr, prefix: number): number {
  return prefix | (a.fam === 6 ? _M_FAM6 : 0);
}

/** The identity bits of a range row. */
function _rangeBits(s: _Addr, e: _Addr): number {
  return (s.fam === 6 ? _M_FAM6 : 0) | (e.fam === 6 ? _M_EFAM6 : 0);
}

/** The parsed network of a subnet, its prefix validated for the family. */
function _subnetNet(net: unknown, prefix: unknown, type: unknown): _Addr {
  const a = _toAddr(net, "network", type, _A);
  validateInt32(prefix, "prefix", 0, a.fam === 4 ? 32 : 128);
  return a;
}

/** Parses the ends of a range into `_A` and `_B`, refused when start is after end. */
function _rangeEnds(start: unknown, end: unknown, type: unknown): void {
  const s = _toAddr(start, "start", type, _A);
  const e = _toAddr(end, "end", type, _B);
  if (_after(s, e)) {
    const shown = SocketAddress.isSocketAddress(start)
      ? start
      : new SocketAddress({ address: start as string, family: s.fam === 4 ? "ipv4" : "ipv6" });
    throw errInvalidArgValue("start", shown, "must come before end");
  }
}

// ---- the runtime's node:net BlockList --------------------------------------

/**
 * A list of the runtime's own `node:net`: an instance of its class (read
 * when first asked: Node's `net.BlockList` is a getter that loads a module).
 */
function _isRuntimeList(value: object): boolean {
  const Runtime = (nodeNet as unknown as { BlockList?: abstract new () => object }).BlockList;
  return typeof Runtime === "function" && value instanceof Runtime;
}

/** Node refuses a range only when it can order the ends and start is after end. */
function _after(s: _Addr, e: _Addr): boolean {
  if (s.fam !== e.fam && !(_isMapped(s.w0, s.w1, s.w2) && _isMapped(e.w0, e.w1, e.w2))) {
    return false;
  }
  return _cmp(s.w0, s.w1, s.w2, s.w3, e.w0, e.w1, e.w2, e.w3) > 0;
}

// Printed as Node prints it: `BlockList { rules: [...] }`.
Object.defineProperty(BlockList.prototype, Symbol.for("nodejs.util.inspect.custom"), {
  value(this: BlockList, depth: number, options: InspectOptions): string {
    if (depth < 0) return "[BlockList]";
    const nested = { ...options, depth: options.depth == null ? options.depth : depth - 1 };
    const { inspect } = process.getBuiltinModule("node:util");
    return `BlockList ${inspect({ rules: this.rules }, nested)}`;
  },
  writable: true,
  configurable: true,
  enumerable: false,
});
