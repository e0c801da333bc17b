/**
 * IP address recognition and parsing: Node's `isIP`/`isIPv4`/`isIPv6` results
 * from hand-written scanners that also yield the numeric value, so that
 * `BlockList` and `SocketAddress` parse each address exactly once.
 *
 * The accepted grammar is the one Node's own checks accept: dotted quads
 * without leading zeros; IPv6 with 1-4 hex digits per group, one `::` standing
 * for at least one zero group, an optional trailing embedded IPv4, and an
 * optional `%zone` made of ASCII letters, digits, `-`, `.` and `:`.
 * @module
 */

const _DOT = 0x2e;
const _COLON = 0x3a;
const _PERCENT = 0x25;

/** Value of an ASCII hex digit, or -1. Branches instead of a table: no allocation, JIT friendly. */
function _hex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20; // ASCII lower-case fold
  if (l >= 0x61 && l <= 0x66) return l - 0x57;
  return -1;
}

/** Letters, digits, `-`, `.`, `:`: the zone ID characters Node accepts. */
function _isZoneChar(c: number): boolean {
  if (c >= 0x30 && c <= 0x3a) return true; // 0-9 and ':'
  const l = c | 0x20;
  return (l >= 0x61 && l <= 0x7a) || c === 0x2d || c === _DOT;
}

/**
 * Parses a dotted quad occupying `s[start, end)`; the value as an unsigned
 * 32-bit number, or -1. Each part is 0-255 written without leading zeros.
 */
function _parseIPv4Range(s: string, start: number, end: number): number {
  // Four parts read by straight code, one test per digit (a part's second and
  // third digits each tested against `end` and the digit range at once), no
  // loop state: 4-5 ns less per check on V8 and Bun than a loop over parts.
  // A character past `end` reads NaN, which every test below rejects.
  let v = 0, i = start;
  for (let p = 0; p < 4; p++) {
    let part = s.charCodeAt(i++) - 0x30;
    if (!(part >= 0 && part <= 9)) return -1;
    // A leading 0 must stand alone: "0" is fine, "01" is not.
    if (part !== 0 && i < end) {
      let d = s.charCodeAt(i) - 0x30;
      if (d >= 0 && d <= 9) {
        part = part * 10 + d;
        if (++i < end) {
          d = s.charCodeAt(i) - 0x30;
          if (d >= 0 && d <= 9) {
            part = part * 10 + d;
            i++;
            if (part > 255) return -1;
          }
        }
      }
    }
    v = (v << 8) | part;
    if (p !== 3) {
      if (i >= end - 1 || s.charCodeAt(i) !== _DOT) return -1;
      i++;
    }
  }
  return i === end ? v >>> 0 : -1;
}

/**
 * Parses a dotted-quad IPv4 string; returns its value as an unsigned 32-bit
 * number, or -1 if invalid.
 * @param s The candidate address, e.g. `"192.168.0.1"`.
 * @returns The address as an integer in `[0, 2 ** 32)`, or -1.
 * @example
 * ```ts
 * parseIPv4("10.0.0.1"); // 167772161
 * parseIPv4("010.0.0.1"); // -1
 * ```
 */
export function parseIPv4(s: string): number {
  const len = s.length;
  if (len < 7 || len > 15) return -1;
  return _parseIPv4Range(s, 0, len);
}

/**
 * Parses the dotted quad that occupies `s[start, end)` exactly, as
 * {@link parseIPv4} parses a whole string, without cutting it out first.
 * @param s The text holding the address.
 * @param start Index of its first character.
 * @param end Index just past its last character.
 * @returns The address as an integer in `[0, 2 ** 32)`, or -1.
 * @example
 * ```ts
 * _parseIPv4Span("Address: IPv4 10.0.0.1", 14, 22); // 167772161
 * ```
 */
export function _parseIPv4Span(s: string, start: number, end: number): number {
  const len = end - start;
  if (len < 7 || len > 15) return -1;
  return _parseIPv4Range(s, start, end);
}

