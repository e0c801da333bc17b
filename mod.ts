/**
 * omninet: Node's `node:net` API — TCP and Unix-socket clients and servers,
 * `BlockList`, `SocketAddress`, `isIP` — with the same behaviour on Deno, Bun
 * and Node. Swap `import net from "node:net"` for
 * `import net from "@omninet/net"` and the program runs unchanged.
 *
 * @example Echo server and client
 * ```ts
 * import net, { type AddressInfo } from "@omninet/net";
 *
 * const server = net.createServer((socket) => socket.pipe(socket));
 * server.listen(0, "127.0.0.1", () => {
 *   const { port } = server.address() as AddressInfo;
 *   const client = net.connect(port, "127.0.0.1", () => client.end("hello"));
 *   client.on("data", (d) => console.log(String(d)));
 *   client.on("close", () => server.close());
 * });
 * ```
 * @module
 */
export * from "./core/api.ts";

/**
 * The whole module as one namespace, for `import net from "@omninet/net"`:
 * like Node's default export it holds every function and class, and, being a
 * namespace, it also names every type (`net.Socket`, `net.Server`,
 * `net.AddressInfo` in type positions), as `import net from "node:net"`
 * does under @types/node.
 *
 * @example
 * ```ts
 * import net from "@omninet/net";
 *
 * const server: net.Server = net.createServer((socket: net.Socket) => socket.end());
 * server.listen(0, () => {
 *   const { port } = server.address() as net.AddressInfo;
 *   console.log(port);
 *   server.close();
 * });
 * ```
 */
import * as net from "./core/api.ts";
export default net;
