import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { type CheckCommand, EXIT, parseArgs } from "../cli/args.ts";
import { parseEndpoint, parseHost, parsePort, UsageError } from "../cli/endpoint.ts";
import { type CliIo, main, runCheck } from "../cli/main.ts";
import { buildBlockList, parseRule, parseRules } from "../cli/rules.ts";
import net, { type AddressInfo, type Socket } from "../mod.ts";
import { quietPort } from "./_net.ts";
import { currentRuntime, spawnScript } from "./_runtime.ts";

function throwsUsage(fn: () => unknown, fragment: string): void {
  try {
    fn();
  } catch (err) {
    assert.instance(err, UsageError);
    assert.ok((err as Error).message.includes(fragment), (err as Error).message);
    return;
  }
  assert.unreachable(`expected a UsageError about ${fragment}`);
}

// ---------------------------------------------------------------- endpoints
const endpoint = suite("parseEndpoint()");

endpoint("a bare port has no host", () => {
  assert.equal(parseEndpoint("8080", "connect"), { kind: "tcp", host: undefined, port: 8080 });
});

endpoint("host:port and [ipv6]:port", () => {
  assert.equal(parseEndpoint("127.0.0.1:80", "connect"), {
    kind: "tcp",
    host: "127.0.0.1",
    port: 80,
  });
  assert.equal(parseEndpoint("[::1]:443", "connect"), { kind: "tcp", host: "::1", port: 443 });
  assert.equal(parseEndpoint("example.com:25", "connect"), {
    kind: "tcp",
    host: "example.com",
    port: 25,
  });
});

endpoint("anything with a slash is a Unix socket path", () => {
  assert.equal(parseEndpoint("/tmp/a.sock", "listen"), { kind: "unix", path: "/tmp/a.sock" });
  assert.equal(parseEndpoint("./a:b.sock", "connect"), { kind: "unix", path: "./a:b.sock" });
});

endpoint("port 0 is allowed for listen only", () => {
  assert.is((parseEndpoint("127.0.0.1:0", "listen") as { port: number }).port, 0);
  throwsUsage(() => parseEndpoint("127.0.0.1:0", "connect"), "bad port '0'");
});

endpoint("rejects unbracketed IPv6 and bad bracket contents", () => {
  throwsUsage(() => parseEndpoint("::1:80", "connect"), "brackets");
  throwsUsage(() => parseEndpoint("[1.2.3.4]:80", "connect"), "not an IPv6 address");
});

endpoint("rejects a word without a port", () => {
  throwsUsage(() => parseEndpoint("localhost", "connect"), "bad address 'localhost'");
});

const port = suite("parsePort()");

port("accepts 1-65535, rejects out of range and non-digits", () => {
  assert.is(parsePort("65535", false), 65535);
  assert.is(parsePort("1", false), 1);
  for (const bad of ["65536", "99999", "-1", "1e3", "0x10", "", " 80", "8o"]) {
    throwsUsage(() => parsePort(bad, true), `bad port '${bad}'`);
  }
});

const host = suite("parseHost()");

host("accepts IP literals and hostnames", () => {
  for (const ok of ["127.0.0.1", "::1", "fe80::1%eth0", "localhost", "a-b.example.org."]) {
    assert.is(parseHost(ok), ok);
  }
});

host("rejects malformed IPv4 and hostnames", () => {
  for (const bad of ["127.0.0.256", "1.2.3", "-bad.example", "a..b", "under_score", "sp ace"]) {
    throwsUsage(() => parseHost(bad), `bad address '${bad}'`);
  }
});

// ---------------------------------------------------------------- arguments
const args = suite("parseArgs()");

args("listen with flags in any order and --opt=value", () => {
  assert.equal(parseArgs(["listen", "-k", "127.0.0.1:0", "--echo", "--timeout=500"]), {
    command: "listen",
    endpoint: { kind: "tcp", host: "127.0.0.1", port: 0 },
    echo: true,
    keep: true,
    timeoutMs: 500,
    quiet: false,
  });
});