/** Checks that `s[from, len)` is a valid `%zone` suffix (`from` indexes the `%`). */
function _validZone(s: string, from: number, len: number): boolean {
  if (from + 1 >= len) return false;
  for (let i = from + 1; i < len; i++) {
    if (!_isZoneChar(s.charCodeAt(i))) return false;
  }
  return true;
}

/** Index of the first `%` in `s`, or `s.length`. */
function _zoneStart(s: string): number {
  const p = s.indexOf("%");
  return p === -1 ? s.length : p;
}

/** Shifts the `count` words written after a `::` at `gap` to the end of `out`, zero-filling. */
function _expandGap(out: Uint16Array, gap: number, count: number): void {
  const tail = count - gap;
  for (let k = tail - 1; k >= 0; k--) out[8 - tail + k] = out[gap + k];
  for (let k = gap; k < 8 - tail; k++) out[k] = 0;
}

/**
 * Parses an IPv6 string (including embedded IPv4, all `::` forms and an
 * optional `%zone`) into `out` as 8 16-bit words.
 * @param s The candidate address, e.g. `"fe80::1%eth0"`.
 * @param out Receives the 8 words; its contents are unspecified when 0 is returned.
 * @returns 0 if invalid, 1 if valid without zone, 2 if valid with a zone ID.
 * @example
 * ```ts
 * const words = new Uint16Array(8);
 * parseIPv6("::ffff:1.2.3.4", words); // 1; words = [0,0,0,0,0,0xffff,0x102,0x304]
 * ```
 */
export function parseIPv6(s: string, out: Uint16Array): 0 | 1 | 2 {
  const len = s.length;
  if (len < 2) return 0;
  const end = _zoneStart(s);
  if (end !== len && !_validZone(s, end, len)) return 0;
  const words = _scanIPv6(s, end, out);
  if (words < 0) return 0;
  return end === len ? 1 : 2;
}

/**
 * Scans `s[0, end)` into `out`; returns the number of words (8) or -1.
 * `gap` is where the `::` sits (in words), -1 while none has been seen.
 */
function _scanIPv6(s: string, end: number, out: Uint16Array): number {
  let i = 0;
  let w = 0;
  let gap = -1;
  if (s.charCodeAt(0) === _COLON) {
    if (s.charCodeAt(1) !== _COLON) return -1;
    gap = 0;
    i = 2;
    if (i === end) return _finish(out, w, gap);
  }
  for (;;) {
    if (w === 8) return -1;
    const groupStart = i;
    let value = 0;
    let digits = 0;
    let d: number;
    while (i < end && digits < 5 && (d = _hex(s.charCodeAt(i))) >= 0) {
      value = (value << 4) | d;
      digits++;
      i++;
    }
    if (digits === 0 || digits > 4) return -1;
    if (i < end && s.charCodeAt(i) === _DOT) {
      // An embedded IPv4 must end the address and fit in the last two words.
      if (w > 6) return -1;
      const v4 = _parseIPv4Range(s, groupStart, end);
      if (v4 < 0) return -1;
      out[w++] = v4 >>> 16;
      out[w++] = v4 & 0xffff;
      return _finish(out, w, gap);
    }
    out[w++] = value;
    if (i === end) return _finish(out, w, gap);
    if (s.charCodeAt(i) !== _COLON) return -1;
    i++;
    if (i < end && s.charCodeAt(i) === _COLON) {
      if (gap !== -1) return -1;
      gap = w;
      i++;
      if (i === end) return _finish(out, w, gap);
    } else if (i === end) {
      return -1; // a single trailing colon
    }
  }
}

/** Validates the word count against the `::` rule and expands the gap. */
function _finish(out: Uint16Array, w: number, gap: number): number {
  if (gap === -1) return w === 8 ? 8 : -1;
  // `::` must stand for at least one zero word.
  if (w > 7) return -1;
  _expandGap(out, gap, w);
  return 8;
}

// Groups of the fast scan, before any `::` is expanded.
const _groups = new Int32Array(8);

/**
 * Character classes of the IPv6 scans (this file's fast scan and the staged
 * ones of `BlockList.check()`) by char code: a hex digit is 32 + its value,
 * `:` is {@link _CC_COLON}, anything else 0. Every char code indexes it
 * without a range test (a table of 128 with one, or with a test folded into
 * each read, measured 3-6 ns slower per check on Node 20 and Bun).
 * @internal
 */
