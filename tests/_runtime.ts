/**
 * Test helpers that depend on which runtime runs the suite.
 *
 * Suites run as TypeScript source on Deno and Bun and as compiled JavaScript
 * (`dist/tests/*.js`) on Node, so a child script has to be started with the
 * current runtime and in the form that sits next to this file. Fixture
 * scripts live in `tests/fixtures/*.ts`; the build compiles them to
 * `dist/tests/fixtures/*.js`.
 * @module
 */
import { spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** The runtime executing this code, by its globals. */
export type RuntimeKind = "node" | "deno" | "bun";

/** The runtime executing this code (not the transport in use). */
export function currentRuntime(): RuntimeKind {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (g.Deno !== undefined) return "deno";
  if (g.Bun !== undefined) return "bun";
  return "node";
}

/** Outcome of {@link spawnScript}. */
export interface SpawnResult {
  /** Exit code, or `null` when the child died by a signal. */
  code: number | null;
  /** Signal that ended the child, if any. */
  signal: string | null;
  /** Everything the child wrote to stdout. */
  stdout: string;
  /** Everything the child wrote to stderr. */
  stderr: string;
  /** The child did not exit within the timeout and was killed. */
  timedOut: boolean;
}

/** Options of {@link spawnScript}. */
export interface SpawnOptions {
  /** Kill the child (SIGKILL) after this many milliseconds. Default 20 000. */
  timeoutMs?: number;
  /** Bytes written to the child's stdin (then closed); stdin is empty otherwise. */
  input?: string | Uint8Array;
  /** Runtime flags placed before the script (after `run -A --quiet` on Deno). */
  runtimeArgs?: string[];
  /**
   * Start the script through this launcher: a plain `.mjs` file under
   * `tests/fixtures/` (read from the sources, also under `dist/`), run by
   * Node whatever runtime the suite is on, with `launcherArgs` and then the
   * script's whole command line as its arguments (e.g. to hand it a listening
   * socket as fd 3). The child's stdin is then empty.
   */
  launcher?: string;
  /** Arguments for the launcher, before the command it starts. */
  launcherArgs?: string[];
}

/**
 * The command line that runs a script from `tests/` on the current runtime:
 * the compiled `.js` next to this module under Node (with Node's own flags),
 * the `.ts` source under Deno (`run -A --quiet`) and Bun.
 * @param relPathWithoutExt script path under `tests/`, without extension
 * @param args arguments passed to the script
 * @param runtimeArgs runtime flags placed before the script
 * @returns the executable and its arguments
 * @example
 * ```ts
 * const [cmd, argv] = scriptCommand("fixtures/transport_ref", ["listener-unref"]);
 * ```
 */
export function scriptCommand(
  relPathWithoutExt: string,
  args: string[] = [],
  runtimeArgs: string[] = [],
): [string, string[]] {
  const here = (import.meta as { url: string }).url;
  const ext = here.endsWith(".js") ? ".js" : ".ts";
  const file = fileURLToPath(new URL(`./${relPathWithoutExt}${ext}`, here));
  const runtime = currentRuntime();
  // Node keeps its own flags (e.g. --experimental-transform-types for .ts).
  const pre = runtime === "deno"
    ? ["run", "-A", "--quiet"]
    : runtime === "node"
    ? process.execArgv
    : [];
  return [process.execPath, [...pre, ...runtimeArgs, file, ...args]];
}

/** The path of a plain launcher script in the sources' `tests/fixtures/`. */
function _launcherPath(name: string): string {
  const here = (import.meta as { url: string }).url;
  // Plain JavaScript, not built: from dist/tests/ it is read in the sources.
  const from = here.endsWith(".js") ? "../../tests/fixtures/" : "./fixtures/";
  return fileURLToPath(new URL(`${from}${name}`, here));
}

/**
 * Runs a script from `tests/` in a child process of the current runtime and
 * collects its output. `relPathWithoutExt` is relative to `tests/` (e.g.
 * `"fixtures/transport_ref"`); `.ts` or `.js` is chosen by the form of this
 * module, so the compiled copy runs under Node and the source under Deno
 * (`deno run -A`) and Bun. The child inherits the environment (including
 * `OMNINET_TRANSPORT`) plus `env`. Resolves when the child exits; never
 * rejects.
 * @param relPathWithoutExt script path under `tests/`, without extension
 * @param args arguments passed to the script
 * @param env extra environment variables
 * @param options timeout and stdin contents
 * @returns exit status and captured output
 * @example
 * ```ts
 * const r = await spawnScript("fixtures/transport_ref", ["listener-unref"]);
 * assert.is(r.code, 0);
 * ```
 */
export function spawnScript(
  relPathWithoutExt: string,
  args: string[] = [],
  env: Record<string, string> = {},
  options: SpawnOptions = {},
): Promise<SpawnResult> {
  let [cmd, argv] = scriptCommand(relPathWithoutExt, args, options.runtimeArgs);
  if (options.launcher !== undefined) {
    argv = [_launcherPath(options.launcher), ...(options.launcherArgs ?? []), cmd, ...argv];
    cmd = currentRuntime() === "node" ? process.execPath : "node";
  }
  const child = spawn(cmd, argv, {
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  child.stdin.on("error", () => {/* the child may exit before reading */});
  child.stdin.end(options.input ?? "");
  return new Promise((resolve) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, options.timeoutMs ?? 20_000);
    child.on("error", (err) => (stderr += String(err)));
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}
