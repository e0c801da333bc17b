/**
 * Feature policy: what core does when the transport in use lacks something
 * Node offers, decided here from `Transport.features` and nowhere else.
 * Adapters only describe themselves; they never throw for a missing feature.
 *
 * - An option a program relies on for correctness (`reusePort`, `ipv6Only`,
 *   a local bind, a descriptor kind the runtime cannot wrap) throws
 *   `ERR_FEATURE_UNAVAILABLE_ON_PLATFORM` before anything is opened.
 * - A tuning value the runtime cannot honour (a listen backlog, a
 *   keep-alive delay) warns once per process and the program runs on.
 * @module
 */
import type { StreamHandle, Transport } from "../runtimes/types.ts";
import { codedTypeError, errFeatureUnavailable, warnOnce } from "./errors.ts";
import { parseIPv6 } from "./ip.ts";

const _words = new Uint16Array(8);

/**
 * Whether IPV6_V6ONLY changes what a socket bound to `address` accepts: the
 * IPv6 wildcard (`::`, dual-stack without the flag) and IPv4-mapped
 * addresses (`::ffff:a.b.c.d`, which take IPv4 peers without it and fail to
 * bind with it). A listener on any other address, IPv4 or IPv6, is the same
 * with the flag or without (Node passes it on and nothing changes).
 * @param address an IP literal
 * @returns whether `ipv6Only` has an effect there
 * @example
 * ```ts
 * ipv6OnlyMatters("::"); // true
 * ipv6OnlyMatters("::1"); // false
 * ```
 */
export function ipv6OnlyMatters(address: string): boolean {
  if (parseIPv6(address, _words) === 0) return false;
  const w = _words;
  if ((w[0] | w[1] | w[2] | w[3] | w[4]) !== 0) return false;
  return w[5] === 0xffff || (w[5] | w[6] | w[7]) === 0;
}

/**
 * Whether `ipv6Only` is asked for where it has an effect and the transport
 * cannot set it: the rule of `listen()` and `net.BoundSocket` alike. Anything
 * but an IP literal (a host name still to be looked up) has no effect yet.
 */
function _ipv6OnlyRefused(transport: Transport, ipv6Only: unknown, address: string): boolean {
  return ipv6Only === true && !transport.features.ipv6Only && ipv6OnlyMatters(address);
}

/**
 * Checks the listen options a transport may lack: throws for `reusePort`,
 * and for `ipv6Only` where it has an effect (no host, which binds `::`, or
 * an IP literal {@link ipv6OnlyMatters}; a host name is checked once looked
 * up, {@link checkListenAddress}); warns once for a backlog it ignores.
 * @param transport the transport that will listen
 * @param options the options asked for
 * @param defaultBacklog the backlog used when none was given
 * @example
 * ```ts
 * checkListen(getTransport(), { reusePort: true, backlog: 511 }, 511);
 * ```
 */
export function checkListen(
  transport: Transport,
  options: { reusePort?: unknown; ipv6Only?: unknown; backlog: number; host?: unknown },
  defaultBacklog: number,
): void {
  const { features, name } = transport;
  if (options.reusePort === true && !features.reusePort) {
    throw errFeatureUnavailable("server.listen({ reusePort: true })", name);
  }
  // No host binds '::'; a host name is checked once looked up (checkListenAddress).
  const host = options.host;
  const address = !host ? "::" : typeof host === "string" ? host : "";
  if (_ipv6OnlyRefused(transport, options.ipv6Only, address)) {
    throw errFeatureUnavailable("server.listen({ ipv6Only: true })", name);
  }
  if (options.backlog !== defaultBacklog && !features.backlog) {
    warnOnce(
      "OMNINET_BACKLOG_IGNORED",
      `listen backlog ${options.backlog} is not supported by the ${name} transport; the runtime's own backlog is used`,
    );
  }
}

/**
 * The `ipv6Only` check of {@link checkListen} for the address a host name
 * was looked up to.
 * @param transport the transport that will listen
 * @param ipv6Only the option as given
 * @param address the looked-up IP literal
 * @returns the error to emit, or null
 * @example
 * ```ts
 * checkListenAddress(getTransport(), true, "127.0.0.1"); // null
 * ```
 */
export function checkListenAddress(
  transport: Transport,
  ipv6Only: boolean,
  address: string,
): Error | null {
  if (!_ipv6OnlyRefused(transport, ipv6Only, address)) return null;
  return errFeatureUnavailable("server.listen({ ipv6Only: true })", transport.name);
}

/**
 * The `typeOfService` option of `new Socket()` (Node 24+): kept to be set at
 * connect where the transport sets a socket's TOS; elsewhere a tuning value
 * it cannot honour, so it warns once (`OMNINET_TYPE_OF_SERVICE_IGNORED`) and
 * is dropped (Node 20's own `node:net` ignores the option).
 * @param transport the transport the socket will run on
 * @param tos the validated option
 * @returns the value to keep, or `undefined`
 * @example
 * ```ts
 * initialTypeOfService(getTransport(), 0x10); // 16 where TOS can be set
 * ```
 */
export function initialTypeOfService(transport: Transport, tos: number): number | undefined {
  if (transport.features.typeOfService === true) return tos;
  warnOnce(
    "OMNINET_TYPE_OF_SERVICE_IGNORED",
    `The ${transport.name} transport cannot set a socket's type of service; the typeOfService option is ignored`,
  );
  return undefined;
}

