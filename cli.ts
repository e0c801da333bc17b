#!/usr/bin/env node
/**
 * `omninet`: a small netcat built on omninet's `node:net` API, the same
 * program on Node, Deno and Bun. `omninet --help` lists the commands.
 *
 * @example Run it
 * ```sh
 * npx omninet listen --echo 127.0.0.1:7000
 * deno run -A jsr:@omninet/net/cli connect 127.0.0.1:7000
 * bunx omninet check 10.1.2.3 --private
 * ```
 * @module
 */
import process from "node:process";
import { main } from "./cli/main.ts";

const code = await main(process.argv.slice(2));
// Flush stdout before exiting: stdin may still be open and would keep the process alive.
process.stdout.write("", () => process.exit(code));
