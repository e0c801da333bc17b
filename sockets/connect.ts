/**
 * `connect()`: the draft's entry point. TCP goes through core's connect
 * planning (validation, lookup, Happy Eyeballs, BlockList) exactly as
 * `net.connect()` does; Unix paths go straight to the transport.
 * @module
 */
import { BlockList } from "../core/block_list.ts";
import { normalizeTcpConnect, startTcpConnect } from "../core/connect.ts";
import { dialUnix } from "../core/sys_errors.ts";
import { getTransport } from "../runtimes/mod.ts";
import type { StreamHandle } from "../runtimes/types.ts";
import { type AnySocketAddress, parseAddress } from "./address.ts";
import { toSocketError } from "./error.ts";
import {
  internalsOf,
  makeSocket,
  type SecureTransportKind,
  type Socket,
  type SocketOptions,
  type TlsParams,
} from "./socket.ts";
import { startClientTls } from "./tls.ts";

function _validate(options: SocketOptions | undefined):
  & Required<
    Pick<SocketOptions, "secureTransport" | "allowHalfOpen">
  >
  & { blockList?: BlockList; tls: Omit<TlsParams, "hostname"> } {
  if (options !== undefined && (options === null || typeof options !== "object")) {
    throw new TypeError("connect() options must be an object");
  }
  const o = options ?? {};
  const secureTransport = (o.secureTransport ?? "off") as SecureTransportKind;
  if (secureTransport !== "off" && secureTransport !== "on" && secureTransport !== "starttls") {
    throw new TypeError(`secureTransport must be "off", "on" or "starttls"`);
  }
  if (o.sni !== undefined && typeof o.sni !== "string") {
    throw new TypeError("sni must be a string");
  }
  if (
    o.alpn !== undefined && (!Array.isArray(o.alpn) || o.alpn.some((p) => typeof p !== "string"))
  ) {
    throw new TypeError("alpn must be an array of strings");
  }
  const ext = o.omninet ?? {};
  if (ext.blockList !== undefined && !BlockList.isBlockList(ext.blockList)) {
    throw new TypeError("omninet.blockList must be a net.BlockList");
  }
  return {
    secureTransport,
    allowHalfOpen: Boolean(o.allowHalfOpen),
    blockList: ext.blockList,
    tls: { sni: o.sni, alpn: o.alpn, extension: ext.tls },
  };
}

/**
 * Opens a connection and returns its `Socket` at once; `socket.opened`
 * tells when (and whether) it connected. Refused, unreachable and blocked
 * connections reject `opened` and `closed` with a `SocketError`.
 * @param address `"host:port"`, `"[v6]:port"`, `{ hostname, port }`, or `{ path }` for a Unix socket.
 * @param options `secureTransport`, `allowHalfOpen`, `sni`, `alpn`, and omninet's `omninet` extension.
 * @returns The socket, still connecting.
 * @throws SocketError for a malformed address; TypeError for malformed options.
 * @example
 * ```ts
 * import { connect } from "@omninet/net/sockets";
 * const socket = connect({ hostname: "127.0.0.1", port: 8080 });
 * const info = await socket.opened;
 * console.log(info.remoteAddress); // 127.0.0.1:8080
 * await socket.close();
 * ```
 */
export function connect(address: AnySocketAddress, options?: SocketOptions): Socket {
  const target = parseAddress(address);
  const opts = _validate(options);
  const params: TlsParams = {
    ...opts.tls,
    hostname: target.kind === "tcp" ? target.hostname : undefined,
  };
  const socket = makeSocket({
    secureTransport: opts.secureTransport,
    allowHalfOpen: opts.allowHalfOpen,
    tls: params,
  });
  const inner = internalsOf(socket);
  const connected = opts.secureTransport === "on"
    ? (handle: StreamHandle) => startClientTls(socket, handle, params)
    : (handle: StreamHandle) => inner.open(handle);
  const transport = getTransport();
  // The cancel function is in place before dialing and cleared by the outcome, which may come
  // before the dial call returns.
  if (target.kind === "unix") {
    // deno-lint-ignore prefer-const -- read by the cancel closure, possibly before assignment
    let dial: { cancel(): void } | undefined;
    inner.setCancel(() => dial?.cancel());
    dial = dialUnix(transport, target.path, (err, handle) => {
      inner.setCancel(undefined);
      if (err) inner.fail(err);
      else connected(handle!);
    });
    return socket;
  }
  let plan;
  try {
    plan = normalizeTcpConnect({
      host: target.hostname,
      port: target.port,
      blockList: opts.blockList,
    });
  } catch (err) {
    throw toSocketError(err);
  }
  // deno-lint-ignore prefer-const -- read by the cancel closure, possibly before assignment
  let cancel: (() => void) | undefined;
  inner.setCancel(() => cancel?.());
  cancel = startTcpConnect(transport, plan, {
    emit: () => !inner.ended(),
    startMulti() {},
    recordAttempt() {},
    connected(handle) {
      inner.setCancel(undefined);
      connected(handle);
    },
    failed: (err) => inner.fail(err),
  });
  return socket;
}
