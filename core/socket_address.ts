/**
 * `net.SocketAddress`: an immutable IP address + port + family (+ IPv6 flow
 * label), validated and normalised as Node does, identical on every runtime.
 * @module
 */
import type * as nodeNet from "node:net";
import type { InspectOptions } from "node:util";
import { codedError, errInvalidArgValue, errOutOfRange } from "./errors.ts";
import { formatIPv6, parseIPv4, parseIPv6 } from "./ip.ts";
import { validateObject, validatePort, validateString, validateUint32 } from "./validators.ts";
import {
  cloneableSocketAddress,
  type NativeSocketAddressInit,
  nativeSocketAddressPrototype,
} from "../runtimes/node/handoff.ts";

/** An IP version as `BlockList` and `SocketAddress` name it. */
export type IPVersion = "ipv4" | "ipv6";

/** Options of `new SocketAddress()`. */
export interface SocketAddressInitOptions {
  /** The address: `'127.0.0.1'` by default for IPv4, `'::'` for IPv6. */
  address?: string;
  /** The port, 0-65535 (a numeric string works too at run time, as on Node). Default 0. */
  port?: number;
  /** `'ipv4'` (default) or `'ipv6'` (other cases work too at run time, as on Node). */
  family?: IPVersion;
  /** The IPv6 flow label (20 bits); ignored for IPv4. Default 0. */
  flowlabel?: number;
}

/** What `SocketAddress.prototype.toJSON()` returns. */
export interface SocketAddressJSON {
  /** The canonical address text. */
  address: string;
  /** The port. */
  port: number;
  /** `'ipv4'` or `'ipv6'`. */
  family: "ipv4" | "ipv6";
  /** The flow label (0 for IPv4). */
  flowlabel: number;
}

/**
 * The parsed numeric form of a `SocketAddress`, for `BlockList`: for IPv4
 * `v4` is the uint32 value and `words` is null; for IPv6 `v4` is -1 and
 * `words` holds the 8 16-bit words (shared: never mutate it).
 */
export interface ParsedSocketAddress {
  /** 4 or 6. */
  readonly family: 4 | 6;
  /** The IPv4 value in `[0, 2 ** 32)`, or -1 for IPv6. */
  readonly v4: number;
  /** The IPv6 words, or null for IPv4. */
  readonly words: Uint16Array | null;
}

const _ERR_INVALID_ADDRESS = "ERR_INVALID_ADDRESS";

function _invalidAddress(): Error {
  return codedError(_ERR_INVALID_ADDRESS, "Invalid socket address");
}

/** Node lower-cases anything that has a `toLowerCase()` before checking the family. */
function _family(value: unknown): "ipv4" | "ipv6" {
  let family = value;
  const lower = (value as { toLowerCase?: unknown } | null)?.toLowerCase;
  if (typeof lower === "function") family = lower.call(value);
  if (family === "ipv4" || family === "ipv6") return family;
  throw errInvalidArgValue("options.family", value);
}

/**
 * Parses `address` for `family`. For IPv6 the zone ID is dropped, as Node
 * does: it keeps only what precedes the first `%`, whatever the zone says.
 */
function _parseAddress(address: string, family: "ipv4" | "ipv6"): ParsedSocketAddress {
  if (family === "ipv4") {
    const v4 = parseIPv4(address);
    if (v4 === -1) throw _invalidAddress();
    return Object.freeze({ family: 4, v4, words: null });
  }
  const zone = address.indexOf("%");
  const words = new Uint16Array(8);
  if (parseIPv6(zone === -1 ? address : address.slice(0, zone), words) !== 1) {
    throw _invalidAddress();
  }
  return Object.freeze({ family: 6, v4: -1, words });
}

let _peek: (sa: SocketAddress) => ParsedSocketAddress;
let _own: (value: object) => boolean;

/**
 * The base of omninet's `SocketAddress`. Where the runtime's own socket
 * addresses can be cloned (Node), each one is built by node:net's
 * constructor (which gives it the clone mark that Node's serializer asks
 * for, and node:net's native address), and omninet's fields go on that
 * object; a clone then arrives as a `node:net` `SocketAddress` with the same
 * fields, as node:net's own do. Elsewhere it is an ordinary object.
 */
