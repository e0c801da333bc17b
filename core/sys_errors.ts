/**
 * Core's side of the transport calls whose outcome Node shapes by rule.
 *
 * Adapters report facts: the errno name, the syscall the runtime blamed, the
 * endpoint dialled or bound. The rules Node applies on top of those facts
 * live here, once for every adapter:
 * - a Unix socket path longer than `sun_path` fails with `EINVAL` (listen and
 *   connect), instead of binding a truncated name;
 * - Unix listen errors carry `port: -1`, and a missing directory (`ENOENT`
 *   from bind) reads `EACCES`, as libuv reports it;
 * - a dial's local bind failure is a `bind` error naming the local end, and a
 *   local address of the other family fails with `bind EINVAL`;
 * - `readableAll`/`writableAll` set the socket file's mode to 0o444, 0o222
 *   or 0o666, as Node 24 and 26 do.
 * @module
 */
import { Buffer } from "./builtins.ts";
import { RUNTIME_ERROR, type SystemError, systemError } from "./errors.ts";
import { isIP } from "./ip.ts";
import type {
  ConnectCallback,
  Dial,
  ListenCallback,
  ListenerEvents,
  TcpConnectRequest,
  Transport,
} from "../runtimes/types.ts";

/** A Unix listen as core asks for it: the adapter's request plus the file mode. */
export interface UnixListenOptions {
  /** Filesystem path of the socket. */
  path: string;
  /** Listen backlog. */
  backlog: number;
  /** Make the socket readable by all users. */
  readableAll: boolean;
  /** Make the socket writable by all users. */
  writableAll: boolean;
  /** `exclusive` of `listen()` (cluster workers). */
  exclusive?: boolean;
}

// Bytes of sockaddr_un.sun_path: 108 on Linux, 104 on the BSDs and macOS.
// libuv accepts a name that fills it exactly (no terminating NUL needed).
const _SUN_PATH = process.platform === "linux" ? 108 : 104;

// Codes a dial with a local endpoint gets from its bind(), whatever syscall
// the runtime names (Bun says `connect`, libuv reports them on connect).
const _BIND_CODES = new Set(["EADDRINUSE", "EADDRNOTAVAIL"]);

/**
 * Rebuilds `err` with some fields changed, message included.
 * @param err the error an adapter reported
 * @param fields the fields that change
 * @returns a new Node system error, keeping the runtime's error of `err` (or `err`) as
 * {@link RUNTIME_ERROR}
 * @example
 * ```ts
 * const e = reshape(systemError({ code: "ENOENT", syscall: "listen" }), { code: "EACCES" });
 * ```
 */
export function reshape(
  err: SystemError,
  fields: { code?: string; syscall?: string; address?: string; port?: number },
): SystemError {
  const pick = <K extends keyof typeof fields>(k: K) => k in fields ? fields[k] : err[k];
  return systemError({
    code: pick("code")!,
    syscall: pick("syscall")!,
    address: pick("address"),
    port: pick("port"),
    hostname: err.hostname,
    cause: (err as unknown as Record<symbol, unknown>)[RUNTIME_ERROR] ?? err,
  });
}

/**
 * The `EINVAL` Node raises for a Unix socket path too long for `sun_path`,
 * or with a NUL byte in a filesystem path (an abstract name, which starts
 * with one, may hold more): libuv refuses it, where a runtime that passes
 * the text on as a C string would use the path up to the NUL (Bun's did).
 * @param path the socket path
 * @param syscall `listen` or `connect`
 * @returns the error, or `null` when the path fits
 * @example
 * ```ts
 * unixPathError("/tmp/" + "x".repeat(200), "connect")?.code; // "EINVAL"
 * ```
 */
export function unixPathError(path: string, syscall: string): SystemError | null {
  const nul = path.charCodeAt(0) !== 0 && path.includes("\0");
  if (!nul && Buffer.byteLength(path) <= _SUN_PATH) return null;
  // Node 22+ fails the connect call itself, whose errors name the local end (none for a pipe).
  const local = syscall === "connect" ? NO_LOCAL : undefined;
  return systemError({ code: "EINVAL", syscall, address: path, local });
}

/** The local end Node names for a socket that has none (a pipe, a socket never created). */
export const NO_LOCAL = "undefined:undefined";

