/**
 * Helpers more than one adapter needs: endpoint construction from the loose
 * fields runtimes report. Every
 * adapter imports these from here; no adapter imports another adapter.
 * @module
 */
import type { AddressInfo, TcpConnectRequest } from "./types.ts";

/**
 * An IP endpoint from the loose fields a runtime reports, or `null` when
 * they do not name one.
 * @param address IP text
 * @param family `'IPv4'`/`'IPv6'` or 4/6 (the text decides where absent)
 * @param port port number
 * @returns the endpoint, or `null`
 * @example
 * ```ts
 * ipEndpoint("::1", "IPv6", 80); // { address: "::1", family: "IPv6", port: 80 }
 * ```
 */
export function ipEndpoint(address: unknown, family: unknown, port: unknown): AddressInfo | null {
  if (typeof address !== "string" || address === "" || typeof port !== "number") return null;
  const fam = family === "IPv6" || family === 6 || address.includes(":") ? "IPv6" : "IPv4";
  return { address, family: fam, port };
}

/**
 * The dialled peer where it costs no syscall: an IPv4 literal that passed
 * isIP() is already in the canonical form getpeername reports; IPv6 text may
 * be written differently (`0:0::1`), so that one is asked for.
 * @param req the dial
 * @returns the remote endpoint, or `undefined` when it must be asked for
 * @example
 * ```ts
 * knownPeer({ address: "127.0.0.1", port: 80, family: 4 });
 * ```
 */
export function knownPeer(req: TcpConnectRequest): AddressInfo | undefined {
  return req.family === 4 ? { address: req.address, family: "IPv4", port: req.port } : undefined;
}

/**
 * Every accepted connection's local end, for a listener bound to one
 * address; `undefined` on a wildcard, where it depends on the route.
 * @param a the listener's address
 * @returns the shared local endpoint, or `undefined`
 * @example
 * ```ts
 * fixedLocal({ address: "127.0.0.1", family: "IPv4", port: 8080 });
 * ```
 */
export function fixedLocal(a: AddressInfo): AddressInfo | undefined {
  if (a.address === "0.0.0.0" || a.address === "::") return undefined;
  return ipEndpoint(a.address, a.family, a.port) ?? undefined;
}
