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

/**
 * Checks the listen options a transport may lack: throws for `reusePort`
 * and `ipv6Only`, warns once for a backlog it ignores.
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
  options: { reusePort?: unknown; ipv6Only?: unknown; backlog: number },
  defaultBacklog: number,
): void {
  const { features, name } = transport;
  if (options.reusePort === true && !features.reusePort) {
    throw errFeatureUnavailable("server.listen({ reusePort: true })", name);
  }
  if (options.ipv6Only === true && !features.ipv6Only) {
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
  options: { reusePort?: boolean; ipv6Only?: boolean },
): void {
  const { features, name } = transport;
  if (features.boundSocket !== true || !transport.bindTcp || !transport.bindUnix) {
    throw errFeatureUnavailable("net.BoundSocket", name);
  }
  if (options.reusePort === true && !features.reusePort) {
    throw errFeatureUnavailable("net.BoundSocket({ reusePort: true })", name);
  }
  if (options.ipv6Only === true && !features.ipv6Only) {
    throw errFeatureUnavailable("net.BoundSocket({ ipv6Only: true })", name);
  }
}
