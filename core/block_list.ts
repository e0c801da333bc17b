/**
 * `net.BlockList`: Node 26's whole API (addresses, ranges, subnets, CIDRs,
 * removal, `clear`, `size`, `toJSON`/`fromJSON`, `PRIVATE_RANGES`) with
 * Node's matching rules, on every runtime and Node version.
 *
 * The rule list is the source of truth. `check()` never scans it: a merged,
 * sorted interval index per input family is rebuilt lazily after mutations
 * and searched by bisection, O(log n), without allocating for string input.
 * @module
 */
import { inspect, type InspectOptions } from "node:util";
import { codedError, errInvalidArgType, errInvalidArgValue } from "./errors.ts";
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from "./ip.ts";
import { _socketAddressValue, SocketAddress } from "./socket_address.ts";
import { validateInt32, validateString } from "./validators.ts";

/** `'ipv4'` or `'ipv6'` (case-insensitive, as Node accepts). */
export type BlockListFamily = "ipv4" | "ipv6" | string;

// Every address lives in one 128-bit space as 4 uint32 words, most
// significant first; IPv4 `x` is stored as its mapped form ::ffff:x, which
// is how Node makes IPv4 rules and inputs meet IPv6 ones.
const _KIND_ADDRESS = 0;
const _KIND_SUBNET = 1;
const _KIND_RANGE = 2;

/** One rule as added; `s*` is the address/network/range start, `e*` the range end. */
class _Rule {
  kind: number;
  fam: 4 | 6;
  efam: 4 | 6 = 4;
  prefix = 0;
  zone: string;
  s0 = 0;
  s1 = 0;
  s2 = 0;
  s3 = 0;
  e0 = 0;
  e1 = 0;
  e2 = 0;
  e3 = 0;
  constructor(kind: number, a: _Addr) {
    this.kind = kind;
    this.fam = a.fam;
    this.zone = a.zone;
    this.s0 = a.w0;
    this.s1 = a.w1;
    this.s2 = a.w2;
    this.s3 = a.w3;
  }
}

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
const _ERR_INVALID_ADDRESS = "ERR_INVALID_ADDRESS";

function _invalidAddress(): Error {
  return codedError(_ERR_INVALID_ADDRESS, "Invalid socket address");
}

function _fromWords(fam: 4 | 6, w: ArrayLike<number>, zone: string): _Addr {
  return {
    fam,
    w0: ((w[0] << 16) | w[1]) >>> 0,
    w1: ((w[2] << 16) | w[3]) >>> 0,
    w2: ((w[4] << 16) | w[5]) >>> 0,
    w3: ((w[6] << 16) | w[7]) >>> 0,
    zone,
  };
}

function _fromV4(v4: number): _Addr {
  return { fam: 4, w0: 0, w1: 0, w2: 0xffff, w3: v4, zone: "" };
}

/** Parses `text` as `family` (already lower-cased); null when invalid. */
function _parse(text: string, family: "ipv4" | "ipv6"): _Addr | null {
  if (family === "ipv4") {
    const v4 = parseIPv4(text);
    return v4 === -1 ? null : _fromV4(v4);
  }
  // Node keeps whatever follows the first `%` as a zone and matches without it.
  const pct = text.indexOf("%");
  const bare = pct === -1 ? text : text.slice(0, pct);
  if (parseIPv6(bare, _words) !== 1) return null;
  return _fromWords(6, _words, pct === -1 ? "" : text.slice(pct + 1));
}

/** Node's family check for string input: a string, lower-cased, then ipv4/ipv6. */
function _family(family: unknown): "ipv4" | "ipv6" {
  validateString(family, "family");
  const lower = family.toLowerCase();
  if (lower !== "ipv4" && lower !== "ipv6") throw errInvalidArgValue("options.family", family);
  return lower;
}

