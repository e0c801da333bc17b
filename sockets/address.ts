/**
 * Address forms of the Sockets API: `"host:port"`, `"[v6]:port"`,
 * `{ hostname, port }`, and omninet's `{ path }` for Unix domain sockets.
 * @module
 */
import { isIP } from "../core/ip.ts";
import { SocketError } from "./error.ts";

/** A TCP endpoint, as the draft's `SocketAddress` dictionary. */
export interface SocketAddress {
  /** Host name or IP literal (IPv6 with or without brackets). */
  hostname: string;
  /** Port, 0-65535 (0 only for `listen`). */
  port: number;
}

/** A Unix domain socket (an omninet extension of the draft). */
export interface UnixSocketAddress {
  /** Filesystem path of the socket. */
  path: string;
}

/** Everything `connect()` takes as an address. */
export type AnySocketAddress = string | SocketAddress | UnixSocketAddress;

/** A parsed address. */
export type Target =
  | { kind: "tcp"; hostname: string; port: number }
  | { kind: "unix"; path: string };

function _port(value: unknown, text: unknown, allowZero: boolean): number {
  const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < (allowZero ? 0 : 1) || n > 65535) {
    throw new SocketError(`invalid port in address ${JSON.stringify(String(text))}`);
  }
  return n;
}

function _host(value: unknown, text: unknown): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new SocketError(`invalid hostname in address ${JSON.stringify(String(text))}`);
  }
  const bare = value.startsWith("[") && value.endsWith("]") ? value.slice(1, -1) : value;
  if (bare.includes(":") && isIP(bare) !== 6) {
    throw new SocketError(`invalid hostname in address ${JSON.stringify(String(text))}`);
  }
  return bare;
}

/**
 * Parses an address argument; malformed input throws a SocketError, as the
 * draft lets `connect()` do.
 */
export function parseAddress(address: unknown, allowZeroPort = false): Target {
  if (typeof address === "string") {
    const v6 = /^\[([^\]]+)\]:([^:]*)$/.exec(address);
    if (v6) {
      return {
        kind: "tcp",
        hostname: _host(`[${v6[1]}]`, address),
        port: _port(v6[2], address, allowZeroPort),
      };
    }
    const colon = address.lastIndexOf(":");
    if (colon <= 0 || address.indexOf(":") !== colon) {
      throw new SocketError(`address ${JSON.stringify(address)} is not "host:port"`);
    }
    return {
      kind: "tcp",
      hostname: _host(address.slice(0, colon), address),
      port: _port(address.slice(colon + 1), address, allowZeroPort),
    };
  }
  if (address !== null && typeof address === "object") {
    const a = address as { hostname?: unknown; port?: unknown; path?: unknown };
    if (a.path !== undefined) {
      if (typeof a.path !== "string" || a.path.length === 0) {
        throw new SocketError("address.path must be a non-empty string");
      }
      return { kind: "unix", path: a.path };
    }
    return {
      kind: "tcp",
      hostname: _host(a.hostname, `${String(a.hostname)}:${String(a.port)}`),
      port: _port(a.port, `${String(a.hostname)}:${String(a.port)}`, allowZeroPort),
    };
  }
  throw new SocketError(`address must be a string or an object; received ${typeof address}`);
}

/** `ip:port` (`[v6]:port`) or the Unix path, for `SocketInfo`. */
export function formatEndpoint(
  ep: { address: string; port: number; family: string } | string | null,
): string | null {
  if (ep === null || typeof ep === "string") return ep === "" ? null : ep;
  return ep.family === "IPv6" ? `[${ep.address}]:${ep.port}` : `${ep.address}:${ep.port}`;
}
