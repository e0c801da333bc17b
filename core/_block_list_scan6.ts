/**
 * The staged IPv6 scan of `BlockList.check()`: read only the leading groups
 * of the text (enough to name the region of the address space whose rules
 * decide the answer), let the index answer for that whole region, and read
 * the rest only when the region is blocked (then the answer is whether the
 * text is a valid address at all). A region that no rule touches answers
 * `false` without reading further: a valid address there matches nothing,
 * and an invalid text gives `false` anyway.
 *
 * Both functions accept exactly what `_parseIPv6Fast` (core/ip.ts) accepts
 * when used together: hex groups of 1-4 digits, colons, at most one `::`
 * standing for at least one zero group. Other forms (embedded IPv4, `%zone`,
 * a leading `::`) are left to the full parse.
 *
 * How they read (each choice measured on the check path, throwaway scripts,
 * 2026-12-05): a group's digits are read by straight code, one test per
 * digit (at most 4, then its colon), not by a loop; each character is
 * classed by one load from {@link _CC}; `_stage6` does all of a settled
 * list's check in one call (head, the index's answer for the block, then the
 * rest of a blocked text). Written out rather than shared: the group reader
 * appears in `_stage6`, `_head6` and `_low6`, and the validation of the rest
 * in `_stage6` and `_tail6` (a shared function for the group loop measured
 * 8-40% slower on Node 20, Node 26 and Bun; the engines do not inline every
 * call on this path).
 * @module
 */
import { _CC as _CC_IP, _CC_COLON } from "./ip.ts";

/**
 * The character classes of `ip.ts` (a hex digit is 32 + its value, `:` is
 * {@link _C}, anything else 0), bound here: with the imported names used
 * directly, the staged checks read 1-3 ns slower on Node 26 (best of 4
 * alternating runs of `--part=addr6`), as if each use went through the
 * import's cell.
 */
const _CC: Uint8Array = _CC_IP;

/** {@link _CC} of `:`. */
const _C = _CC_COLON;

/**
 * What `_stage6` asks about a block: the list's flat IPv6 index, or the same
 * with its delta of changes (`_Flat6`, `_Delta6` in block_list.ts).
 */
export interface _Blocks6 {
  /**
   * Whether the block of keys whose first 64 bits are h0, h1 (not
   * sign-flipped) is covered; one key decides for all of it.
   */
  region(h0: number, h1: number): boolean;
}

/**
 * What {@link _head6} read: [0] and [1] the first 64 bits of the address
 * (groups not read are 0), [2] 1 when the groups ended with a `::` (so that
 * the group after the last one read is a zero group), else 0. What
 * {@link _stage6} read when it answers 0 (a free block): the same, and [3]
 * where it stopped (as {@link _head6} returns it).
 */
export const _HEAD: Int32Array = new Int32Array(4);

/**
 * A settled list's check of IPv6 text, in one pass: reads the first `g`
 * groups as {@link _head6} does, asks `flat` about the block they name, and
 * for a blocked block validates the rest as {@link _tail6} does.
 * @param s The text.
 * @param g The groups that name a block wholly in or out of `flat`'s
 * intervals (1-4).
 * @param flat The list's flat IPv6 index (and its delta): exact for the list.
 * @returns 1: blocked (a valid address in a blocked block); 0: not blocked
 * (the block is free: a valid text matches none of `flat`'s intervals, an
 * invalid one gives `false` anyway; {@link _HEAD} tells what was read);
 * -1: the text is not one the scan decides (a leading `::`,
 * a head of zeros that IPv4-mapped rules may match, an embedded IPv4 tail,
 * a zone, or an invalid text in a blocked block): the caller parses it whole.
 * @example
 * ```ts
 * _stage6("2001:db8:5:1::1", 3, flat); // 1 when 2001:db8:5::/48 is blocked
 * ```
 */
