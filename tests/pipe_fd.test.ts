// new Socket({ fd }) over a pipe's descriptors (not a socket's): the child's
// stdin and stdout are pipes of a shell pipeline; it reads fd 0 to its end and
// writes fd 1, as Node's sockets do over pipes. Bun's own node:net writes to a
// pipe's descriptor but never reads from it; omninet does both on every runtime.
// The forced Deno.connect adapter takes no descriptors (Deno.connect has none): there
// the child fails loudly.
import { execFileSync, spawn } from "node:child_process";
import { constants, openSync } from "node:fs";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import net from "../mod.ts";
import { getTransport } from "../runtimes/mod.ts";
import { removeDir, tempDir, waitFor } from "./_net.ts";
import { currentRuntime, scriptCommand } from "./_runtime.ts";

const test = suite("new Socket({ fd }) over pipes");

function quote(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}

for (const size of [10, 300_000]) {
  test(`reads ${size} B from a pipe to its end and writes them to another`, async () => {
    const [cmd, argv] = scriptCommand("fixtures/pipe_fd");
    const child = [cmd, ...argv].map(quote).join(" ");
    // A producer that writes in two parts, the second after a pause: the reader waits for it.
    const half = Math.floor(size / 2);
    const producer = `head -c ${half} /dev/zero | tr '\\0' a; sleep 0.2; head -c ${
      size - half
    } /dev/zero | tr '\\0' b`;
    const sh = spawn("sh", ["-c", `(${producer}) | ${child} | cat`], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    sh.stdout.setEncoding("latin1").on("data", (d: string) => (out += d));
    sh.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    const timer = setTimeout(() => sh.kill("SIGKILL"), 20_000);
    const code = await new Promise<number | null>((resolve) => sh.on("close", resolve));
    clearTimeout(timer);
    if (getTransport().openFd === undefined) {
      return assert.ok(err.includes("ERR_FEATURE_UNAVAILABLE_ON_PLATFORM"), err);
    }
    assert.is(code, 0, err);
    assert.is(out.length, size, err);
    assert.is(out, "A".repeat(half) + "B".repeat(size - half));
    // Node's socket over a Pipe names no ends: `remoteAddress` undefined, `address()` {}.
    assert.is(err, `done ${size} ${size} {"address":{}}\n`);
  });
}

// Deno's node:fs hands out numbers of its own, not descriptors (Deno's own net.Socket cannot
// take them either), so the FIFO is opened only where node:fs gives descriptors.
if (getTransport().openFd !== undefined && currentRuntime() !== "deno") {
  test("a FIFO's two ends in one process: what one socket writes the other reads; end() ends it", async () => {
    const dir = tempDir();
    try {
      const path = join(dir, "fifo");
      execFileSync("mkfifo", [path]);
      // The read end first, without waiting for a writer; then the write end, which finds it.
      const r = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
      const w = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
      const reader = new net.Socket({ fd: r, readable: true, writable: false });
      const writer = new net.Socket({ fd: w, readable: false, writable: true });
      let got = "";
      reader.setEncoding("utf8").on("data", (d: string) => (got += d));
      const ended = waitFor(reader, "end");
      const closed = waitFor(writer, "close");
      // The reader, without allowHalfOpen, closes by itself after its end, maybe before the
      // writer's 'close': waited for from the start.
      const readerClosed = waitFor(reader, "close");
      const events: string[] = [];
      writer.on("finish", () => events.push("finish"));
      writer.on("close", () => events.push("close"));
      writer.write("first ");
      writer.end("second", () => events.push("end callback"));
      await ended;
      assert.is(got, "first second");
      await closed;
      assert.equal(events.filter((e) => e !== "end callback"), ["finish", "close"]);
      assert.ok(events.includes("end callback"));
      reader.destroy();
      await readerClosed;
    } finally {
      removeDir(dir);
    }
  });
}

test.run();
