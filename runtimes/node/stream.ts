/**
 * A connected `node:net` socket behind the StreamHandle contract: the shared
 * Duplex adapter (`../_duplex_handle.ts`: paused until `readStart()`, bytes
 * or EOF a runtime emits while stopped held and delivered in order), plus
 * IP_TOS, a RST on TCP, and a TLS upgrade in the runtime's own node:tls.
 * @module
 */
import { Socket } from "node:net";
import type {
  AddressInfo,
  BoundHandle,
  Dial,
  StreamHandle,
  TlsUpgradeCallback,
  TlsUpgradeRequest,
} from "../types.ts";
import { DuplexStreamHandle } from "../_duplex_handle.ts";
import { startNodeTls } from "./tls.ts";

/**
 * A connected `node:net` socket behind the StreamHandle contract
 * (`DuplexStreamHandle`), with what only the node:net adapter does: IP_TOS
 * and a TLS upgrade that hands the socket to the runtime's node:tls.
 */
export class NodeStream extends DuplexStreamHandle<Socket> implements StreamHandle {
  readonly #tcp: boolean;

  constructor(
    sock: Socket,
    unixLocal?: string,
    unixRemote?: string,
    knownLocal?: AddressInfo,
    knownRemote?: AddressInfo,
  ) {
    const tcp = unixLocal === undefined && unixRemote === undefined;
    // Ends the caller already knows cost no getsockname/getpeername syscall.
    super(sock, unixLocal ?? knownLocal, unixRemote ?? knownRemote, tcp, true);
    this.#tcp = tcp;
  }

  fd(): number {
    return this.isClosed ? -1 : socketFd(this.duplex);
  }

  /**
   * The inner socket's handle's count where it keeps one (Node's), which moves as a large write
   * goes out; else what the socket holds, as the Duplex handle says.
   */
  override writeQueueSize(): number {
    const h = (this.duplex as { _handle?: { writeQueueSize?: unknown } | null })._handle;
    const n = h?.writeQueueSize;
    return typeof n === "number" ? n : super.writeQueueSize();
  }

  setTypeOfService(tos: number): string | null {
    const sock = this.duplex as { setTypeOfService?(tos: number): unknown };
    if (this.#tcp && !this.isClosed) sock.setTypeOfService?.(tos);
    return null;
  }

  getTypeOfService(): number | string {
    const sock = this.duplex as { getTypeOfService?(): number };
    return this.#tcp && !this.isClosed ? sock.getTypeOfService?.() ?? 0 : 0;
  }

  /**
   * The native handle the `node:net` socket holds as `_handle` (libuv's on
   * Node and Deno, the Bun socket on Bun; `features.nativeStreamHandles`),
   * `null` once closed.
   */
  nativeHandle(_owner: object): object | null {
    if (this.isClosed) return null;
    const h = (this.duplex as { _handle?: object | null })._handle ?? null;
    if (h !== null) this.countPastHandle();
    return h;
  }

  /**
   * Bun's `node:tls` upgraded the native socket in place and gives its raw
   * side (see `StreamHandle.nativeReplaced`): the `node:net` socket goes on
   * over it, as Bun's does when its own socket is upgraded (it reads the
   * raw side's data as the TLS socket's, and writes raw bytes there).
   */
  nativeReplaced(raw: object): boolean {
    const sock = this.duplex as Socket & { _handle: { data?: unknown } | null };
    const was = sock._handle;
    // The raw side keeps the data Bun's node:net gave the socket it replaces.
    if (this.isClosed || was === null || (raw as { data?: unknown }).data !== was.data) {
      return false;
    }
    sock._handle = raw as { data?: unknown };
    return true;
  }

  /**
   * Another process took the native socket (Bun's `child_process` sends it
   * and, unless `keepOpen`, closes it afterwards): the `node:net` socket lets
   * it go as Bun's does for its own sockets (no timeout, `_handle` null, not
   * destroyed), and nothing is called back any more.
   */
  detach(): void {
    if (this.isClosed) return;
    const sock = this.release() as Socket & { _handle: unknown };
    sock.setTimeout(0);
    sock._handle = null;
  }

  /**
   * A descriptor's socket, given up as a bound one to dial from (`StreamHandle.toBound`);
   * `null` for a TCP socket with a peer (connected already).
   */
  toBound(): BoundHandle | null {
    if (_descriptorBound === null || !this.canHandOver()) return null;
    if (this.#tcp && this.remoteAddress() !== null) return null;
    return _descriptorBound(this.release());
  }

  /** Gives the socket to the runtime's node:tls (`./tls.ts`); this stream is done with it. */
  startTls(req: TlsUpgradeRequest, cb: TlsUpgradeCallback): Dial | null {
    // Bytes read but not delivered belong before the TLS: only the JavaScript route keeps them.
    if (!this.canHandOver()) return null;
    const ends = { local: this.localAddress(), remote: this.remoteAddress() };
    return startNodeTls(this.release(), ends, req, cb);
  }
}

/**
 * The descriptor a `node:net` socket's handle holds, or -1 (none, or a
 * runtime whose handles name none).
 * @param sock the socket
 * @returns the descriptor or -1
 * @example
 * ```ts
 * socketFd(sock); // e.g. 21
 * ```
 */
export function socketFd(sock: Socket): number {
  const fd = (sock as { _handle?: { fd?: unknown } | null })._handle?.fd;
  return typeof fd === "number" ? fd : -1;
}

let _descriptorBound: ((sock: Socket) => BoundHandle) | null = null;

/**
 * Lends `toBound` the adapter's way to dial over a descriptor's `node:net`
 * socket (`mod.ts` does, at load).
 * @param make turns the released socket into a bound handle
 * @example
 * ```ts
 * lendDescriptorBound((sock) => new FdBound(sock));
 * ```
 */
export function lendDescriptorBound(make: (sock: Socket) => BoundHandle): void {
  _descriptorBound = make;
}

/** A TCP socket: can also abort with a RST. */
class NodeTcpStream extends NodeStream {
  reset(cb: () => void): void {
    const sock = this.duplex;
    if (this.finish(cb) && !sock.destroyed) sock.resetAndDestroy();
  }
}

const _canReset = typeof (Socket.prototype as { resetAndDestroy?: unknown }).resetAndDestroy ===
  "function";

/** Wraps a connected socket; Unix ends are given as paths (`""` when unnamed). */
export function wrap(sock: Socket, unixLocal?: string, unixRemote?: string): StreamHandle {
  const unix = unixLocal !== undefined || unixRemote !== undefined;
  return unix || !_canReset ? new NodeStream(sock, unixLocal, unixRemote) : new NodeTcpStream(sock);
}

/** Wraps a TCP socket whose local and/or remote end is already known. */
export function wrapTcp(sock: Socket, local?: AddressInfo, remote?: AddressInfo): StreamHandle {
  return _canReset
    ? new NodeTcpStream(sock, undefined, undefined, local, remote)
    : new NodeStream(sock, undefined, undefined, local, remote);
}