args("connect with -t value and -q", () => {
  assert.equal(parseArgs(["connect", "-q", "-t", "100", "/run/x.sock"]), {
    command: "connect",
    endpoint: { kind: "unix", path: "/run/x.sock" },
    timeoutMs: 100,
    quiet: true,
  });
});

args("check collects repeated --cidr and --rules", () => {
  const cmd = parseArgs([
    "check",
    "10.0.0.1",
    "--cidr",
    "10.0.0.0/8",
    "--cidr=192.168.0.0/16",
    "--rules",
    "a.txt",
    "--private",
  ]);
  assert.equal(cmd, {
    command: "check",
    address: "10.0.0.1",
    ruleFiles: ["a.txt"],
    cidrs: ["10.0.0.0/8", "192.168.0.0/16"],
    private: true,
    quiet: false,
  });
});

args("--help anywhere wins", () => {
  assert.equal(parseArgs(["--help"]), { command: "help" });
  assert.equal(parseArgs(["connect", "nonsense", "-h"]), { command: "help" });
  assert.equal(parseArgs(["help"]), { command: "help" });
});

args("usage errors name the problem", () => {
  throwsUsage(() => parseArgs([]), "missing command");
  throwsUsage(() => parseArgs(["dial", "1"]), "unknown command 'dial'");
  throwsUsage(() => parseArgs(["listen"]), "exactly one address");
  throwsUsage(() => parseArgs(["listen", "1", "2"]), "exactly one address");
  throwsUsage(() => parseArgs(["listen", "--bogus", "1"]), "unknown option '--bogus'");
  throwsUsage(() => parseArgs(["connect", "--echo", "1"]), "--echo does not apply to 'connect'");
  throwsUsage(() => parseArgs(["connect", "1", "--timeout"]), "needs a value");
  throwsUsage(() => parseArgs(["connect", "1", "-t", "0"]), "bad timeout '0'");
  throwsUsage(() => parseArgs(["check", "10.0.0.1"]), "needs rules");
  throwsUsage(() => parseArgs(["check", "10.0.0.01", "--private"]), "bad address '10.0.0.01'");
  throwsUsage(() => parseArgs(["check", "10.0.0.1", "--echo"]), "does not apply to 'check'");
});

args("-- ends the options", () => {
  const cmd = parseArgs(["connect", "--", "--weird/path.sock"]);
  assert.equal(cmd, {
    command: "connect",
    endpoint: { kind: "unix", path: "--weird/path.sock" },
    timeoutMs: 0,
    quiet: false,
  });
});

// ---------------------------------------------------------------- rules
const rules = suite("parseRule()/parseRules()");

rules("addresses, subnets and ranges of both families", () => {
  assert.equal(parseRule("192.0.2.7"), { type: "address", address: "192.0.2.7", family: "ipv4" });
  assert.equal(parseRule(" 10.0.0.0/8 "), {
    type: "subnet",
    network: "10.0.0.0",
    prefix: 8,
    family: "ipv4",
  });
  assert.equal(parseRule("2001:db8::1 - 2001:db8::ff"), {
    type: "range",
    start: "2001:db8::1",
    end: "2001:db8::ff",
    family: "ipv6",
  });
  assert.equal(parseRule("fe80::/10").family, "ipv6");
});

rules("accepts the strings blockList.rules prints", () => {
  const list = new net.BlockList();
  list.addSubnet("10.0.0.0", 8);
  list.addRange("192.0.2.1", "192.0.2.9");
  list.addAddress("::1", "ipv6");
  const parsed = list.rules.map((r) => parseRule(r));
  assert.equal(parsed.map((r) => r.type).sort(), ["address", "range", "subnet"]);
  const copy = buildBlockList(parsed);
  for (const ip of ["10.9.9.9", "192.0.2.5"]) assert.ok(copy.check(ip));
  assert.ok(copy.check("::1", "ipv6"));
  assert.not.ok(copy.check("192.0.2.10"));
});

