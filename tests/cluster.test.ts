import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { quietPort, removeDir, tempDir } from "./_net.ts";
import { currentRuntime, spawnScript } from "./_runtime.ts";

const cluster = suite("Server.listen() in node:cluster workers");

/** A loopback port nothing listens on, which no other suite's listen(0) takes meanwhile. */
const freePort = quietPort;

cluster("two workers listening on one port share it and both serve", async () => {
  const port = await freePort();
  const r = await spawnScript("fixtures/cluster", ["shared", String(port)], {}, {
    timeoutMs: 30_000,
  });
  assert.is(r.timedOut, false, `cluster fixture hung: ${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /^served 1 2 in \d+ connections, both closed\n$/, r.stdout + r.stderr);
  assert.is(r.code, 0, r.stderr);
});

cluster(
  "with NODE_CLUSTER_SCHED_POLICY=none (the primary's handle in each worker) both serve",
  async () => {
    const port = await freePort();
    const env = { NODE_CLUSTER_SCHED_POLICY: "none" };
    const r = await spawnScript("fixtures/cluster", ["shared", String(port)], env, {
      timeoutMs: 30_000,
    });
    assert.is(r.timedOut, false, `cluster fixture hung: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /^served 1 2 in \d+ connections, both closed\n$/, r.stdout + r.stderr);
    assert.is(r.code, 0, r.stderr);
  },
);

cluster("port 0 in two workers: one shared port, both serve", async () => {
  const r = await spawnScript("fixtures/cluster", ["shared", "0"], {}, { timeoutMs: 30_000 });
  assert.is(r.timedOut, false, `cluster fixture hung: ${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /^served 1 2 in \d+ connections, both closed\n$/, r.stdout + r.stderr);
  assert.is(r.code, 0, r.stderr);
});

cluster("exclusive: true opts out of sharing: the second worker gets EADDRINUSE", async () => {
  const port = await freePort();
  const r = await spawnScript("fixtures/cluster", ["exclusive", String(port)], {}, {
    timeoutMs: 30_000,
  });
  assert.is(r.timedOut, false, `cluster fixture hung: ${r.stdout}${r.stderr}`);
  assert.is(r.stdout, "1 listening, 2 EADDRINUSE\n", r.stderr);
  assert.is(r.code, 0, r.stderr);
});

cluster("two workers listening on one Unix socket path share it and both serve", async () => {
  const dir = tempDir();
  try {
    const r = await spawnScript("fixtures/cluster", ["shared", join(dir, "c.sock")], {}, {
      timeoutMs: 30_000,
    });
    assert.is(r.timedOut, false, `cluster fixture hung: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /^served 1 2 in \d+ connections, both closed\n$/, r.stdout + r.stderr);
    assert.is(r.code, 0, r.stderr);
  } finally {
    removeDir(dir);
  }
});

cluster(
  "a round-robin worker at maxConnections hands the connection back: another worker serves it",
  async () => {
    const port = await freePort();
    const r = await spawnScript("fixtures/cluster", ["full", String(port)], {}, {
      timeoutMs: 30_000,
    });
    assert.is(r.timedOut, false, `cluster fixture hung: ${r.stdout}${r.stderr}`);
    if (currentRuntime() === "bun") {
      // Bun's cluster code does not hand a connection back from a full
      // worker: it drops it, as with Bun's own node:net. Only worker 2 ever
      // answers; each unanswered connection is one of worker 1's drops.
      const m = /^served (2|) in 10 connections, (\d+) empty, (\d+) dropped, both closed\n$/
        .exec(r.stdout);
      assert.ok(m, r.stdout + r.stderr);
      assert.is(m![2], m![3], r.stdout);
    } else {
      assert.is(
        r.stdout,
        "served 2 in 10 connections, 0 empty, 0 dropped, both closed\n",
        r.stderr,
      );
    }
    assert.is(r.code, 0, r.stderr);
  },
);

// A Unix path is shared round-robin through the primary on every runtime (Bun's cluster too,
// which shares a fixed TCP port with SO_REUSEPORT instead), so a full worker hands the
// connection back there as well (Node's test-cluster-net-server-drop-connection).
cluster(
  "a round-robin worker on a Unix path at maxConnections hands the connection back",
  async () => {
    const dir = tempDir();
    try {
      const r = await spawnScript("fixtures/cluster", ["full", join(dir, "f.sock")], {}, {
        timeoutMs: 30_000,
      });
      assert.is(r.timedOut, false, `cluster fixture hung: ${r.stdout}${r.stderr}`);
      assert.is(
        r.stdout,
        "served 2 in 10 connections, 0 empty, 0 dropped, both closed\n",
        r.stderr,
      );
      assert.is(r.code, 0, r.stderr);
    } finally {
      removeDir(dir);
    }
  },
);

cluster.run();