export const _CC: Uint8Array = new Uint8Array(65536);
for (let d = 0; d < 10; d++) _CC[0x30 + d] = 32 + d;
for (let d = 0; d < 6; d++) _CC[0x41 + d] = _CC[0x61 + d] = 42 + d;
_CC[_COLON] = 16;

/** {@link _CC} of `:`. @internal */
export const _CC_COLON = 16;

/**
 * The fast IPv6 scan used by `BlockList.check()`: hex groups, colons and at
 * most one `::`, no embedded IPv4 and no zone, into 4 uint32 words, most
 * significant first. It accepts a subset of what {@link parseIPv6} accepts,
 * with the same value; for anything else (also valid forms with a dot or a
 * `%`) it returns 0 and the caller falls back to {@link parseIPv6}. One pass,
 * no allocation, no search for `%` first.
 * @param s The candidate address.
 * @param out Receives the 4 words when 1 is returned.
 * @param len Where the address ends in `s`: its length, or a CIDR's `/` (no substring to
 *   make); never more than `s.length` (a missing character would read as the digit 0).
 *   Always passed: a defaulted parameter costs Bun's engine an arity fix-up on
 *   every call that leaves it out (IPv6 address churn rounds +30% on Bun, measured).
 * @returns 1 when parsed, 0 when the caller must use {@link parseIPv6}.
 * @example
 * ```ts
 * const out = new Uint32Array(4);
 * _parseIPv6Fast("2001:db8::1", out, 11); // 1; out = [0x20010db8, 0, 0, 1]
 * _parseIPv6Fast("::ffff:1.2.3.4", out, 14); // 0 (use parseIPv6)
 * _parseIPv6Fast("2001:db8::/32", out, 10); // 1; out = [0x20010db8, 0, 0, 0]
 * ```
 */
export function _parseIPv6Fast(s: string, out: Uint32Array, len: number): 0 | 1 {
  if (len < 2 || len > 39) return 0;
  const g = _groups;
  let i = 0, w = 0, gap = -1;
  if (s.charCodeAt(0) === _COLON) {
    if (s.charCodeAt(1) !== _COLON) return 0;
    gap = 0;
    i = 2;
  }
  if (i < len) {
    for (;;) {
      // A group: 1-4 hex digits read by straight code, each classed by one load
      // from _CC; t is then the class of s[i] while i < len (a fifth digit is
      // not a colon: refused below). 12-30% less time per address than a loop
      // over the digits with range tests, on Node 20, Node 26, Deno and Bun.
      // Written out, as in the staged scans (_block_list_scan6.ts): one reader
      // shared with them, returning the value and where the group ends, made
      // this parse 20-30% slower on Node 20 and 26 (not inlined everywhere).
      let t = _CC[s.charCodeAt(i)];
      if (t < 32 || w === 8) return 0;
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
                  if (++i < len) t = _CC[s.charCodeAt(i)];
                }
              }
            }
          }
        }
      }
      g[w++] = v;
      if (i === len) break;
      if (t !== _CC_COLON || ++i === len) return 0;
      if (s.charCodeAt(i) === _COLON) {
        if (gap !== -1) return 0;
        gap = w;
        if (++i === len) break;
      }
    }
  }
  if (gap === -1) {
    if (w !== 8) return 0;
  } else {
    // `::` stands for at least one zero group: move the groups after it to the end.
    if (w > 7) return 0;
    const shift = 8 - w;
    for (let k = w - 1; k >= gap; k--) g[k + shift] = g[k];
    for (let k = gap; k < gap + shift; k++) g[k] = 0;
  }
  out[0] = (g[0] << 16) | g[1];
  out[1] = (g[2] << 16) | g[3];
  out[2] = (g[4] << 16) | g[5];
  out[3] = (g[6] << 16) | g[7];
  return 1;
}

// One scratch buffer for the boolean checks: they never hand it out.
const _scratch = new Uint16Array(8);

/** Node coerces with ToString (so Symbols throw), once per check. */
function _str(input: unknown): string {
  return typeof input === "string" ? input : `${input as string}`;
}

