/**
 * What the Deno adapter uses of Deno: the few APIs, declared locally (Deno's
 * own types are not assumed) and read from `globalThis.Deno`, and the
 * translation of Deno's errors into errno names.
 * @module
 */
import { constants } from "node:os";
import { type SystemError, systemError } from "../../core/errors.ts";
import { connectErrorLocal } from "../../core/sys_errors.ts";
import type { Endpoint } from "../types.ts";

/** An address as Deno reports it. */
export interface DenoAddr {
  transport: string;
  hostname?: string;
  port?: number;
  path?: string | null;
}

/** The part of `Deno.Conn` the adapter uses. */
export interface DenoConn {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  close(): void;
  closeWrite(): Promise<void>;
  readonly localAddr: DenoAddr;
  readonly remoteAddr: DenoAddr;
  ref(): void;
  unref(): void;
  setNoDelay?(noDelay?: boolean): void;
  setKeepAlive?(keepAlive?: boolean): void;
}

/** The part of `Deno.Listener` the adapter uses. */
export interface DenoListener {
  accept(): Promise<DenoConn>;
  close(): void;
  readonly addr: DenoAddr;
  ref(): void;
  unref(): void;
}

/** The part of the `Deno` namespace the adapter uses. */
export interface DenoApi {
  connect(options: {
    transport?: "tcp" | "unix";
    hostname?: string;
    port?: number;
    path?: string;
    signal?: AbortSignal;
  }): Promise<DenoConn>;
  listen(options: {
    transport?: "tcp" | "unix";
    hostname?: string;
    port?: number;
    path?: string;
    tcpBacklog?: number;
    reusePort?: boolean;
  }): DenoListener;
  unrefTimer(id: number): void;
  listenDatagram?: unknown;
}

/** The `Deno` global; throws a TypeError on other runtimes. */
export function denoApi(): DenoApi {
  const api = (globalThis as unknown as { Deno?: DenoApi }).Deno;
  if (api === undefined || typeof api.connect !== "function") {
    throw new TypeError("The Deno transport needs Deno's global `Deno`");
  }
  return api;
}

// Deno error class names for runtimes whose errors carry no `code`.
const _CODE_BY_NAME: Record<string, string> = {
  AddrInUse: "EADDRINUSE",
  AddrNotAvailable: "EADDRNOTAVAIL",
  AlreadyExists: "EEXIST",
  BadResource: "EBADF",
  BrokenPipe: "EPIPE",
  ConnectionAborted: "ECONNABORTED",
  ConnectionRefused: "ECONNREFUSED",
  ConnectionReset: "ECONNRESET",
  Interrupted: "ECANCELED",
  InvalidData: "EINVAL",
  IsADirectory: "EISDIR",
  NetworkUnreachable: "ENETUNREACH",
  NotADirectory: "ENOTDIR",
  NotCapable: "EACCES",
  NotConnected: "ENOTCONN",
  NotFound: "ENOENT",
  NotSupported: "ENOTSUP",
  TimedOut: "ETIMEDOUT",
  UnexpectedEof: "EOF",
  WouldBlock: "EAGAIN",
  WriteZero: "EPIPE",
};

// errno number -> name, for errors Deno reports only as "(os error N)".
let _errnoNames: Map<number, string> | undefined;

/** The errno name of a Deno error: its `code`, its `(os error N)`, or its class name. */
export function codeOf(err: unknown): string {
  const { code, name, message } = (err ?? {}) as {
    code?: unknown;
    name?: unknown;
    message?: unknown;
  };
  if (typeof code === "string" && /^E[A-Z0-9]+$/.test(code)) return code;
  const os = typeof message === "string" ? /\(os error (\d+)\)/.exec(message) : null;
  if (os !== null) {
    _errnoNames ??= new Map(Object.entries(constants.errno).map(([k, v]) => [v, k]));
    const known = _errnoNames.get(Number(os[1]));
    if (known !== undefined) return known;
  }
  return (typeof name === "string" && _CODE_BY_NAME[name]) || "UNKNOWN";
}

/**
 * A system error built from a Deno error and where it happened; a TCP
 * connect error is named with Node's local end where Node's connect call
 * would have failed at once (`connectErrorLocal`).
 */
export function mapError(
  err: unknown,
  syscall: string,
  address?: string,
  port?: number,
): SystemError {
  const code = codeOf(err);
  const tcpDial = syscall === "connect" && port !== undefined && address !== undefined;
  const local = tcpDial ? connectErrorLocal(code, address) : undefined;
  return systemError({ code, syscall, address, port, local, cause: err });
}

/** An endpoint from a Deno address (`null` when unknown). */
export function toEndpoint(addr: DenoAddr | undefined): Endpoint {
  if (addr === undefined) return null;
  if (addr.transport === "unix") return addr.path || null;
  const address = addr.hostname ?? "";
  return {
    address,
    family: address.includes(":") ? "IPv6" : "IPv4",
    port: addr.port ?? 0,
  };
}

/** Calls `done` once `p` settles, either way. */
export function settle(p: Promise<unknown>, done: () => void): void {
  p.then(done, done);
}
