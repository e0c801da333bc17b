/**
 * Parsing of the CLI's endpoint arguments: `[host:]port`, `[ipv6]:port` and
 * Unix socket paths. Pure functions, so every rule is unit-tested.
 * @module
 */
import { isIP, isIPv6 } from "../mod.ts";

/** A mistake in the command line; the CLI prints it with a usage hint and exits 1. */
export class UsageError extends Error {
  /**
   * @param message What is wrong, for the user.
   * @example
   * ```ts
   * throw new UsageError("bad port 'x': must be an integer from 0 to 65535");
   * ```
   */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A TCP endpoint (`host` absent means: all interfaces for listen, localhost for connect). */
export interface TcpEndpoint {
  /** Discriminant. */
  kind: "tcp";
  /** IP literal (IPv6 without brackets) or hostname; `undefined` when only a port was given. */
  host: string | undefined;
  /** Port number. */
  port: number;
}

/** A Unix domain socket endpoint. */
export interface UnixEndpoint {
  /** Discriminant. */
  kind: "unix";
  /** Filesystem path of the socket. */
  path: string;
}

/** Where to listen or connect. */
export type Endpoint = TcpEndpoint | UnixEndpoint;

const _HOSTNAME =
  /^(?=.{1,253}\.?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

/**
 * Parses a port number written in decimal.
 * @param text The argument as typed.
 * @param allowZero Whether 0 (any free port) is acceptable, as it is for listen.
 * @returns The port.
 * @example
 * ```ts
 * parsePort("8080", false); // 8080
 * ```
 */
export function parsePort(text: string, allowZero: boolean): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  const min = allowZero ? 0 : 1;
  if (!(port >= min && port <= 65535)) {
    throw new UsageError(`bad port '${text}': must be an integer from ${min} to 65535`);
  }
  return port;
}

/**
 * Checks that `host` is an IP literal or a well-formed hostname.
 * @param host Host as typed (IPv6 already without brackets).
 * @returns `host`, unchanged.
 * @example
 * ```ts
 * parseHost("localhost"); // "localhost"
 * ```
 */
export function parseHost(host: string): string {
  if (isIP(host) !== 0) return host;
  // All digits and dots but not an IPv4 address: a typo such as 127.0.0.256, not a hostname.
  if (/^[\d.]+$/.test(host) || !_HOSTNAME.test(host)) {
    throw new UsageError(`bad address '${host}': not an IP address or hostname`);
  }
  return host;
}

/**
 * Parses `port`, `host:port`, `[ipv6]:port` or a Unix socket path (anything
 * containing `/`).
 * @param text The argument as typed.
 * @param mode `"listen"` accepts port 0; `"connect"` does not.
 * @returns The endpoint.
 * @example
 * ```ts
 * parseEndpoint("[::1]:8080", "connect"); // { kind: "tcp", host: "::1", port: 8080 }
 * parseEndpoint("/tmp/app.sock", "listen"); // { kind: "unix", path: "/tmp/app.sock" }
 * ```
 */
export function parseEndpoint(text: string, mode: "listen" | "connect"): Endpoint {
  const allowZero = mode === "listen";
  if (text.includes("/")) return { kind: "unix", path: text };
  if (/^\d+$/.test(text)) return { kind: "tcp", host: undefined, port: parsePort(text, allowZero) };
  const bracketed = /^\[([^\]]+)\]:(.*)$/.exec(text);
  if (bracketed) {
    if (!isIPv6(bracketed[1])) {
      throw new UsageError(`bad address '${bracketed[1]}': not an IPv6 address`);
    }
    return { kind: "tcp", host: bracketed[1], port: parsePort(bracketed[2], allowZero) };
  }
  const colon = text.lastIndexOf(":");
  if (colon === -1) {
    throw new UsageError(
      `bad address '${text}': expected port, host:port, [ipv6]:port or a path containing '/'`,
    );
  }
  if (text.indexOf(":") !== colon) {
    throw new UsageError(`bad address '${text}': write IPv6 addresses in brackets, as [::1]:8080`);
  }
  const host = text.slice(0, colon);
  return { kind: "tcp", host: parseHost(host), port: parsePort(text.slice(colon + 1), allowZero) };
}

/**
 * Formats an endpoint for messages: `127.0.0.1:80`, `[::1]:80`, or the path.
 * @param endpoint A TCP endpoint as `{ address, port }` or a Unix path.
 * @returns The printable form.
 * @example
 * ```ts
 * formatEndpoint({ address: "::1", port: 80 }); // "[::1]:80"
 * ```
 */
export function formatEndpoint(endpoint: { address?: string; port?: number } | string): string {
  if (typeof endpoint === "string") return endpoint;
  const address = endpoint.address ?? "?";
  return `${address.includes(":") ? `[${address}]` : address}:${endpoint.port ?? "?"}`;
}
