// A connect the peer never answers, given up with destroy() or an idle
// timeout that destroys: the attempt's descriptor must be closed at once, so
// nothing keeps the process alive (on Bun, Bun.connect() alone cannot abort a
// dial; the adapter dials through a socket it can close). The pending connect
// is made on loopback against a listener whose accept queue is full: a child
// listens and then blocks its event loop, this process fills the queue with
// the runtime's own node:net sockets, and the kernel drops every later SYN.
// Runs on every configuration.
import * as nodeNet from "node:net";
import { spawn } from "node:child_process";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { scriptCommand, spawnScript } from "./_runtime.ts";

const abortSuite = suite("connect given up while pending");

const FIXTURE = "fixtures/connect_abort_bun";

interface Blocker {
  port: number;
  stop(): void;
}

/** Starts the child whose listener never accepts; resolves with its port. */
function startBlocker(): Promise<Blocker> {
  const [cmd, argv] = scriptCommand(FIXTURE, ["block"]);
  const child = spawn(cmd, argv, {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.on("error", reject);
    child.on("exit", () => reject(new Error("blocker exited early")));
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (!out.includes("\n")) return;
      resolve({ port: Number(out.trim()), stop: () => child.kill("SIGKILL") });
    });
  });
}

/**
 * Fills the blocker's accept queue: opens `count` node:net connections and
 * waits until no more of them complete (the rest stay pending in SYN_SENT).
 */
async function fillQueue(port: number, count: number): Promise<nodeNet.Socket[]> {
  const sockets: nodeNet.Socket[] = [];
  let connected = 0;
  for (let i = 0; i < count; i++) {
    const s = nodeNet.connect({ port, host: "127.0.0.1" });
    s.on("connect", () => connected++);
    s.on("error", () => {});
    sockets.push(s);
  }
  // The connects that will ever complete do so within a few round trips on
  // loopback; wait until their number stops moving.
  let last = -1;
  while (connected !== last) {
    last = connected;
    await new Promise((r) => setTimeout(r, 500));
  }
  return sockets;
}

let blocker: Blocker | null = null;
let fillers: nodeNet.Socket[] = [];

abortSuite.before(async () => {
  blocker = await startBlocker();
  // Bun's listener ignores the backlog (its queue holds 513): fill beyond it.
  fillers = await fillQueue(blocker.port, 560);
});

abortSuite.after(() => {
  for (const s of fillers) s.destroy();
  fillers = [];
  blocker?.stop();
  blocker = null;
});

for (const how of ["destroy", "timeout"]) {
  abortSuite(`${how} during a pending connect closes it at once: the process exits`, async () => {
    const r = await spawnScript(FIXTURE, ["abort", String(blocker!.port), how], {}, {
      timeoutMs: 15_000,
    });
    assert.is(r.timedOut, false, `the child stayed alive: ${r.stdout}${r.stderr}`);
    assert.is(r.code, 0, r.stderr);
    // 'close' and nothing else: the connect never completed, and gave no error.
    assert.is(r.stdout, "close\n");
  });
}

abortSuite.run();
