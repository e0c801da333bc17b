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
 * The hex-digit loop of a group is written out in `_head6`, `_low6` and
 * `_parseIPv6Fast` on purpose: one shared function for it (value in a module
 * variable, end index returned) measured 8-40% slower on Node 20, Node 26
 * and Bun (staged scan 62-69 -> 67-74 ns on Node 20, fast parse 47-55 ->
 * 72 ns on Bun), on the path of every IPv6 `check()`.
 * @module
 */

const _COLON = 0x3a;

/**
 * What {@link _head6} read: [0] and [1] the first 64 bits of the address
 * (groups not read are 0), [2] 1 when the groups ended with a `::` (so that
 * the group after the last one read is a zero group), else 0.
 */
export const _HEAD: Int32Array = new Int32Array(3);

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
  let i = 0, w = 0, h0 = 0, h1 = 0, c = 0, gap = 0;
  for (;;) {
    const start = i;
    let v = 0;
    for (; i < len; i++) {
      c = s.charCodeAt(i);
      const d = c - 0x30;
      if (d >= 0 && d <= 9) v = (v << 4) | d;
      else {
        const l = (c | 0x20) - 0x61;
        if (l >= 0 && l <= 5) v = (v << 4) | (l + 10);
        else break;
      }
    }
    if (i === start || i - start > 4 || c !== _COLON || i === len) return -1;
    if (w === 0) h0 = v << 16;
    else if (w === 1) h0 |= v;
    else if (w === 2) h1 = v << 16;
    else h1 |= v;
    i++;
    if (++w === groups) break;
    if (s.charCodeAt(i) === _COLON) {
      // `::` after w groups: group w is 0 in any valid text.
      if (w + 1 !== groups) return -1;
      gap = 1;
      i++;
      break;
    }
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
  let w = groups, c = 0;
  if (i === len) return gap && w < 8;
  if (!gap && s.charCodeAt(i) === _COLON) {
    // The colon before `i` and this one make the `::`.
    gap = true;
    if (++i === len) return w < 8;
  }
  for (;;) {
    const start = i;
    for (; i < len; i++) {
      c = s.charCodeAt(i);
      if (c >= 0x30 && c <= 0x39) continue;
      const l = (c | 0x20) - 0x61;
      if (l < 0 || l > 5) break;
    }
    const n = i - start;
    if (n === 0 || n > 4 || ++w > 8) return false;
    if (i === len) break;
    if (c !== _COLON || ++i === len) return false;
    if (s.charCodeAt(i) === _COLON) {
      if (gap) return false;
      gap = true;
      if (++i === len) break;
    }
  }
  return gap ? w < 8 : w === 8;
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
  let w = groups, c = 0;
  // The groups read here: after a `::` read here (r0, r1), and before it (b0, b1; nb groups).
  let r0 = 0, r1 = 0, b0 = 0, b1 = 0, nb = -1;
  if (i === len) {
    if (!gap || w >= 8) return false;
    _LOW[0] = _LOW[1] = 0;
    return true;
  }
  if (!gap && s.charCodeAt(i) === _COLON) {
    // The colon before `i` and this one make the `::`.
    gap = true;
    nb = 0;
    if (++i === len) {
      if (w >= 8) return false;
      _LOW[0] = _LOW[1] = 0;
      return true;
    }
  }
  for (;;) {
    const start = i;
    let v = 0;
    for (; i < len; i++) {
      c = s.charCodeAt(i);
      const d = c - 0x30;
      if (d >= 0 && d <= 9) v = (v << 4) | d;
      else {
        const l = (c | 0x20) - 0x61;
        if (l >= 0 && l <= 5) v = (v << 4) | (l + 10);
        else break;
      }
    }
    const n = i - start;
    if (n === 0 || n > 4 || ++w > 8) return false;
    r0 = (r0 << 16) | (r1 >>> 16);
    r1 = (r1 << 16) | v;
    if (i === len) break;
    if (c !== _COLON || ++i === len) return false;
    if (s.charCodeAt(i) === _COLON) {
      if (gap) return false;
      gap = true;
      nb = w - groups;
      b0 = r0;
      b1 = r1;
      r0 = r1 = 0;
      if (++i === len) break;
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
