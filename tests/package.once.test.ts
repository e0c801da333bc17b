// The npm tarball as a user gets it: `npm pack`, installed into an empty
// project (offline: the package has no dependencies), then imported from
// ESM and CommonJS on Node 20 and 24, Bun and Deno, its `omninet` bin run,
// and its types checked by tsc. Runs once, in the node20 configuration,
// against the freshly built dist/.
import { spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { suite } from "uvu";
import * as assert from "uvu/assert";

const here = import.meta.url;
const root = fileURLToPath(new URL(here.endsWith(".js") ? "../../" : "../", here));
const bin = (name: string) => join(root, "node_modules", ".bin", name);
const node24 = join(root, "tools", "node24", "node_modules", "node", "bin", "node");
const npmCmd = process.platform === "win32" ? "npm.cmd" : "npm";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd,
      // The consumer must pick its adapter itself, as a user's program would.
      env: { ...process.env, OMNINET_TRANSPORT: "", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.on("error", (err) => (stderr += String(err)));
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

// One round trip plus the pure APIs, through a patched `net.connect` (as
// test tools patch Node's module object); prints one JSON line. `spec` is
// the specifier the consumer imported.
const BODY = `
const out = {
  isIP: [isIP("127.0.0.1"), isIP("::1"), isIP("nope")],
  namedIsDefault: net.createServer === createServer && net.BlockList === BlockList,
};
const original = net.connect;
let patched = 0;
net.connect = function (...args) {
  patched++;
  return original.apply(this, args);
};
const list = new BlockList();
list.addCIDRs(BlockList.PRIVATE_RANGES);
out.blocked = [list.check("10.1.2.3"), list.check("8.8.8.8")];
const server = createServer((socket) => socket.pipe(socket));
server.listen(0, "127.0.0.1", () => {
  const client = net.connect(server.address().port, "127.0.0.1", () => client.end("hi"));
  let reply = "";
  client.on("data", (d) => (reply += d));
  client.on("close", () => {
    out.echo = reply;
    out.socketClass = client instanceof net.Socket;
    out.patched = patched;
    // require() and import give one object, so the patch shows through both.
    import(spec).then((m) => {
      out.oneObject = m.default === net && m.default.connect !== original;
      server.close(() => console.log(JSON.stringify(out)));
    });
  });
});
`;
const EXPECTED = {
  isIP: [4, 6, 0],
  namedIsDefault: true,
  blocked: [true, false],
  echo: "hi",
  socketClass: true,
  patched: 1,
  oneObject: true,
};
const STRICT = {
  module: "NodeNext",
  moduleResolution: "NodeNext",
  strict: true,
  noEmit: true,
  skipLibCheck: false,
};
const NAMES_IMPORTS = `import net from "@omninet/net";
import * as star from "@omninet/net";
import { type AddressInfo, createServer, Server, Socket } from "@omninet/net";
import type { ListenOptions, NetConnectOpts, SocketConstructorOpts } from "@omninet/net";
`;
// Every way Node code names node:net's types, written against omninet.
const NAMES_BODY = `
// Default import: classes and interfaces in type positions, as with node:net.
const server: net.Server = net.createServer((s: net.Socket) => s.end());
const info = server.address() as net.AddressInfo | string | null;
const opts: net.SocketConstructorOpts = { allowHalfOpen: true };
const connectOpts: net.NetConnectOpts = { port: 1, host: "127.0.0.1" };
const tcpOpts: net.TcpSocketConnectOpts = { port: 1 };
const ipcOpts: net.IpcSocketConnectOpts = { path: "/tmp/x.sock" };
const tcpNet: net.TcpNetConnectOpts = { port: 1, typeOfService: 0x10, timeout: 5 };
const ipcNet: net.IpcNetConnectOpts = { path: "/tmp/x.sock", allowHalfOpen: true };
const version: net.IPVersion = "ipv6";
const base: net.ConnectOpts = {};
const listenOpts: net.ListenOptions = { port: 0 };
const serverOpts: net.ServerOpts = { pauseOnConnect: true };
const lookup: net.LookupFunction | undefined = undefined;
const sock: net.Socket = new net.Socket(opts);
const stream: net.Socket = new net.Stream();
const list: net.BlockList = new net.BlockList();
const sa: net.SocketAddress = new net.SocketAddress({ address: "::1", family: "ipv6" });
const state: net.SocketReadyState = sock.readyState;
// Namespace import.
const s2: star.Socket = new star.Socket();
const srv2: star.Server = star.createServer();
const a2: star.AddressInfo = { address: "::1", family: "IPv6", port: 1 };
// Named imports and import type.
const s3: Socket = new Socket();
const srv3: Server = createServer();
const a3: AddressInfo = a2;
const o3: SocketConstructorOpts = opts;
const c3: NetConnectOpts = connectOpts;
const l3: ListenOptions = listenOpts;
// Listener parameters typed per event, as node:net's: strict code that names no type compiles.
sock.on("close", (hadError) => console.log(hadError === true));
sock.once("data", (data) => console.log(data.byteLength));
sock.prependListener("connectionAttemptFailed", (ip, port, family, error) =>
  console.log(ip.length + port + family, error.message));
// Code written for @types/node 24 (family: string | number) and for 26 (number | null) both compiles.
sock.addListener("lookup", (err, address, family, host) => {
  const as24: string | number = family;
  const as26: number | null = family;
  console.log(err?.message, address.length, as24, as26, host.length);
});
srv2.on("connection", (socket) => console.log(socket.remotePort, socket.readyState));
srv3.prependOnceListener("drop", (data) => console.log(data?.remoteAddress?.length));
sock.on("any other event", (...args) => console.log(args.length));
const emitted: boolean = sock.emit("close", false) && srv2.emit("connection", s3);
// The event maps, by Node 26's names.
const closeArgs: net.SocketEventMap["close"] = [true];
const connectionArgs: star.ServerEventMap["connection"] = [s3];
// Not \`any\`: a wrong use is an error.
// @ts-expect-error: 'close' gives a boolean
sock.on("close", (hadError) => hadError.length);
// @ts-expect-error: 'connection' gives omninet's Socket
srv2.on("connection", (socket) => socket.noSuchMember);
export {
  closeArgs,
  connectionArgs,
  emitted,
  a3, base, c3, info, ipcNet, ipcOpts, l3, list, lookup, o3, s2, s3, sa, serverOpts, srv2, srv3,
  state, stream, tcpNet, tcpOpts, version,
};
`;
// An omninet Server where a library signature asks for node:net's, no casts.
const ASSIGN_SERVER = `import net from "@omninet/net";
import type * as nodeNet from "node:net";
function takesServer(server: nodeNet.Server): nodeNet.Server {
  return server;
}
takesServer(net.createServer());
takesServer(new net.Server());
const asNodeServer: nodeNet.Server = net.createServer(() => {});
export { asNodeServer };
`;
// An omninet Socket where a library signature asks for node:net's, no casts:
// a function parameter, http's createConnection, tls over an existing socket.
const ASSIGN_SOCKET = `import net from "@omninet/net";
import type * as nodeNet from "node:net";
import * as http from "node:http";
import * as tls from "node:tls";
function takesSocket(socket: nodeNet.Socket): nodeNet.Socket {
  return socket;
}
takesSocket(net.connect(1, "127.0.0.1"));
takesSocket(net.createConnection({ port: 1 }));
takesSocket(new net.Socket());
const asNodeSocket: nodeNet.Socket = new net.Socket();
const get = () =>
  http.get({ host: "127.0.0.1", port: 1, createConnection: () => net.connect(1, "127.0.0.1") });
const requestOptions: http.RequestOptions = {
  createConnection: (_opts, _cb) => net.createConnection({ port: 1 }),
};
const upgrade = () => tls.connect({ socket: net.connect(1, "127.0.0.1") });
const wrap = () => new tls.TLSSocket(new net.Socket());
const served = () => http.createServer().emit("connection", new net.Socket());
export { asNodeSocket, get, requestOptions, served, upgrade, wrap };
`;
// Options and callbacks typed with omninet's names where node:net's or
// node:http's are asked, and the other way: code keeps compiling after the
// swap of the import (an Agent that dials itself, options handed to http).
const ASSIGN_OPTIONS = `import net from "@omninet/net";
import type * as nodeNet from "node:net";
import * as dns from "node:dns";
import * as http from "node:http";
class DialingAgent extends http.Agent {
  override createConnection(opts: net.NetConnectOpts) {
    return net.createConnection(opts);
  }
}
const agent: http.Agent = new DialingAgent({ keepAlive: true });
const lookup: net.LookupFunction = (_host, _options, callback) => callback(null, "127.0.0.1", 4);
const nodeLookup: nodeNet.LookupFunction = lookup;
const fromNode: net.LookupFunction = nodeLookup;
const fromDns: net.LookupFunction = dns.lookup;
const tcp: net.TcpSocketConnectOpts = { port: 80, host: "localhost", family: 4, lookup };
const asHttpArgs: http.ClientRequestArgs = tcp;
const asNodeTcp: nodeNet.TcpSocketConnectOpts = tcp;
const tcpBack: net.TcpSocketConnectOpts = asNodeTcp;
const ipc: nodeNet.IpcSocketConnectOpts = { path: "/tmp/x.sock" } as net.IpcSocketConnectOpts;
const anyOpts: nodeNet.NetConnectOpts = {} as net.NetConnectOpts;
const anyBack: net.NetConnectOpts = anyOpts;
const listen: nodeNet.ListenOptions = { port: 0, host: "::1", ipv6Only: true } as net.ListenOptions;
const listenBack: net.ListenOptions = listen;
const serverOpts: nodeNet.ServerOpts = { allowHalfOpen: true } as net.ServerOpts;
const serverBack: net.ServerOpts = serverOpts;
const ctor: nodeNet.SocketConstructorOpts = { allowHalfOpen: true } as net.SocketConstructorOpts;
const ctorBack: net.SocketConstructorOpts = ctor;
const info: nodeNet.AddressInfo = { address: "::1", family: "IPv6", port: 1 } as net.AddressInfo;
const infoBack: net.AddressInfo = info;
const saInit: nodeNet.SocketAddressInitOptions = { family: "ipv6" } as net.SocketAddressInitOptions;
const saBack: net.SocketAddressInitOptions = saInit;
net.connect({ port: 80, lookup: dns.lookup });
net.connect({ port: 80, lookup: nodeLookup });
export {
  agent, anyBack, ctorBack, fromDns, fromNode, infoBack, ipc, listenBack, saBack, serverBack,
  tcpBack, asHttpArgs,
};
`;
const ASSIGN_FILES = ["assign_server.ts", "assign_socket.ts", "assign_options.ts"];
// The @types/node majors a consumer may have (devDependencies aliased by major).
const TYPINGS: Record<string, string> = {
  "20": "@types/node20",
  "22": "@types/node22",
  "24": "@types/node",
  "26": "@types/node26",
};
const CONSUMERS: Record<string, string> = {
  "esm.mjs": `import net, { BlockList, createServer, isIP } from "@omninet/net";\n` +
    `const spec = "@omninet/net";\n${BODY}`,
  "cjs.cjs": `const net = require("@omninet/net");\n` +
    `const { BlockList, createServer, isIP } = require("@omninet/net");\n` +
    `const spec = "@omninet/net";\n${BODY}`,
  "deno_npm.mjs": `import net, { BlockList, createServer, isIP } from "npm:@omninet/net";\n` +
    `const spec = "npm:@omninet/net";\n${BODY}`,
  "types.ts": `import net, { type AddressInfo, BlockList, type Server, Socket } from "@omninet/net";
const server: Server = net.createServer((s: Socket) => s.end());
const address = server.address() as AddressInfo | null;
const blocked: boolean = new BlockList().check("10.0.0.1");
const kind: 0 | 4 | 6 = net.isIP("::1");
export { address, blocked, kind };
`,
  "names.ts": NAMES_IMPORTS + NAMES_BODY,
  "assign_server.ts": ASSIGN_SERVER,
  "assign_socket.ts": ASSIGN_SOCKET,
  "assign_options.ts": ASSIGN_OPTIONS,
  "tsconfig.json": JSON.stringify({
    compilerOptions: {
      ...STRICT,
      types: ["node"],
      typeRoots: [join(root, "node_modules", "@types")],
    },
    files: ["types.ts"],
  }),
};

let project = "";
let packList: string[] = [];

const pkg = suite("npm package");

pkg.before(async () => {
  project = mkdtempSync(join(tmpdir(), "omninet-pkg-"));
  const packed = await run(npmCmd, ["pack", "--json", "--pack-destination", project], root);
  if (packed.code !== 0) throw new Error(`npm pack failed: ${packed.stderr}`);
  const info = JSON.parse(packed.stdout)[0] as { filename: string; files: { path: string }[] };
  packList = info.files.map((f) => f.path);
  writeFileSync(join(project, "package.json"), '{ "name": "consumer", "private": true }\n');
  for (const [name, text] of Object.entries(CONSUMERS)) writeFileSync(join(project, name), text);
  const args = ["install", "--no-audit", "--no-fund", "--offline", `./${info.filename}`];
  const installed = await run(npmCmd, args, project);
  if (installed.code !== 0) throw new Error(`npm install failed: ${installed.stderr}`);
  // One type root per @types/node major, each holding that major as "node".
  for (const [major, name] of Object.entries(TYPINGS)) {
    mkdirSync(join(project, "typings", major), { recursive: true });
    symlinkSync(join(root, "node_modules", name), join(project, "typings", major, "node"), "dir");
    writeFileSync(
      join(project, `tsconfig.node${major}.json`),
      JSON.stringify({
        compilerOptions: { ...STRICT, types: ["node"], typeRoots: [`./typings/${major}`] },
        files: ["names.ts"],
      }),
    );
    writeFileSync(
      join(project, `tsconfig.assign${major}.json`),
      JSON.stringify({
        compilerOptions: { ...STRICT, types: ["node"], typeRoots: [`./typings/${major}`] },
        files: ASSIGN_FILES,
      }),
    );
  }
  // Bun's types, and Deno reading an npm package's types, both rest on an
  // installed @types/node, as in a user's project.
  mkdirSync(join(project, "node_modules", "@types"), { recursive: true });
  symlinkSync(
    join(root, "node_modules", "@types", "node"),
    join(project, "node_modules", "@types", "node"),
    "dir",
  );
  symlinkSync(
    join(root, "node_modules", "bun-types"),
    join(project, "node_modules", "bun-types"),
    "dir",
  );
  writeFileSync(
    join(project, "tsconfig.bun.json"),
    JSON.stringify({
      // bun-types' own declarations do not pass a full lib check.
      compilerOptions: { ...STRICT, skipLibCheck: true, types: ["bun-types"] },
      files: ["names.ts"],
    }),
  );
  writeFileSync(
    join(project, "tsconfig.assign.bun.json"),
    JSON.stringify({
      compilerOptions: { ...STRICT, skipLibCheck: true, types: ["bun-types"] },
      files: ASSIGN_FILES,
    }),
  );
  // The JSR view: Deno checking the TypeScript sources themselves.
  mkdirSync(join(project, "jsr"));
  writeFileSync(join(project, "jsr", "names.ts"), NAMES_IMPORTS + NAMES_BODY);
  writeFileSync(join(project, "jsr", "assign_server.ts"), ASSIGN_SERVER);
  writeFileSync(join(project, "jsr", "assign_socket.ts"), ASSIGN_SOCKET);
  writeFileSync(join(project, "jsr", "assign_options.ts"), ASSIGN_OPTIONS);
  writeFileSync(
    join(project, "jsr", "deno.json"),
    JSON.stringify({ imports: { "@omninet/net": join(root, "mod.ts") } }),
  );
});

pkg.after(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

pkg("the tarball holds the build, the bin and the README, not tests or sources", () => {
  for (
    const file of [
      "package.json",
      "README.md",
      "dist/npm/mod.js",
      "dist/mod.d.ts",
      "dist/npm/cli.js",
    ]
  ) {
    assert.ok(packList.includes(file), `${file} missing from ${packList.join(", ")}`);
  }
  const stray = packList.filter((f) =>
    f.startsWith("dist/tests/") || f.startsWith("tests/") || f.startsWith("examples/") ||
    f.endsWith(".ts") && !f.endsWith(".d.ts")
  );
  assert.equal(stray, []);
});

pkg(
  "package.json: types first in exports, require() to the module object, a bin with a node shebang",
  () => {
    const manifest = JSON.parse(
      readFileSync(join(project, "node_modules", "@omninet", "net", "package.json"), "utf8"),
    );
    assert.equal(Object.keys(manifest.exports["."]), ["types", "require", "default"]);
    assert.is(manifest.bin.omninet, "dist/npm/cli.js");
    const cli = readFileSync(
      join(project, "node_modules", "@omninet", "net", "dist", "npm", "cli.js"),
      "utf8",
    );
    assert.ok(cli.startsWith("#!/usr/bin/env node\n"));
  },
);

pkg("the JavaScript is the bundle: plain ASCII, no JSDoc; the .d.ts keep their JSDoc", () => {
  const dir = join(project, "node_modules", "@omninet", "net");
  const js = packList.filter((f) => f.endsWith(".js"));
  // The four entry points and the chunks they share; none of tsc's module tree.
  for (const entry of ["mod", "require", "cli", "sockets"]) {
    assert.ok(js.includes(`dist/npm/${entry}.js`), `dist/npm/${entry}.js missing`);
  }
  assert.equal(js.filter((f) => !f.startsWith("dist/npm/")), []);
  assert.ok(js.some((f) => f.startsWith("dist/npm/_chunk-")), "no shared chunk");
  for (const file of js) {
    const text = readFileSync(join(dir, file), "utf8");
    // A non-ASCII character makes V8 and JSC hold the whole source as 2-byte text.
    assert.not.ok(/[^\t\n\r -~]/.test(text), `${file} holds non-ASCII characters`);
    assert.not.ok(text.includes("/**"), `${file} keeps its JSDoc`);
  }
  for (const file of ["dist/mod.d.ts", "dist/core/socket.d.ts", "dist/sockets.d.ts"]) {
    assert.ok(readFileSync(join(dir, file), "utf8").includes("@example"), `${file} lost its JSDoc`);
  }
});

/**
 * Every function reachable from a module's exports (classes' prototypes and
 * statics, the default object's members, accessors), as `path=name` lines.
 */
function namesOf(ns: object): string[] {
  const out: string[] = [];
  const seen = new Set<unknown>();
  const walk = (obj: unknown, path: string, depth: number): void => {
    if (obj === null || (typeof obj !== "object" && typeof obj !== "function")) return;
    if (seen.has(obj) || depth > 4) return;
    seen.add(obj);
    for (const key of Reflect.ownKeys(obj as object)) {
      if (key === "constructor" || key === "caller" || key === "arguments") continue;
      const d = Object.getOwnPropertyDescriptor(obj, key)!;
      const at = `${path}.${String(key)}`;
      for (const [kind, v] of [["get", d.get], ["set", d.set]] as const) {
        if (typeof v === "function") out.push(`${at}:${kind}=${v.name}`);
      }
      if (typeof d.value === "function") {
        out.push(`${at}=${d.value.name}`);
        if (key !== "prototype") {
          walk(d.value.prototype, `${at}.prototype`, depth + 1);
          if (d.value.prototype) {
            out.push(`${at}.prototype.constructor=${d.value.prototype.constructor?.name}`);
          }
        }
        walk(d.value, at, depth + 1);
      } else if (typeof d.value === "object") walk(d.value, at, depth + 1);
    }
  };
  walk(ns, "", 0);
  return out.sort();
}

pkg("the bundle keeps every name of the module tree, and one copy of each class", async () => {
  const dir = join(project, "node_modules", "@omninet", "net", "dist", "npm");
  const tree = join(root, "dist");
  for (const entry of ["mod", "require", "sockets"]) {
    const bundled = await import(pathToFileURL(join(dir, `${entry}.js`)).href);
    const built = await import(pathToFileURL(join(tree, `${entry}.js`)).href);
    const names = namesOf(bundled);
    assert.ok(names.length > 15, `${entry}: only ${names.length} names`);
    // Bundling renames what two modules both declare (Socket, Server,
    // BlockList...); util.inspect and Node's messages show these names.
    assert.equal(names, namesOf(built), `${entry}: names differ from the tree's`);
  }
  const mod = await import(pathToFileURL(join(dir, "mod.js")).href);
  const req = await import(pathToFileURL(join(dir, "require.js")).href);
  assert.ok(mod.Socket === req.Socket && mod.default === req["module.exports"]);
  assert.is(mod.Socket.name, "Socket");
  assert.is(mod.default.BlockList.name, "BlockList");
});

async function consume(cmd: string, args: string[]): Promise<void> {
  const r = await run(cmd, args, project);
  assert.is(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout.trim().split("\n").at(-1) ?? ""), EXPECTED);
  assert.is(r.stderr, "", "no warnings on stderr");
}

pkg("Node (this one): import from ESM", () => consume(process.execPath, ["esm.mjs"]));
pkg(
  "Node (this one): require() from CommonJS, without warnings",
  () => consume(process.execPath, ["cjs.cjs"]),
);
pkg("Node 24: import from ESM", () => consume(node24, ["esm.mjs"]));
pkg("Node 24: require() from CommonJS, without warnings", () => consume(node24, ["cjs.cjs"]));
pkg("Bun: import from ESM", () => consume(bin("bun"), ["esm.mjs"]));
pkg("Bun: require() from CommonJS", () => consume(bin("bun"), ["cjs.cjs"]));
pkg(
  "Deno: require() from CommonJS",
  () => consume(bin("deno"), ["run", "-A", "--quiet", "cjs.cjs"]),
);
pkg(
  "Deno: bare import from node_modules",
  () => consume(bin("deno"), ["run", "-A", "--quiet", "esm.mjs"]),
);
pkg(
  "Deno: npm: specifier, resolved offline from node_modules",
  () => consume(bin("deno"), ["run", "-A", "--quiet", "deno_npm.mjs"]),
);

pkg("the omninet bin runs through node_modules/.bin", async () => {
  const omninet = join(project, "node_modules", ".bin", "omninet");
  assert.ok(existsSync(omninet));
  const help = await run(omninet, ["--help"], project);
  assert.is(help.code, 0, help.stderr);
  assert.ok(help.stdout.includes("Usage:"));
  const blocked = await run(omninet, ["check", "192.168.1.1", "--private"], project);
  assert.is(blocked.code, 0, blocked.stderr);
  assert.is((await run(omninet, ["check", "1.1.1.1", "--private", "-q"], project)).code, 2);
});

pkg("the published .d.ts files type-check a consumer under NodeNext", async () => {
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  const r = await run(process.execPath, [tsc, "-p", "tsconfig.json"], project);
  assert.is(r.code, 0, r.stdout + r.stderr);
});

async function typeCheck(config: string): Promise<void> {
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  const r = await run(process.execPath, [tsc, "-p", config], project);
  assert.is(r.code, 0, r.stdout + r.stderr);
}

for (const major of Object.keys(TYPINGS)) {
  pkg(
    `@types/node ${major}: net.Socket/Server/AddressInfo as types after a default import, namespace, named and type imports`,
    () => typeCheck(`tsconfig.node${major}.json`),
  );
}
pkg("bun-types: the same type names check", () => typeCheck("tsconfig.bun.json"));
for (const major of Object.keys(TYPINGS)) {
  pkg(
    `@types/node ${major}: omninet Socket and Server are node:net's, with no cast (parameters, http, tls)`,
    () => typeCheck(`tsconfig.assign${major}.json`),
  );
}
pkg(
  "bun-types: omninet Socket and Server are node:net's",
  () => typeCheck("tsconfig.assign.bun.json"),
);

async function denoCheck(dir: string, files = ["names.ts"]): Promise<void> {
  const r = await run(bin("deno"), ["check", "--quiet", ...files], dir);
  assert.is(r.code, 0, r.stdout + r.stderr);
}
pkg("deno check: the same type names through the npm package", () => denoCheck(project));
pkg(
  "deno check: the same type names from the TypeScript sources",
  () => denoCheck(join(project, "jsr")),
);
// Deno checks an npm package against the project's @types/node, the sources
// against its own node types.
pkg(
  "deno check: omninet Socket and Server are node:net's through the npm package",
  () => denoCheck(project, ASSIGN_FILES),
);
pkg(
  "deno check: omninet Socket and Server are node:net's from the TypeScript sources",
  () => denoCheck(join(project, "jsr"), ASSIGN_FILES),
);

pkg.run();