/**
 * The error of a connect call Node's handle refuses at once, on a socket with
 * no local end to name: `connect CODE address[:port] - Local (undefined:undefined)`.
 * @param code the error's code
 * @param address the dialled address or Unix path
 * @param port the dialled port (none for a path)
 * @returns the error
 * @example
 * ```ts
 * refusedConnect("EALREADY", "127.0.0.1", 80).message;
 * // "connect EALREADY 127.0.0.1:80 - Local (undefined:undefined)"
 * ```
 */
export function refusedConnect(code: string, address: string, port?: number): SystemError {
  return systemError({ code, syscall: "connect", address, port, local: NO_LOCAL });
}

// Codes the connect() system call returns at once, for which Node's message names the local end.
// Others (ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH...) arrive later, without it.
const _SYNC_CONNECT_CODES = new Set([
  "EALREADY",
  "ENETUNREACH",
  "EACCES",
  "EPERM",
  "EADDRNOTAVAIL",
  "EAFNOSUPPORT",
  "EINVAL",
]);

/**
 * Whether Node's dial fails with `err` within its connect or bind call, where
 * Node destroys the socket without a `'connectionAttemptFailed'` (a single
 * dial; Happy Eyeballs reports every failed attempt).
 * @param err a dial's error
 * @returns `true` for a bind error, or a connect error the system call returns at once
 * @example
 * ```ts
 * failsAtOnce(systemError({ code: "ENETUNREACH", syscall: "connect" })); // true
 * ```
 */
export function failsAtOnce(err: Error): boolean {
  const e = err as { code?: unknown; syscall?: unknown };
  return e.syscall === "bind" ||
    (e.syscall === "connect" && typeof e.code === "string" && _SYNC_CONNECT_CODES.has(e.code));
}

/**
 * Node's ` - Local (...)` detail for a TCP connect error, for adapters whose
 * runtime does not say whether its connect call failed at once: by the code
 * (those the connect() system call returns at once), with the local end an
 * unbound socket or the bound one has. (The libuv adapter knows, and asks
 * its handle instead.)
 * @param code the error's code
 * @param address the dialled IP address
 * @param localAddress the local address the dial was bound to, if any
 * @returns the detail, or `undefined` for an error Node reports without one
 * @example
 * ```ts
 * connectErrorLocal("ENETUNREACH", "255.255.255.255"); // "0.0.0.0:0"
 * connectErrorLocal("ECONNREFUSED", "127.0.0.1"); // undefined
 * ```
 */
export function connectErrorLocal(
  code: string,
  address: string,
  localAddress?: string,
): string | undefined {
  if (!_SYNC_CONNECT_CODES.has(code)) return undefined;
  // EAFNOSUPPORT: the socket was never created, so there is no local end to name.
  if (code === "EAFNOSUPPORT") return NO_LOCAL;
  return `${localAddress ?? (isIP(address) === 6 ? "::" : "0.0.0.0")}:0`;
}

/** Node's form of a Unix listen error: port -1, and libuv's EACCES for a missing directory. */
function _unixListenError(err: SystemError): SystemError {
  const e = err.code === "ENOENT" && err.syscall === "listen"
    ? reshape(err, { code: "EACCES" })
    : err;
  e.port = -1;
  return e;
}

/**
 * Sets a Unix socket file's mode for `readableAll`/`writableAll`.
 * @param path the bound socket's path
 * @param readableAll everyone may read
 * @param writableAll everyone may write
 * @returns `null`, or the `uv_pipe_chmod` error
 * @example
 * ```ts
 * setPipeMode("/tmp/app.sock", true, true); // mode 0o666
 * ```
 */
export function setPipeMode(
  path: string,
  readableAll: boolean,
  writableAll: boolean,
): SystemError | null {
  const mode = (readableAll ? 0o444 : 0) | (writableAll ? 0o222 : 0);
  if (mode === 0) return null;
  try {
    process.getBuiltinModule("node:fs").chmodSync(path, mode);
    return null;
  } catch (err) {
    const code = (err as { code?: unknown })?.code;
    return systemError({
      code: typeof code === "string" ? code : "EIO",
      syscall: "uv_pipe_chmod",
      cause: err,
    });
  }
}

