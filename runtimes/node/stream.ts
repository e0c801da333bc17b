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
    super(sock, unixLocal ?? knownLocal, unixRemote ?? knownRemote, tcp);
    this.#tcp = tcp;
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

  /** Gives the socket to the runtime's node:tls (`./tls.ts`); this stream is done with it. */
  startTls(req: TlsUpgradeRequest, cb: TlsUpgradeCallback): Dial | null {
    // Bytes read but not delivered belong before the TLS: only the JavaScript route keeps them.
    if (!this.canHandOver()) return null;
    const ends = { local: this.localAddress(), remote: this.remoteAddress() };
    return startNodeTls(this.release(), ends, req, cb);
  }
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
