/**
 * `startTls` on a `Deno.Conn` (the Deno.connect/listen adapter):
 * `Deno.startTls` runs Deno's own TLS (rustls) on the connection, and the
 * `Deno.TlsConn` it returns is a connection like any other, driven by a new
 * `DenoStream`. Deno's API has no way to accept an unverified certificate
 * (only the process-wide `--unsafely-ignore-certificate-errors`), no client
 * certificate and no server side for an existing connection: those requests
 * are declined, and the caller runs node:tls over the handle instead.
 * @module
 */
import { Buffer } from "../../core/builtins.ts";
import type {
  Dial,
  Endpoint,
  StreamHandle,
  TlsUpgradeCallback,
  TlsUpgradeRequest,
} from "../types.ts";
import type { DenoConn } from "./api.ts";

/** A `Deno.TlsConn`, as far as this file uses it. */
interface _TlsConn extends DenoConn {
  handshake(): Promise<{ alpnProtocol: string | null }>;
}

type _StartTls = (
  conn: DenoConn,
  options: { hostname?: string; caCerts?: string[]; alpnProtocols?: string[] },
) => Promise<_TlsConn>;

function _startTlsApi(): _StartTls | undefined {
  const d = (globalThis as unknown as { Deno?: { startTls?: _StartTls } }).Deno;
  return typeof d?.startTls === "function" ? d.startTls : undefined;
}

/** Whether `Deno.startTls` can serve `req` the way node:tls would. */
export function denoCanStartTls(req: TlsUpgradeRequest): boolean {
  return !req.isServer && req.rejectUnauthorized && req.cert === undefined &&
    req.key === undefined && _startTlsApi() !== undefined;
}

function _pem(ca: TlsUpgradeRequest["ca"]): string[] | undefined {
  if (ca === undefined) return undefined;
  const list = Array.isArray(ca) ? ca : [ca];
  return list.map((c) => typeof c === "string" ? c : Buffer.from(c).toString("utf8"));
}

/**
 * Upgrades `conn` (a TCP connection with no operation in flight) with
 * `Deno.startTls`.
 * @param conn the connection, which Deno consumes
 * @param ends the connection's endpoints
 * @param req what the handshake needs (`denoCanStartTls` said yes)
 * @param wrap makes the plaintext handle from the TLS connection
 * @param cb as `StreamHandle.startTls`
 * @returns what cancels the handshake
 * @example
 * ```ts
 * // From DenoStream.startTls only.
 * ```
 */
export function startDenoTls(
  conn: DenoConn,
  ends: { local: Endpoint; remote: Endpoint },
  req: TlsUpgradeRequest,
  wrap: (conn: DenoConn) => StreamHandle,
  cb: TlsUpgradeCallback,
): Dial {
  let cancelled = false;
  let secure: _TlsConn | null = null;
  const remote = ends.remote;
  const hostname = req.servername ??
    (remote !== null && typeof remote === "object" ? remote.address : undefined);
  const alpn = req.alpnProtocols;
  const fail = (err: unknown): void => {
    try {
      (secure ?? conn).close();
    } catch { /* already released */ }
    if (!cancelled) cb(err as Error);
  };
  _startTlsApi()!(conn, {
    hostname,
    caCerts: _pem(req.ca),
    alpnProtocols: alpn && alpn.length > 0 ? alpn : undefined,
  }).then((tlsConn) => {
    secure = tlsConn;
    if (cancelled) return fail(null);
    return tlsConn.handshake().then((hs) => {
      if (cancelled) return fail(null);
      cb(null, wrap(tlsConn), {
        authorized: true,
        alpnProtocol: hs.alpnProtocol ?? null,
        route: "deno.startTls",
      });
    });
  }).catch(fail);
  return {
    cancel(): void {
      if (cancelled) return;
      cancelled = true;
      try {
        (secure ?? conn).close();
      } catch { /* consumed by startTls, or already released */ }
    },
  };
}