rules("rejects bad prefixes, mixed families and non-addresses", () => {
  throwsUsage(() => parseRule("10.0.0.0/33"), "from 0 to 32");
  throwsUsage(() => parseRule("::/129"), "from 0 to 128");
  throwsUsage(() => parseRule("10.0.0.0/x"), "prefix");
  throwsUsage(() => parseRule("10.0.0.1-::1"), "one IP family");
  throwsUsage(() => parseRule("example.com"), "'example.com' is not an IP address");
});

rules("files: comments, blank lines, CRLF, and errors with line numbers", () => {
  const text = "# deny list\r\n\r\n10.0.0.0/8   # office\r\n192.0.2.1-192.0.2.3\r\n";
  assert.is(parseRules(text, "deny.txt").length, 2);
  throwsUsage(() => parseRules("10.0.0.1\n\nnot-an-ip\n", "deny.txt"), "deny.txt:3: bad rule");
});

rules("buildBlockList() reports a range the BlockList refuses", () => {
  throwsUsage(
    () => buildBlockList([parseRule("10.0.0.9-10.0.0.1")]),
    "bad rule '10.0.0.9-10.0.0.1'",
  );
});

// ---------------------------------------------------------------- check (in process)
function memoryIo(
  files: Record<string, string> = {},
): CliIo & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d) => (out += d));
  stderr.on("data", (d) => (err += d));
  return {
    stdin: new PassThrough(),
    stdout,
    stderr,
    readFile(path: string): string {
      if (!(path in files)) throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
      return files[path];
    },
    out: () => out,
    err: () => err,
  };
}

const check = suite("omninet check");

check("--private blocks RFC 1918, loopback and link-local; allows public", () => {
  const io = memoryIo();
  const blocked = [
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "127.0.0.1",
    "::1",
    "fe80::1",
    "fd00::1",
  ];
  for (const ip of blocked) {
    assert.is(runCheck(parseArgs(["check", ip, "--private"]) as CheckCommand, io), EXIT.OK, ip);
  }
  for (const ip of ["8.8.8.8", "172.32.0.1", "2001:db8::1"]) {
    assert.is(
      runCheck(parseArgs(["check", ip, "--private"]) as CheckCommand, io),
      EXIT.NOT_MATCHED,
      ip,
    );
  }
  assert.ok(io.out().includes("10.1.2.3: blocked"));
  assert.ok(io.out().includes("8.8.8.8: allowed"));
});

check("rules files and --cidr combine; --quiet prints nothing", async () => {
  const io = memoryIo({ "deny.txt": "203.0.113.0/24\n" });
  const argv = ["check", "198.51.100.7", "--rules", "deny.txt", "--cidr", "198.51.100.0/24", "-q"];
  assert.is(await main(argv, io), EXIT.OK);
  assert.is(await main(["check", "192.0.2.1", "--rules", "deny.txt", "-q"], io), EXIT.NOT_MATCHED);
  assert.is(io.out(), "");
});

check("an unreadable rules file or a bad rule is exit 1 with a message", async () => {
  const io = memoryIo({ "bad.txt": "10.0.0.0/99\n" });
  assert.is(await main(["check", "10.0.0.1", "--rules", "missing.txt"], io), EXIT.ERROR);
  assert.ok(io.err().includes("cannot read rules file 'missing.txt'"), io.err());
  assert.is(await main(["check", "10.0.0.1", "--rules", "bad.txt"], io), EXIT.ERROR);
  assert.ok(io.err().includes("bad.txt:1: bad rule"), io.err());
});

check("usage errors print a hint and return 1", async () => {
  const io = memoryIo();
  assert.is(await main(["connect", "127.0.0.1:70000"], io), EXIT.ERROR);
  assert.ok(io.err().includes("bad port '70000'"));
  assert.ok(io.err().includes("omninet --help"));
});