class _SocketAddressBase {
  constructor(init: NativeSocketAddressInit) {
    const Native = cloneableSocketAddress();
    if (Native !== null) {
      try {
        // Built for node:net's own class, then given this class's prototype: V8 builds an
        // object for another class's constructor (Reflect.construct's new.target) about 4x
        // slower (Node 26: 4.6 against 1.3 µs).
        const made = Reflect.construct(Native, [init]) as object;
        return Object.setPrototypeOf(made, new.target.prototype) as _SocketAddressBase;
      } catch {
        // An address omninet takes and node:net's constructor refuses: valid, not cloneable.
      }
    }
  }
}

/**
 * An omninet `SocketAddress` or one of the runtime's own `node:net` (as
 * @types/node types it): what `BlockList` methods take besides a string.
 */
export type AnySocketAddress = SocketAddress | nodeNet.SocketAddress;

/**
 * An IP socket address: address, port, family and flow label, validated
 * once at construction. IPv6 addresses are stored in Node's printed form.
 * @example
 * ```ts
 * const sa = new SocketAddress({ address: "::FFFF:127.0.0.1", family: "ipv6", port: 80 });
 * sa.address; // "::ffff:127.0.0.1"
 * sa.toJSON(); // { address: "::ffff:127.0.0.1", port: 80, family: "ipv6", flowlabel: 0 }
 * ```
 */
export class SocketAddress extends Object {
  #address: string;
  #port: number;
  #family: "ipv4" | "ipv6";
  #flowlabel: number;
  #parsed: ParsedSocketAddress;

  static {
    _peek = (sa) => sa.#parsed;
  }

  /**
   * Creates a socket address.
   * @param options `address`, `port`, `family`, `flowlabel`; see {@link SocketAddressInitOptions}.
   * @throws `ERR_INVALID_ARG_TYPE`, `ERR_INVALID_ARG_VALUE` (family), `ERR_SOCKET_BAD_PORT`,
   * `ERR_OUT_OF_RANGE` (flowlabel) or `ERR_INVALID_ADDRESS` for an address not of `family`.
   */
  constructor(options: SocketAddressInitOptions = {}) {
    validateObject(options, "options");
    const family = options.family === undefined ? "ipv4" : _family(options.family);
    const address = options.address === undefined
      ? (family === "ipv4" ? "127.0.0.1" : "::")
      : options.address;
    validateString(address, "options.address");
    const port = validatePort(options.port === undefined ? 0 : options.port, "options.port");
    const flowlabel = options.flowlabel === undefined ? 0 : options.flowlabel;
    validateUint32(flowlabel, "options.flowlabel");
    // The flow label is a 20-bit field; Node aborts the process beyond it, we throw.
    if (family === "ipv6" && flowlabel > 0xfffff) {
      throw errOutOfRange("options.flowlabel", ">= 0 && <= 1048575", flowlabel);
    }
    const parsed = _parseAddress(address, family);
    const shown = family === "ipv4" ? address : formatIPv6(parsed.words!);
    const label = family === "ipv6" ? flowlabel : 0;
    super({ address: shown, port, family, flowlabel: label });
    this.#parsed = parsed;
    this.#address = shown;
    this.#port = port;
    this.#family = family;
    this.#flowlabel = label;
  }

  /** The address in Node's printed form (IPv6 lower-case and compressed, zone dropped). */
  get address(): string {
    return this.#address;
  }

  /** The port, 0-65535. */
  get port(): number {
    return this.#port;
  }

  /** `'ipv4'` or `'ipv6'`. */
  get family(): "ipv4" | "ipv6" {
    return this.#family;
  }

  /** The IPv6 flow label; always 0 for IPv4. */
  get flowlabel(): number {
    return this.#flowlabel;
  }

  /**
   * A plain object with the four properties.
   * @returns `{ address, port, family, flowlabel }`.
   */
  toJSON(): SocketAddressJSON {
    return {
      address: this.#address,
      port: this.#port,
      family: this.#family,
      flowlabel: this.#flowlabel,
    };
  }

