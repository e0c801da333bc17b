/**
 * Name resolution for `connect()` and `listen(port, host)`: one path through
 * the runtime's `node:dns`, with Node's hint values and Node-shaped errors on
 * every runtime. `dns.lookup` is read at the moment a lookup happens, so code
 * that replaces or mocks it affects both, as in Node.
 * @module
 */
import type { LookupOptions } from "node:dns";
import { systemError } from "./errors.ts";
import { isIPv6 } from "./ip.ts";

/**
 * `dns.lookup`'s signature, as the `lookup` connect option takes it; its
 * options are `dns.LookupOptions`, as @types/node's `net.LookupFunction`
 * has them, so that options typed for either module fit the other.
 */
export type LookupFunction = (
  hostname: string,
  options: LookupOptions,
  callback: (
    err: Error | null,
    address: string | { address: string; family: number }[],
    family?: number,
  ) => void,
) => void;

/** getaddrinfo `AI_*` flags with the values Node's `dns` exposes on this platform. */
export interface AiFlags {
  /** `dns.ADDRCONFIG`. */
  ADDRCONFIG: number;
  /** `dns.V4MAPPED`. */
  V4MAPPED: number;
  /** `dns.ALL`. */
  ALL: number;
}

/**
 * Node's flag values. Deno's node:dns reports other numbers, so core keeps
 * its own table and translates when it calls the runtime's resolver.
 */
export const AI: AiFlags = process.platform === "linux"
  ? { ADDRCONFIG: 32, V4MAPPED: 8, ALL: 16 }
  : { ADDRCONFIG: 1024, V4MAPPED: 2048, ALL: 256 };

/** The runtime's node:dns, loaded at the first lookup (an IP literal needs none). */
function _dns(): typeof import("node:dns") {
  return process.getBuiltinModule("node:dns");
}

function _toRuntimeHints(hints: number): number {
  const rt = _dns() as unknown as Partial<AiFlags>;
  let out = 0;
  if (hints & AI.ADDRCONFIG) out |= rt.ADDRCONFIG ?? 0;
  if (hints & AI.V4MAPPED) out |= rt.V4MAPPED ?? 0;
  if (hints & AI.ALL) out |= rt.ALL ?? 0;
  return out;
}

/** Rebuilds a resolver error in Node's shape (Bun reports positive errno values). */
function _dnsError(err: Error, hostname: string): Error {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== "string") return err;
  const known = code === "EAI_NONAME" || code === "EAI_NODATA" ? "ENOTFOUND" : code;
  return systemError({ code: known, syscall: "getaddrinfo", hostname });
}

/**
 * `dns.lookup` (the current one) with Node's hint values and Node-shaped errors.
 * @param hostname the name to resolve
 * @param options family, hints (Node's values) and `all`
 * @param callback receives the error, or the address(es) and family
 * @example
 * ```ts
 * defaultLookup("localhost", { all: true }, (err, list) => console.log(list));
 * ```
 */
export const defaultLookup: LookupFunction = (hostname, options, callback) => {
  const opts = { ...options, hints: _toRuntimeHints(options.hints ?? 0) } as LookupOptions;
  _dns().lookup(hostname, opts, (err, address, family) => {
    if (err) callback(_dnsError(err, hostname), undefined as unknown as string);
    else callback(null, address as string, family);
  });
};

function _isLinkLocal(ip: string): boolean {
  return isIPv6(ip) && /^fe[89ab][0-9a-f]:/i.test(ip);
}

/**
 * Resolves the host of `listen(port, host)` as Node does: every address,
 * then the first that is not IPv6 link-local (else the first).
 * @param host the host given to `listen()`
 * @param callback receives the error, or the address to bind
 * @example
 * ```ts
 * lookupForListen("localhost", (err, ip) => console.log(ip));
 * ```
 */
export function lookupForListen(
  host: string,
  callback: (err: Error | null, address?: string) => void,
): void {
  defaultLookup(host, { all: true }, (err, list) => {
    if (err) {
      callback(err);
      return;
    }
    const all = (Array.isArray(list) ? list : []) as { address: string; family: number }[];
    const pick = all.find((a) => !_isLinkLocal(a.address)) ?? all[0];
    // An empty answer (possible from a replaced dns.lookup) reads as "not found".
    if (pick === undefined) {
      callback(systemError({ code: "ENOTFOUND", syscall: "getaddrinfo", hostname: host }));
    } else callback(null, pick.address);
  });
}