export function _stage6(s: string, g: number, flat: _Blocks6): number {
  const len = s.length;
  let i = 0, w = 0, h0 = 0, h1 = 0, gap = false;
  if (len === 0) return -1;
  for (;;) {
    // A group: 1-4 hex digits and a colon (i < len here). With 5 characters
    // left, read at fixed offsets with one length test (3-5 ns less per
    // check on V8 than a test per character).
    let t = _CC[s.charCodeAt(i)];
    if (t < 32) return -1;
    let v = t & 15;
    if (i + 4 < len) {
      t = _CC[s.charCodeAt(i + 1)];
      if (t >= 32) {
        v = (v << 4) | (t & 15);
        t = _CC[s.charCodeAt(i + 2)];
        if (t >= 32) {
          v = (v << 4) | (t & 15);
          t = _CC[s.charCodeAt(i + 3)];
          if (t >= 32) {
            v = (v << 4) | (t & 15);
            t = _CC[s.charCodeAt(i + 4)];
            i += 4;
          } else i += 3;
        } else i += 2;
      } else i += 1;
    } else {
      if (++i === len) return -1;
      t = _CC[s.charCodeAt(i)];
      if (t >= 32) {
        v = (v << 4) | (t & 15);
        if (++i === len) return -1;
        t = _CC[s.charCodeAt(i)];
        if (t >= 32) {
          v = (v << 4) | (t & 15);
          if (++i === len) return -1;
          t = _CC[s.charCodeAt(i)];
        }
      }
    }
    if (t !== _C) return -1;
    i++;
    h0 = (h0 << 16) | (h1 >>> 16);
    h1 = (h1 << 16) | v;
    if (++w === g) break;
    if (i === len) return -1;
    if (_CC[s.charCodeAt(i)] === _C) {
      // `::` after w groups: group w + 1 is 0 in any valid text.
      if (++w !== g) return -1;
      gap = true;
      i++;
      h0 = (h0 << 16) | (h1 >>> 16);
      h1 <<= 16;
      break;
    }
  }
  for (; w < 4; w++) {
    h0 = (h0 << 16) | (h1 >>> 16);
    h1 <<= 16;
  }
  // All groups read 0: the block may hold IPv4-mapped addresses.
  if ((h0 | h1) === 0) return -1;
  if (!flat.region(h0, h1)) {
    // For a list with IPv6 address rules, which may lie in a free block.
    _HEAD[0] = h0;
    _HEAD[1] = h1;
    _HEAD[2] = gap ? 1 : 0;
    _HEAD[3] = i;
    return 0;
  }
  // The rest, as _tail6 reads it: n groups written so far.
  let n = gap ? g - 1 : g;
  if (i === len) return gap ? 1 : -1;
  for (;;) {
    let t = _CC[s.charCodeAt(i)];
    if (t === _C) {
      // The colon before i and this one make the `::`.
      if (gap) return -1;
      gap = true;
      if (++i === len) break;
      t = _CC[s.charCodeAt(i)];
    }
    if (t < 32) return -1;
    if (
      ++i < len && _CC[s.charCodeAt(i)] >= 32 && ++i < len && _CC[s.charCodeAt(i)] >= 32 &&
      ++i < len && _CC[s.charCodeAt(i)] >= 32
    ) i++;
    n++;
    if (i === len) break;
    if (_CC[s.charCodeAt(i)] !== _C || ++i === len) return -1;
  }
  return (gap ? n < 8 : n === 8) ? 1 : -1;
}

/**
 * Reads the first `groups` (1-4) groups of an IPv6 text: each 1-4 hex digits
 * followed by `:`. The last one may instead be the zero group a `::` right
 * after the others stands for (a `::` is at least one zero group, so in a
 * valid text the group after it is 0 whatever follows). Writes them to
 * {@link _HEAD}.
 * @param s The text.
 * @param groups How many leading groups to know, 1-4.
 * @returns The index just past the colon(s) read, or -1 when the text does
 * not start that way (the caller uses the full parse).
 * @example
 * ```ts
 * _head6("2001:db8:5::1", 3); // 11 ("2001:db8:5:" read); _HEAD = [0x20010db8, 0x50000, 0]
 * _head6("2001:db8::1", 3); // 10 ("2001:db8::"); _HEAD = [0x20010db8, 0, 1]
 * _head6("::1", 1); // -1
 * ```
 */
export function _head6(s: string, groups: number): number {
  const len = s.length;
  let i = 0, w = 0, h0 = 0, h1 = 0, gap = 0;
  if (len === 0) return -1;
  for (;;) {
    // A group: 1-4 hex digits and a colon (i < len here).
    let t = _CC[s.charCodeAt(i)];
    if (t < 32) return -1;
    let v = t & 15;
    if (i + 4 < len) {
      // As in _stage6: fixed offsets, one length test.
      t = _CC[s.charCodeAt(i + 1)];
      if (t >= 32) {
        v = (v << 4) | (t & 15);
        t = _CC[s.charCodeAt(i + 2)];
        if (t >= 32) {
          v = (v << 4) | (t & 15);
          t = _CC[s.charCodeAt(i + 3)];
          if (t >= 32) {
            v = (v << 4) | (t & 15);
            t = _CC[s.charCodeAt(i + 4)];
            i += 4;
          } else i += 3;
        } else i += 2;
      } else i += 1;
    } else {
      if (++i === len) return -1;
      t = _CC[s.charCodeAt(i)];
      if (t >= 32) {
        v = (v << 4) | (t & 15);
        if (++i === len) return -1;
        t = _CC[s.charCodeAt(i)];
        if (t >= 32) {
          v = (v << 4) | (t & 15);
          if (++i === len) return -1;
          t = _CC[s.charCodeAt(i)];
        }
      }
    }
    if (t !== _C) return -1;
    i++;
    h0 = (h0 << 16) | (h1 >>> 16);
    h1 = (h1 << 16) | v;
    if (++w === groups) break;
    if (i === len) return -1;
    if (_CC[s.charCodeAt(i)] === _C) {
      // `::` after w groups: group w + 1 is 0 in any valid text.
      if (++w !== groups) return -1;
      gap = 1;
      i++;
      h0 = (h0 << 16) | (h1 >>> 16);
      h1 <<= 16;
      break;
    }
  }
  for (; w < 4; w++) {
    h0 = (h0 << 16) | (h1 >>> 16);
    h1 <<= 16;
  }
  _HEAD[0] = h0;
  _HEAD[1] = h1;
  _HEAD[2] = gap;
  return i;
}