/**
 * Listens on a Unix socket through `transport`, with Node's path-length
 * check, error shape and file mode. `cb` is timed as the adapter's.
 * @param transport the adapter
 * @param req path, backlog and mode flags
 * @param events the owner's listener callbacks
 * @param cb the bound listener or Node's error
 * @example
 * ```ts
 * listenUnix(getTransport(), { path, backlog: 511, readableAll: false, writableAll: false }, events, cb);
 * ```
 */
export function listenUnix(
  transport: Transport,
  req: UnixListenOptions,
  events: ListenerEvents,
  cb: ListenCallback,
): void {
  const refused = unixPathError(req.path, "listen");
  if (refused !== null) return cb(_unixListenError(refused));
  transport.listenUnix(
    { path: req.path, backlog: req.backlog, exclusive: req.exclusive },
    events,
    (err, listener) => {
      if (err !== null) return cb(_unixListenError(err));
      const modeErr = setPipeMode(req.path, req.readableAll, req.writableAll);
      if (modeErr === null) return cb(null, listener);
      listener!.close(_noop);
      cb(modeErr);
    },
  );
}

/**
 * Dials a Unix socket through `transport`, failing over-long paths as Node does.
 * @param transport the adapter
 * @param path the socket path
 * @param cb the connected handle or Node's error
 * @param handle gives the handle of `Transport.dialHandle()` to dial on, asked only for a dial
 * @returns the pending dial
 * @example
 * ```ts
 * const dial = dialUnix(getTransport(), "/tmp/app.sock", (err, handle) => {});
 * ```
 */
export function dialUnix(
  transport: Transport,
  path: string,
  cb: ConnectCallback,
  handle?: () => object | undefined,
): Dial {
  const refused = unixPathError(path, "connect");
  return refused === null ? transport.connectUnix(path, cb, handle?.()) : failedDial(refused, cb);
}

/**
 * Dials TCP through `transport`, with Node's rules for the local bind: a
 * local address of the other family fails with `bind EINVAL`, and bind
 * failures name `bind` and the local end.
 * @param transport the adapter
 * @param req the resolved dial
 * @param cb the connected handle or Node's error
 * @returns the pending dial
 * @example
 * ```ts
 * const dial = dialTcp(getTransport(), { address: "127.0.0.1", port: 80, family: 4 }, (err, h) => {});
 * ```
 */
export function dialTcp(transport: Transport, req: TcpConnectRequest, cb: ConnectCallback): Dial {
  // An address not of the family it came with (a custom lookup's): Node's connect call refuses it.
  if (isIP(req.address) !== req.family) {
    if (req.handle !== undefined) transport.dropDialHandle?.(req.handle);
    return failedDial(refusedConnect("EINVAL", req.address, req.port), cb);
  }
  const { localAddress, localPort } = req;
  if (localAddress === undefined && localPort === undefined) return transport.connectTcp(req, cb);
  const local = localAddress ?? (req.family === 6 ? "::" : "0.0.0.0");
  if (isIP(local) !== req.family) {
    if (req.handle !== undefined) transport.dropDialHandle?.(req.handle);
    return failedDial(
      systemError({ code: "EINVAL", syscall: "bind", address: local, port: localPort }),
      cb,
    );
  }
  return transport.connectTcp(req, (err, handle) => {
    if (
      err !== null &&
      (err.syscall === "bind" || (err.syscall === "connect" && _BIND_CODES.has(err.code)))
    ) {
      err = reshape(err, { syscall: "bind", address: local, port: localPort });
    }
    cb(err, handle);
  });
}

/**
 * A dial that fails with `err` on a later microtask, unless cancelled first:
 * for outcomes an adapter knows before asking its runtime.
 * @param err the error to report
 * @param cb the connect callback
 * @returns the pending dial
 * @example
 * ```ts
 * failedDial(systemError({ code: "ECONNREFUSED", syscall: "connect" }), cb);
 * ```
 */
export function failedDial(err: SystemError, cb: ConnectCallback): Dial {
  let live = true;
  queueMicrotask(() => {
    if (live) cb(err);
  });
  return {
    cancel() {
      live = false;
    },
  };
}

function _noop(): void {}