/**
 * Throws when a dial asks for a local endpoint the transport cannot bind.
 * @param transport the transport that will dial
 * @param local the `localAddress`/`localPort` asked for
 * @example
 * ```ts
 * checkLocalBind(getTransport(), { localPort: 5000 });
 * ```
 */
export function checkLocalBind(
  transport: Transport,
  local: { localAddress?: string; localPort?: number },
): void {
  if ((local.localAddress || local.localPort) && !transport.features.localBind) {
    throw errFeatureUnavailable("localAddress/localPort on connect", transport.name);
  }
}

/**
 * Sets keep-alive on a handle; where the transport cannot set the delay,
 * the flag is set and a warning says the system's delay is used. The probe
 * interval and count go to the handle where the transport sets them
 * (`features.keepAliveProbes`); elsewhere giving either while enabling warns
 * once (`OMNINET_KEEPALIVE_PROBES_IGNORED`) and the system's values apply.
 * @param transport the transport the handle belongs to
 * @param handle the connected handle
 * @param enable SO_KEEPALIVE on or off
 * @param delayMs the first probe's delay (0: the system's)
 * @param intervalMs milliseconds between probes, if given
 * @param count probes before the connection is dropped, if given
 * @example
 * ```ts
 * applyKeepAlive(getTransport(), handle, true, 60_000, 10_000, 5);
 * ```
 */
export function applyKeepAlive(
  transport: Transport,
  handle: StreamHandle,
  enable: boolean,
  delayMs: number,
  intervalMs?: number,
  count?: number,
): void {
  if (enable && delayMs > 0 && !transport.features.keepAliveDelay) {
    warnOnce(
      "OMNINET_KEEPALIVE_DELAY_IGNORED",
      `The ${transport.name} transport cannot set the keep-alive initial delay; SO_KEEPALIVE is on with the system's delay`,
    );
  }
  if (intervalMs === undefined && count === undefined) {
    handle.setKeepAlive(enable, delayMs);
  } else if (transport.features.keepAliveProbes === true) {
    handle.setKeepAlive(enable, delayMs, intervalMs, count);
  } else {
    if (enable) {
      warnOnce(
        "OMNINET_KEEPALIVE_PROBES_IGNORED",
        `The ${transport.name} transport cannot set the keep-alive probe interval or count; the system's apply`,
      );
    }
    handle.setKeepAlive(enable, delayMs);
  }
}

/**
 * The kind of descriptor `fd` is, as Node's `ERR_INVALID_FD_TYPE` names it.
 * @param fd a file descriptor
 * @returns `SOCKET`, `PIPE`, `TTY`, `FILE` or `UNKNOWN`
 * @example
 * ```ts
 * fdType(0); // "TTY" in a terminal
 * ```
 */
export function fdType(fd: number): string {
  let st;
  try {
    st = process.getBuiltinModule("node:fs").fstatSync(fd);
  } catch {
    return "UNKNOWN";
  }
  if (st.isSocket()) return "SOCKET";
  if (st.isFIFO()) return "PIPE";
  if (st.isCharacterDevice() && process.getBuiltinModule("node:tty").isatty(fd)) return "TTY";
  if (st.isFile() || st.isCharacterDevice()) return "FILE";
  return "UNKNOWN";
}

/**
 * `ERR_INVALID_FD_TYPE` for a descriptor `new Socket({ fd })` cannot wrap:
 * Node wraps sockets and pipes only.
 * @param type the kind from {@link fdType}
 * @returns the error Node throws
 * @example
 * ```ts
 * throw errInvalidFdType("FILE");
 * ```
 */
export function errInvalidFdType(type: string): TypeError {
  return codedTypeError("ERR_INVALID_FD_TYPE", `Unsupported fd type: ${type}`);
}

/**
 * Checks that `new Socket({ fd })` can wrap `fd` on this transport, which
 * may lack descriptors altogether, or pipes (`features.fdPipe: false`).
 * @param transport the transport that will wrap it
 * @param fd the descriptor
 * @example
 * ```ts
 * checkOpenFd(getTransport(), 3);
 * ```
 */
export function checkOpenFd(transport: Transport, fd: number): void {
  if (!transport.openFd) throw errFeatureUnavailable("net.Socket({ fd })", transport.name);
  if (transport.features.fdPipe === false && fdType(fd) === "PIPE") {
    throw errFeatureUnavailable("net.Socket({ fd }) on a pipe", transport.name);
  }
}

/**
 * Checks that `new net.BoundSocket()` can bind on this transport: the
 * runtime must hold a socket that is bound without listening or connecting
 * (`Transport.bindTcp`/`bindUnix`), and honour `reusePort`/`ipv6Only` when
 * asked, as for `listen()`.
 * @param transport the transport that will bind
 * @param options the TCP flags asked for (none for a Unix path)
 * @example
 * ```ts
 * checkBoundSocket(getTransport(), { reusePort: true });
 * ```
 */
export function checkBoundSocket(
  transport: Transport,
  options: { reusePort?: boolean; ipv6Only?: boolean; address?: string },
): void {
  const { features, name } = transport;
  if (features.boundSocket !== true || !transport.bindTcp || !transport.bindUnix) {
    throw errFeatureUnavailable("net.BoundSocket", name);
  }
  if (options.reusePort === true && !features.reusePort) {
    throw errFeatureUnavailable("net.BoundSocket({ reusePort: true })", name);
  }
  if (_ipv6OnlyRefused(transport, options.ipv6Only, options.address ?? "::")) {
    throw errFeatureUnavailable("net.BoundSocket({ ipv6Only: true })", name);
  }
}