/** A string (parsed as `family`) or a SocketAddress, as every `add*`/`remove*` takes. */
function _toAddr(value: unknown, name: string, family: unknown): _Addr {
  if (SocketAddress.isSocketAddress(value)) {
    const p = _socketAddressValue(value);
    return p.family === 4 ? _fromV4(p.v4) : _fromWords(6, p.words!, "");
  }
  validateString(value, name);
  const addr = _parse(value, _family(family));
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

/** The key addresses are deduplicated by: Node treats 1.2.3.4 and ::ffff:1.2.3.4 as one. */
function _addrKey(w0: number, w1: number, w2: number, w3: number): number | string {
  if (_isMapped(w0, w1, w2)) return w3;
  return `${w0}:${w1}:${w2}:${w3}`;
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

function _ruleText(r: _Rule): string {
  const fam = r.fam === 4 ? "IPv4" : "IPv6";
  const start = _format(r.fam, r.s0, r.s1, r.s2, r.s3);
  if (r.kind === _KIND_ADDRESS) return `Address: ${fam} ${start}`;
  if (r.kind === _KIND_SUBNET) return `Subnet: ${fam} ${start}/${r.prefix}`;
  return `Range: ${fam} ${start}-${_format(r.efam, r.e0, r.e1, r.e2, r.e3)}`;
}

/**
 * Intervals gathered during a rebuild: IPv4 inputs get uint32 intervals,
 * IPv6 inputs 128-bit ones (8 words each: start then end) plus, when the
 * input is IPv4-mapped, the uint32 ones.
 */
class _Collector {
  s4: number[] = [];
  e4: number[] = [];
  v6: number[] = [];

  add6(
    a0: number,
    a1: number,
    a2: number,
    a3: number,
    b0: number,
    b1: number,
    b2: number,
    b3: number,
  ): void {
    this.v6.push(a0, a1, a2, a3, b0, b1, b2, b3);
  }

  /** Adds [a, b] (128-bit) for IPv6 input, and its mapped part for IPv4 input if `v4`. */
  add(
    a0: number,
    a1: number,
    a2: number,
    a3: number,
    b0: number,
    b1: number,
    b2: number,
    b3: number,
    v4: boolean,
  ): void {
    if (_cmp(a0, a1, a2, a3, b0, b1, b2, b3) > 0) return;
    // An interval wholly inside the mapped space that IPv4 input also matches
    // goes to the IPv4 index only; mapped IPv6 input consults both indexes.
    if (!(v4 && _isMapped(a0, a1, a2) && _isMapped(b0, b1, b2))) {
      this.add6(a0, a1, a2, a3, b0, b1, b2, b3);
    }
    if (!v4) return;
    // Clip to ::ffff:0:0/96 and keep the low 32 bits.
    const lo = _cmp(a0, a1, a2, a3, 0, 0, 0xffff, 0) < 0 ? 0 : (_isMapped(a0, a1, a2) ? a3 : -1);
    const hi = _cmp(b0, b1, b2, b3, 0, 0, 0xffff, 0xffffffff) > 0
      ? 0xffffffff
      : (_isMapped(b0, b1, b2) ? b3 : -1);
    if (lo === -1 || hi === -1 || lo > hi) return;
    this.s4.push(lo);
    this.e4.push(hi);
  }
}

/** Adds the intervals of one rule. */
function _collect(c: _Collector, r: _Rule): void {
  if (r.kind === _KIND_ADDRESS) {
    c.add(r.s0, r.s1, r.s2, r.s3, r.s0, r.s1, r.s2, r.s3, true);
  } else if (r.kind === _KIND_SUBNET) {
    const p = r.fam === 4 ? r.prefix + 96 : r.prefix;
    const m0 = _maskWord(p, 0), m1 = _maskWord(p, 1), m2 = _maskWord(p, 2), m3 = _maskWord(p, 3);
    c.add(
      (r.s0 & m0) >>> 0,
      (r.s1 & m1) >>> 0,
      (r.s2 & m2) >>> 0,
      (r.s3 & m3) >>> 0,
      (r.s0 | ~m0) >>> 0,
      (r.s1 | ~m1) >>> 0,
      (r.s2 | ~m2) >>> 0,
      (r.s3 | ~m3) >>> 0,
      true,
    );
  } else {
    _collectRange(c, r);
  }
}

/**
 * A range matches IPv6 input between its ends, restricted to mapped addresses
 * when an end is IPv4 (Node cannot order other IPv6 against it), and IPv4
 * input only when both ends are IPv4 or IPv4-mapped.
 */
function _collectRange(c: _Collector, r: _Rule): void {
  let a0 = r.s0, a1 = r.s1, a2 = r.s2, a3 = r.s3;
  let b0 = r.e0, b1 = r.e1, b2 = r.e2, b3 = r.e3;
  if (r.fam === 4 || r.efam === 4) {
    if (_cmp(a0, a1, a2, a3, 0, 0, 0xffff, 0) < 0) [a0, a1, a2, a3] = [0, 0, 0xffff, 0];
    if (_cmp(b0, b1, b2, b3, 0, 0, 0xffff, 0xffffffff) > 0) {
      [b0, b1, b2, b3] = [0, 0, 0xffff, 0xffffffff];
    }
  }
  const v4 = _v4Comparable(r.fam, r.s0, r.s1, r.s2) && _v4Comparable(r.efam, r.e0, r.e1, r.e2);
  c.add(a0, a1, a2, a3, b0, b1, b2, b3, v4);
}

/** Unions closed intervals given by unsorted starts and ends: sorts each, then sweeps depth. */
function _merge4(s: number[], e: number[]): [Float64Array, Float64Array] {
  const starts = Float64Array.from(s).sort();
  const ends = Float64Array.from(e).sort();
  const outS: number[] = [];
  const outE: number[] = [];
  let i = 0, j = 0, depth = 0;
  while (j < ends.length) {
    if (i < starts.length && starts[i] <= ends[j]) {
      if (depth++ === 0) outS.push(starts[i]);
      i++;
    } else {
      if (--depth === 0) outE.push(ends[j]);
      j++;
    }
  }
  return [Float64Array.from(outS), Float64Array.from(outE)];
}

/** Sorts and unions 128-bit intervals (8 words each); returns the merged list, 8 words each. */
function _merge6(v: number[]): Uint32Array {
  const n = v.length >> 3;
  const order = Array.from({ length: n }, (_, i) => i << 3);
  order.sort((x, y) =>
    _cmp(v[x], v[x + 1], v[x + 2], v[x + 3], v[y], v[y + 1], v[y + 2], v[y + 3])
  );
  const out: number[] = [];
  for (const k of order) {
    const last = out.length - 8;
    if (
      last >= 0 &&
      _cmp(
          v[k],
          v[k + 1],
          v[k + 2],
          v[k + 3],
          out[last + 4],
          out[last + 5],
          out[last + 6],
          out[last + 7],
        ) <= 0
    ) {
      if (
        _cmp(
          v[k + 4],
          v[k + 5],
          v[k + 6],
          v[k + 7],
          out[last + 4],
          out[last + 5],
          out[last + 6],
          out[last + 7],
        ) > 0
      ) {
        out[last + 4] = v[k + 4];
        out[last + 5] = v[k + 5];
        out[last + 6] = v[k + 6];
        out[last + 7] = v[k + 7];
      }
    } else {
      for (let q = 0; q < 8; q++) out.push(v[k + q]);
    }
  }
  return Uint32Array.from(out);
}

const _EMPTY_F64 = new Float64Array(0);
const _EMPTY_U32 = new Uint32Array(0);

/** Whether uint32 `x` lies in one of the sorted disjoint intervals. */
function _search4(starts: Float64Array, ends: Float64Array, x: number): boolean {
  let lo = 0, hi = starts.length - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (starts[mid] <= x) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found !== -1 && x <= ends[found];
}

/** Whether the 128-bit value lies in one of the sorted disjoint intervals (8 words each). */
function _search6(iv: Uint32Array, x0: number, x1: number, x2: number, x3: number): boolean {
  let lo = 0, hi = (iv.length >> 3) - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const k = mid << 3;
    if (_cmp(iv[k], iv[k + 1], iv[k + 2], iv[k + 3], x0, x1, x2, x3) <= 0) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  if (found === -1) return false;
  const k = (found << 3) + 4;
  return _cmp(x0, x1, x2, x3, iv[k], iv[k + 1], iv[k + 2], iv[k + 3]) <= 0;
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
  #addresses = new Map<number | string, _Rule>();
  #subnets: _Rule[] = [];
  #ranges: _Rule[] = [];
  #dirty = false;
  #starts4: Float64Array = _EMPTY_F64;
  #ends4: Float64Array = _EMPTY_F64;
  #index6: Uint32Array = _EMPTY_U32;

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
   * Tells whether `value` is a `BlockList` made by this class.
   * @param value Anything.
   * @returns `true` for a `BlockList`.
   * @example
   * ```ts
   * BlockList.isBlockList(new BlockList()); // true
   * BlockList.isBlockList({}); // false
   * ```
   */
  static isBlockList(value: unknown): value is BlockList {
    return typeof value === "object" && value !== null && #addresses in value;
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
  addAddress(address: string | SocketAddress, type: BlockListFamily = "ipv4"): void {
    this.#putAddress(new _Rule(_KIND_ADDRESS, _toAddr(address, "address", type)));
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
    addresses: readonly (string | SocketAddress)[],
    type: BlockListFamily = "ipv4",
  ): void {
    if (!Array.isArray(addresses)) {
      throw errInvalidArgType("addresses", "an instance of Array", addresses);
    }
    validateString(type, "family");
    const parsed: _Rule[] = [];
    for (let i = 0; i < addresses.length; i++) {
      parsed.push(new _Rule(_KIND_ADDRESS, _toAddr(addresses[i], `addresses[${i}]`, type)));
    }
    for (const rule of parsed) this.#putAddress(rule);
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
    start: string | SocketAddress,
    end: string | SocketAddress,
    type: BlockListFamily = "ipv4",
  ): void {
    this.#ranges.push(_rangeRule(start, end, type));
    this.#dirty = true;
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
  addSubnet(net: string | SocketAddress, prefix: number, type: BlockListFamily = "ipv4"): void {
    this.#subnets.push(_subnetRule(net, prefix, type));
    this.#dirty = true;
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
  removeAddress(address: string | SocketAddress, type: BlockListFamily = "ipv4"): void {
    const a = _toAddr(address, "address", type);
    const key = _addrKey(a.w0, a.w1, a.w2, a.w3);
    if (this.#addresses.delete(key)) this.#dirty = true;
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
    start: string | SocketAddress,
    end: string | SocketAddress,
    type: BlockListFamily = "ipv4",
  ): void {
    const s = _toAddr(start, "start", type);
    const e = _toAddr(end, "end", type);
    this.#removeLast(
      this.#ranges,
      (r) =>
        r.fam === s.fam && r.efam === e.fam && r.zone === s.zone &&
        _cmp(r.s0, r.s1, r.s2, r.s3, s.w0, s.w1, s.w2, s.w3) === 0 &&
        _cmp(r.e0, r.e1, r.e2, r.e3, e.w0, e.w1, e.w2, e.w3) === 0,
    );
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
  removeSubnet(net: string | SocketAddress, prefix: number, type: BlockListFamily = "ipv4"): void {
    const n = _subnetRule(net, prefix, type);
    this.#removeLast(
      this.#subnets,
      (r) =>
        r.fam === n.fam && r.prefix === n.prefix && r.zone === n.zone &&
        _cmp(r.s0, r.s1, r.s2, r.s3, n.s0, n.s1, n.s2, n.s3) === 0,
    );
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
    this.#subnets = [];
    this.#ranges = [];
    this.#dirty = true;
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
  check(address: string | SocketAddress, type: BlockListFamily = "ipv4"): boolean {
    if (this.#dirty) this.#rebuild();
    if (typeof address === "string") {
      if (type === "ipv4") return this.#check4(parseIPv4(address));
      validateString(type, "family");
      const lower = type.toLowerCase();
      if (lower === "ipv4") return this.#check4(parseIPv4(address));
      return lower === "ipv6" && this.#check6String(address);
    }
    if (SocketAddress.isSocketAddress(address)) {
      const p = _socketAddressValue(address);
      return p.family === 4 ? this.#check4(p.v4) : this.#check6Words(p.words!);
    }
    throw errInvalidArgType("address", "of type string", address);
  }

  /** The number of rules, without building the `rules` array. */
  get size(): number {
    return this.#addresses.size + this.#subnets.length + this.#ranges.length;
  }

  /**
   * The rules as Node prints them (`Address: IPv4 1.2.3.4`,
   * `Range: IPv4 a-b`, `Subnet: IPv6 2001:db8::/32`): addresses, then
   * subnets, then ranges, newest first within each kind, as Node 26 lists them.
   */
  get rules(): string[] {
    const out: string[] = [];
    const addrs = [...this.#addresses.values()];
    for (let i = addrs.length - 1; i >= 0; i--) out.push(_ruleText(addrs[i]));
    for (let i = this.#subnets.length - 1; i >= 0; i--) out.push(_ruleText(this.#subnets[i]));
    for (let i = this.#ranges.length - 1; i >= 0; i--) out.push(_ruleText(this.#ranges[i]));
    return out;
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
    for (const [re, kind, family] of _JSON_RULES) {
      const m = re.exec(entry);
      if (m === null) continue;
      if (kind === _KIND_ADDRESS) this.addAddress(m[1], family);
      else if (kind === _KIND_SUBNET) this.addSubnet(m[1], Number.parseInt(m[2], 10), family);
      else this.addRange(m[1], m[2], family);
      return;
    }
  }

  #putAddress(rule: _Rule): void {
    this.#addresses.set(_addrKey(rule.s0, rule.s1, rule.s2, rule.s3), rule);
    this.#dirty = true;
  }

  #removeLast(list: _Rule[], match: (r: _Rule) => boolean): void {
    for (let i = list.length - 1; i >= 0; i--) {
      if (match(list[i])) {
        list.splice(i, 1);
        this.#dirty = true;
        return;
      }
    }
  }

  #check4(v4: number): boolean {
    return v4 !== -1 && _search4(this.#starts4, this.#ends4, v4);
  }

  #check6String(text: string): boolean {
    let ok = parseIPv6(text, _words) !== 0;
    if (!ok) {
      const pct = text.indexOf("%");
      ok = pct !== -1 && parseIPv6(text.slice(0, pct), _words) === 1;
    }
    return ok && this.#check6Words(_words);
  }

  #check6Words(w: Uint16Array): boolean {
    if (w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 0 && w[4] === 0 && w[5] === 0xffff) {
      if (_search4(this.#starts4, this.#ends4, ((w[6] << 16) | w[7]) >>> 0)) return true;
    }
    return _search6(
      this.#index6,
      ((w[0] << 16) | w[1]) >>> 0,
      ((w[2] << 16) | w[3]) >>> 0,
      ((w[4] << 16) | w[5]) >>> 0,
      ((w[6] << 16) | w[7]) >>> 0,
    );
  }

  #rebuild(): void {
    const c = new _Collector();
    for (const r of this.#addresses.values()) _collect(c, r);
    for (const r of this.#subnets) _collect(c, r);
    for (const r of this.#ranges) _collect(c, r);
    [this.#starts4, this.#ends4] = _merge4(c.s4, c.e4);
    this.#index6 = _merge6(c.v6);
    this.#dirty = false;
  }
}

function _subnetRule(net: unknown, prefix: unknown, type: unknown): _Rule {
  const rule = new _Rule(_KIND_SUBNET, _toAddr(net, "network", type));
  validateInt32(prefix, "prefix", 0, rule.fam === 4 ? 32 : 128);
  rule.prefix = prefix;
  return rule;
}

function _rangeRule(start: unknown, end: unknown, type: unknown): _Rule {
  const s = _toAddr(start, "start", type);
  const e = _toAddr(end, "end", type);
  if (_after(s, e)) {
    const shown = SocketAddress.isSocketAddress(start)
      ? start
      : new SocketAddress({ address: start as string, family: s.fam === 4 ? "ipv4" : "ipv6" });
    throw errInvalidArgValue("start", shown, "must come before end");
  }
  const rule = new _Rule(_KIND_RANGE, s);
  rule.efam = e.fam;
  rule.e0 = e.w0;
  rule.e1 = e.w1;
  rule.e2 = e.w2;
  rule.e3 = e.w3;
  return rule;
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
    return `BlockList ${inspect({ rules: this.rules }, nested)}`;
  },
  writable: true,
  configurable: true,
  enumerable: false,
});