// ---------------------------------------------------------------- end to end
const here = import.meta.url;
const cliFile = fileURLToPath(new URL(here.endsWith(".js") ? "../cli.js" : "../cli.ts", here));

/** Starts the CLI as a child process with stdin left open. */
function startCli(argv: string[]) {
  const pre = currentRuntime() === "deno" ? ["run", "-A", "--quiet"] : [];
  const child = spawn(process.execPath, [...pre, cliFile, ...argv], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  child.stdin.on("error", () => {/* the child may exit before reading */});
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const exited = new Promise<number | null>((resolve) => {
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  /** Resolves with the `listening on ...` address the CLI prints on stderr. */
  const listening = new Promise<string>((resolve, reject) => {
    const look = () => {
      const m = /listening on (\S+)/.exec(stderr);
      if (m) resolve(m[1]);
    };
    child.stderr.on("data", look);
    exited.then(() => reject(new Error(`CLI exited before listening: ${stderr}`)));
  });
  listening.catch(() => {});
  return { child, exited, listening, out: () => stdout, err: () => stderr };
}

function cli(argv: string[], input = "") {
  return spawnScript("../cli", argv, {}, { input });
}

function tcpPort(address: string): number {
  return Number(address.slice(address.lastIndexOf(":") + 1));
}

const e2e = suite("omninet (spawned)");

e2e("--help prints usage and exit codes, exit 0", async () => {
  const r = await cli(["--help"]);
  assert.is(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes("Usage:"));
  assert.ok(r.stdout.includes("Exit codes:"));
});

e2e("check exits 0 when blocked, 2 when allowed, 1 on a bad address", async () => {
  const blocked = await cli(["check", "10.1.2.3", "--private"]);
  assert.is(blocked.code, 0, blocked.stderr);
  assert.ok(blocked.stdout.includes("10.1.2.3: blocked"));
  assert.is((await cli(["check", "8.8.8.8", "--private"])).code, 2);
  const bad = await cli(["check", "300.1.1.1", "--private"]);
  assert.is(bad.code, 1);
  assert.ok(bad.stderr.includes("bad address '300.1.1.1'"));
});

e2e("check reads a rules file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "omninet-cli-"));
  try {
    const file = join(dir, "deny.txt");
    writeFileSync(file, "# test\n2001:db8::/32\n");
    const r = await cli(["check", "2001:db8::42", "--rules", file]);
    assert.is(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes("blocked (1 rule)"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

e2e("a bad port is exit 1 before any connection", async () => {
  const r = await cli(["connect", "127.0.0.1:99999"]);
  assert.is(r.code, 1);
  assert.ok(r.stderr.includes("bad port '99999'"));
});

e2e("a refused connection is exit 1 with ECONNREFUSED", async () => {
  const port = await quietPort();
  const r = await cli(["connect", `127.0.0.1:${port}`]);
  assert.is(r.code, 1);
  assert.ok(r.stderr.includes("ECONNREFUSED"), r.stderr);
});

e2e("connect sends stdin, prints the reply, exits 0 when the peer closes", async () => {
  const server = net.createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const r = await cli(["connect", `127.0.0.1:${port}`], "ping\nline two\n");
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, "ping\nline two\n");
    assert.ok(r.stderr.includes(`connected to 127.0.0.1:${port}`), JSON.stringify(r));
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

e2e("connect to a Unix socket path", async () => {
  const dir = mkdtempSync(join(tmpdir(), "omninet-cli-"));
  const path = join(dir, "s.sock");
  const server = net.createServer((socket) => {
    socket.once("data", (d) => socket.end(`got ${String(d).trim()}\n`));
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  try {
    const r = await cli(["connect", "-q", path], "hello\n");
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, "got hello\n");
    assert.is(r.stderr, "");
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  }
});

e2e("listen serves one client: sends stdin, prints what arrives, exits 0", async () => {
  const run = startCli(["listen", "127.0.0.1:0"]);
  run.child.stdin.write("from server\n");
  const port = tcpPort(await run.listening);
  const client = net.connect(port, "127.0.0.1");
  let got = "";
  client.setEncoding("utf8");
  client.on("data", (d: string) => {
    got += d;
    if (got.endsWith("\n")) client.end("from client\n");
  });
  const [code] = await Promise.all([
    run.exited,
    new Promise((resolve) => client.on("close", resolve)),
  ]);
  assert.is(code, 0, run.err());
  assert.is(got, "from server\n");
  assert.is(run.out(), "from client\n");
  assert.ok(run.err().includes("connection from 127.0.0.1:"));
});

e2e("listen --echo on a Unix socket echoes and prints", async () => {
  const dir = mkdtempSync(join(tmpdir(), "omninet-cli-"));
  const path = join(dir, "echo.sock");
  const run = startCli(["listen", "--echo", path]);
  try {
    assert.is(await run.listening, path);
    const client = net.connect(path, () => client.end("abc"));
    let got = "";
    client.setEncoding("utf8");
    client.on("data", (d: string) => (got += d));
    await new Promise((resolve) => client.on("close", resolve));
    assert.is(await run.exited, 0, run.err());
    assert.is(got, "abc");
    assert.is(run.out(), "abc");
  } finally {
    run.child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

e2e("listen: EOF on stdin half-closes the open connection", async () => {
  const run = startCli(["listen", "127.0.0.1:0"]);
  const port = tcpPort(await run.listening);
  // Half-open, so the client can still answer after the listener's FIN.
  const client = net.connect({ port, host: "127.0.0.1", allowHalfOpen: true });
  let got = "";
  client.setEncoding("utf8");
  client.on("data", (d: string) => (got += d));
  client.on("connect", () => {
    // Once the listener reports the connection, its stdin sends a line and ends.
    const wait = () => {
      if (!run.err().includes("connection from")) return void setTimeout(wait, 10);
      run.child.stdin.end("last words\n");
    };
    wait();
  });
  const ended = new Promise((resolve) => client.on("end", resolve));
  await ended;
  client.end("reply\n");
  assert.is(await run.exited, 0, run.err());
  assert.is(got, "last words\n");
  assert.is(run.out(), "reply\n");
});

e2e("listen --keep --echo serves clients one after another", async () => {
  const run = startCli(["listen", "--keep", "--echo", "127.0.0.1:0"]);
  try {
    const port = tcpPort(await run.listening);
    for (const word of ["one", "two", "three"]) {
      const client = net.connect(port, "127.0.0.1", () => client.end(word));
      let echoed = "";
      client.setEncoding("utf8");
      client.on("data", (d: string) => (echoed += d));
      await new Promise((resolve) => client.on("close", resolve));
      assert.is(echoed, word);
    }
    // The listener's stdout travels through a pipe that may deliver after the
    // client has seen its echo and closed: wait (bounded) for those bytes.
    for (let i = 0; i < 500 && run.out() !== "onetwothree"; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.is(run.out(), "onetwothree");
    assert.is(run.child.exitCode, null, "still listening");
  } finally {
    run.child.kill();
    await run.exited;
  }
});

e2e("listen on a port in use is exit 1 with EADDRINUSE", async () => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const r = await cli(["listen", `127.0.0.1:${port}`]);
    assert.is(r.code, 1);
    assert.ok(r.stderr.includes("EADDRINUSE"), r.stderr);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

e2e("connect --timeout closes an idle connection with exit 1", async () => {
  const held: Socket[] = [];
  const server = net.createServer((socket) => held.push(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const run = startCli(["connect", "--timeout", "300", `127.0.0.1:${port}`]);
    assert.is(await run.exited, 1);
    assert.ok(run.err().includes("idle for 300 ms"), run.err());
  } finally {
    for (const s of held) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

endpoint.run();
port.run();
host.run();
args.run();
rules.run();
check.run();
e2e.run();