  /**
   * Parses `'1.2.3.4'`, `'1.2.3.4:80'`, `'[::1]'` or `'[::1]:80'` (an empty
   * port after `:` means 0). Unlike Node's URL-based parser, an explicit
   * `:80` yields port 80 as documented, and URL leniencies (hex or short IPv4,
   * user info, paths, trailing spaces) are not accepted.
   * @param input The text to parse.
   * @returns A `SocketAddress`, or `undefined` if `input` is not an address with an optional port.
   * @throws `ERR_INVALID_ARG_TYPE` if `input` is not a string.
   * @example
   * ```ts
   * SocketAddress.parse("[::1]:8080")?.port; // 8080
   * SocketAddress.parse("example.com:80"); // undefined
   * ```
   */
  static parse(input: string): SocketAddress | undefined {
    validateString(input, "input");
    let hostEnd: number;
    let portStart: number;
    let family: "ipv4" | "ipv6";
    if (input.charCodeAt(0) === 0x5b /* [ */) {
      hostEnd = input.indexOf("]");
      if (hostEnd === -1) return undefined;
      portStart = hostEnd + 1;
      family = "ipv6";
    } else {
      const colon = input.indexOf(":");
      hostEnd = colon === -1 ? input.length : colon;
      portStart = hostEnd;
      family = "ipv4";
    }
    const port = _parsePortSuffix(input, portStart);
    if (port === -1) return undefined;
    const host = family === "ipv6" ? input.slice(1, hostEnd) : input.slice(0, hostEnd);
    // URLs carry no zone IDs, so Node's parse() rejects them; so do we.
    if (family === "ipv6" ? parseIPv6(host, _scratch) !== 1 : parseIPv4(host) === -1) {
      return undefined;
    }
    return new SocketAddress({ address: host, port, family });
  }

  /**
   * Tells whether `value` is a `SocketAddress`: one of this class, or one
   * of the runtime's own `node:net` (such as a clone of one of this class
   * received from another thread), which omninet's `BlockList` takes too.
   * @param value Anything.
   * @returns `true` for a `SocketAddress` instance.
   * @example
   * ```ts
   * SocketAddress.isSocketAddress(new SocketAddress()); // true
   * SocketAddress.isSocketAddress({ address: "1.2.3.4" }); // false
   * ```
   */
  static isSocketAddress(value: unknown): value is SocketAddress {
    if (typeof value !== "object" || value === null) return false;
    return #address in value || _isRuntimeAddress(value);
  }

  static {
    _own = (value) => #address in value;
  }
}

const _scratch = new Uint16Array(8);

/** The port after `input[at]` (`""` or `":digits"`), or -1 when malformed or above 65535. */
function _parsePortSuffix(input: string, at: number): number {
  if (at === input.length) return 0;
  if (input.charCodeAt(at) !== 0x3a /* : */) return -1;
  let port = 0;
  for (let i = at + 1; i < input.length; i++) {
    const d = input.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    port = port * 10 + d;
    if (port > 0xffff) return -1;
  }
  return port;
}

// `super()` runs _SocketAddressBase (a parent set here, not in the declaration, so that the
// public class names no private one). The clone method node:net's serializer calls is on
// node:net's prototype; omninet's getters, toJSON() and inspection shadow the rest.
Object.setPrototypeOf(SocketAddress, _SocketAddressBase);
Object.setPrototypeOf(SocketAddress.prototype, _SocketAddressBase.prototype);
Object.setPrototypeOf(_SocketAddressBase.prototype, nativeSocketAddressPrototype());

// Printed as Node prints it: `SocketAddress { address: '::1', port: 80, ... }`.
Object.defineProperty(SocketAddress.prototype, Symbol.for("nodejs.util.inspect.custom"), {
  value(this: SocketAddress, depth: number, options: InspectOptions): string {
    if (depth < 0) return "[SocketAddress]";
    const nested = { ...options, depth: options.depth == null ? options.depth : depth - 1 };
    return `SocketAddress ${process.getBuiltinModule("node:util").inspect(this.toJSON(), nested)}`;
  },
  writable: true,
  configurable: true,
  enumerable: false,
});

/**
 * Internal, for `BlockList`: the parsed numeric value of a `SocketAddress`
 * without re-parsing its text. The returned object is frozen and shared.
 * @param sa A `SocketAddress` (check with `SocketAddress.isSocketAddress` first).
 * @returns `{ family: 4, v4, words: null }` or `{ family: 6, v4: -1, words }`.
 * @example
 * ```ts
 * _socketAddressValue(new SocketAddress({ address: "10.0.0.1" })).v4; // 167772161
 * ```
 */
export function _socketAddressValue(sa: SocketAddress): ParsedSocketAddress {
  // One of the runtime's node:net: read from its (valid, printed) address.
  return _own(sa) ? _peek(sa) : _parseAddress(sa.address, sa.family);
}

/** A socket address of the runtime's own `node:net`. */
function _isRuntimeAddress(value: object): boolean {
  // An instance of node:net's class (Deno's isSocketAddress() also takes plain objects with
  // the four fields, which Node's does not). omninet's prototype inherits from node:net's: an
  // object of it that is no address is none.
  return Object.prototype.isPrototypeOf.call(nativeSocketAddressPrototype(), value) &&
    !(value instanceof SocketAddress);
}