/**
 * Whether the text from `i` on completes a plain IPv6 address, after
 * `groups` groups read by {@link _head6} (`gap`: a `::` among them). Reads
 * the digits without computing the groups' values.
 * @param s The text.
 * @param i Where {@link _head6} stopped.
 * @param groups The groups written before `i` (a `::` is not one).
 * @param gap Whether a `::` came before `i`.
 * @returns `true` if `s` is a valid address of hex groups and colons;
 * `false` otherwise, including valid forms with a dot or a `%` (the caller
 * then decides with the full parse).
 * @example
 * ```ts
 * _tail6("2001:db8:5::1", 11, 3, false); // true
 * _tail6("2001:db8:5:1", 11, 3, false); // false (4 groups, no `::`)
 * ```
 */
export function _tail6(s: string, i: number, groups: number, gap: boolean): boolean {
  const len = s.length;
  let n = groups;
  if (i === len) return gap && n < 8;
  for (;;) {
    let t = _CC[s.charCodeAt(i)];
    if (t === _C) {
      // The colon before i and this one make the `::`.
      if (gap) return false;
      gap = true;
      if (++i === len) break;
      t = _CC[s.charCodeAt(i)];
    }
    if (t < 32) return false;
    // The group's other digits (a fifth is not a colon: refused below).
    if (
      ++i < len && _CC[s.charCodeAt(i)] >= 32 && ++i < len && _CC[s.charCodeAt(i)] >= 32 &&
      ++i < len && _CC[s.charCodeAt(i)] >= 32
    ) i++;
    n++;
    if (i === len) break;
    if (_CC[s.charCodeAt(i)] !== _C || ++i === len) return false;
  }
  return gap ? n < 8 : n === 8;
}

/** What {@link _low6} read: the low 64 bits of the address, [0] then [1]. */
export const _LOW: Int32Array = new Int32Array(2);

/**
 * As {@link _tail6}, after a head of exactly 64 bits (4 groups, or 3 and a
 * `::`), and computing the groups: writes the low 64 bits of the address to
 * {@link _LOW}, so that a text whose block needs its full value (an IPv6
 * address rule may match) is not read a second time.
 * @param s The text.
 * @param i Where {@link _head6} stopped, after 4 groups.
 * @param groups The groups written before `i`: 4, or 3 when `gap`.
 * @param gap Whether a `::` came before `i`.
 * @returns `true` (and {@link _LOW} set) if `s` is a valid address of hex
 * groups and colons; `false` otherwise, as {@link _tail6}.
 * @example
 * ```ts
 * _head6("2001:db8:5:1::7", 4); // 13
 * _low6("2001:db8:5:1::7", 13, 4, false); // true; _LOW = [0, 7]
 * ```
 */
export function _low6(s: string, i: number, groups: number, gap: boolean): boolean {
  const len = s.length;
  let w = groups;
  // The groups read here: after a `::` read here (r0, r1), and before it (b0, b1; nb groups).
  let r0 = 0, r1 = 0, b0 = 0, b1 = 0, nb = -1;
  if (i !== len) {
    for (;;) {
      let t = _CC[s.charCodeAt(i)];
      if (t === _C) {
        // The colon before i and this one make the `::`.
        if (gap) return false;
        gap = true;
        nb = w - groups;
        b0 = r0;
        b1 = r1;
        r0 = r1 = 0;
        if (++i === len) break;
        t = _CC[s.charCodeAt(i)];
      }
      if (t < 32) return false;
      let v = t & 15;
      if (++i < len) {
        t = _CC[s.charCodeAt(i)];
        if (t >= 32) {
          v = (v << 4) | (t & 15);
          if (++i < len) {
            t = _CC[s.charCodeAt(i)];
            if (t >= 32) {
              v = (v << 4) | (t & 15);
              if (++i < len) {
                t = _CC[s.charCodeAt(i)];
                if (t >= 32) {
                  v = (v << 4) | (t & 15);
                  i++;
                }
              }
            }
          }
        }
      }
      if (++w > 8) return false;
      r0 = (r0 << 16) | (r1 >>> 16);
      r1 = (r1 << 16) | v;
      if (i === len) break;
      if (_CC[s.charCodeAt(i)] !== _C || ++i === len) return false;
    }
  }
  if (gap ? w >= 8 : w !== 8) return false;
  // Groups before a `::` read here go to the top of the 64 bits, those after it to the bottom.
  for (let k = nb; k > 0 && k < 4; k++) {
    b0 = (b0 << 16) | (b1 >>> 16);
    b1 = b1 << 16;
  }
  _LOW[0] = b0 | r0;
  _LOW[1] = b1 | r1;
  return true;
}