/**
 * Tells whether `input` is a dotted-quad IPv4 address, as `net.isIPv4()`.
 * Non-strings are converted with ToString first, as Node does.
 * @param input The value to test.
 * @returns `true` for a valid IPv4 address.
 * @example
 * ```ts
 * isIPv4("127.0.0.1"); // true
 * isIPv4("127.000.000.001"); // false
 * ```
 */
export function isIPv4(input: unknown): boolean {
  return parseIPv4(_str(input)) !== -1;
}

/**
 * Tells whether `input` is an IPv6 address (zone IDs allowed), as `net.isIPv6()`.
 * @param input The value to test.
 * @returns `true` for a valid IPv6 address.
 * @example
 * ```ts
 * isIPv6("::1"); // true
 * isIPv6("fe80::1%eth0"); // true
 * isIPv6("[::1]"); // false
 * ```
 */
export function isIPv6(input: unknown): boolean {
  return parseIPv6(_str(input), _scratch) !== 0;
}

/**
 * Returns 4 for an IPv4 address, 6 for an IPv6 address and 0 otherwise, as `net.isIP()`.
 * @param input The value to test.
 * @returns `4`, `6` or `0`.
 * @example
 * ```ts
 * isIP("1.2.3.4"); // 4
 * isIP("::ffff:1.2.3.4"); // 6
 * isIP("1.2.3.4/24"); // 0
 * ```
 */
export function isIP(input: unknown): 0 | 4 | 6 {
  if (isIPv4(input)) return 4;
  if (isIPv6(input)) return 6;
  return 0;
}

/**
 * Formats a uint32 as a dotted quad.
 * @param n The address as an unsigned 32-bit integer.
 * @returns The dotted-quad text.
 * @example
 * ```ts
 * formatIPv4(0x7f000001); // "127.0.0.1"
 * ```
 */
export function formatIPv4(n: number): string {
  const o = _OCTETS;
  return `${o[(n >>> 24) & 255]}.${o[(n >>> 16) & 255]}.${o[(n >>> 8) & 255]}.${o[n & 255]}`;
}

/** "0" to "255", made once: printing a million rules converts no number. */
const _OCTETS: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));

/** Start and length of the longest run (>= 2) of zero words, first one on ties; start -1 if none. */
function _longestZeroRun(words: ArrayLike<number>): number {
  let bestStart = -1;
  let bestLen = 1;
  let start = -1;
  for (let i = 0; i <= 8; i++) {
    if (i < 8 && words[i] === 0) {
      if (start === -1) start = i;
      continue;
    }
    if (start !== -1 && i - start > bestLen) {
      bestStart = start;
      bestLen = i - start;
    }
    start = -1;
  }
  return bestStart === -1 ? -1 : bestStart * 16 + bestLen;
}

/**
 * Formats 8 words exactly as Node prints IPv6: lowercase, the longest run of
 * two or more zero words compressed (the first on ties), and the trailing
 * IPv4 written as a dotted quad for `::ffff:a.b.c.d` and `::a.b.c.d` as libuv does.
 * @param words 8 16-bit words.
 * @returns The canonical text, e.g. `"2001:db8::1"`.
 * @example
 * ```ts
 * formatIPv6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]); // "2001:db8::1"
 * formatIPv6([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]); // "::ffff:127.0.0.1"
 * ```
 */
export function formatIPv6(words: ArrayLike<number>): string {
  const run = _longestZeroRun(words);
  const runStart = run === -1 ? -1 : run >> 4;
  const runEnd = run === -1 ? -1 : runStart + (run & 15);
  let text = "";
  for (let i = 0; i < 8; i++) {
    if (i === runStart) {
      text += "::";
      i = runEnd - 1;
      continue;
    }
    if (i !== 0 && i !== runEnd) text += ":";
    if (i === 6 && runStart === 0 && (runEnd === 6 || (runEnd === 5 && words[5] === 0xffff))) {
      return text + formatIPv4(((words[6] << 16) | words[7]) >>> 0);
    }
    text += words[i].toString(16);
  }
  return text;
}
