/**
 * The WinterTC Sockets API (`connect()`, `startTls()`, the draft Cloudflare
 * Workers ships as `cloudflare:sockets`) on Deno, Bun and Node, over the
 * same transports as `@omninet/net`, plus a `listen()` the draft lacks,
 * Unix sockets through `{ path }`, a `BlockList` option, and moving
 * connections to and from `net.Socket`.
 *
 * Code written for Workers runs after changing one import:
 *
 * ```ts
 * - import { connect } from "cloudflare:sockets";
 * + import { connect } from "@omninet/net/sockets";
 * ```
 *
 * @example Echo server and client
 * ```ts
 * import { connect, listen } from "@omninet/net/sockets";
 *
 * const server = await listen({ hostname: "127.0.0.1", port: 0 });
 * (async () => {
 *   for await (const socket of server) socket.readable.pipeTo(socket.writable);
 * })();
 *
 * const socket = connect({ hostname: "127.0.0.1", port: server.addr.port });
 * const writer = socket.writable.getWriter();
 * await writer.write(new TextEncoder().encode("hello"));
 * const { value } = await socket.readable.getReader().read();
 * console.log(new TextDecoder().decode(value)); // hello
 * await socket.close();
 * await server.close();
 * ```
 * @module
 */
export { connect } from "./sockets/connect.ts";
export { SocketError } from "./sockets/error.ts";
export { fromNetSocket, toNetSocket } from "./sockets/interop.ts";
export { listen, Listener } from "./sockets/listen.ts";
export type { ListenAddress, ListenerAddr, ListenOptions } from "./sockets/listen.ts";
export { Socket } from "./sockets/socket.ts";
export type {
  OmninetSocketOptions,
  SecureTransportKind,
  SocketInfo,
  SocketOptions,
  TlsExtensionOptions,
} from "./sockets/socket.ts";
export type { AnySocketAddress, SocketAddress, UnixSocketAddress } from "./sockets/address.ts";
