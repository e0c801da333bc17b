/**
 * Reads recorded fixtures (`tests/fixtures/*`) from the source tree or, for
 * suites compiled to `dist/tests`, from the source tree next to `dist/`.
 * @module
 */
import { existsSync, readFileSync } from "node:fs";

/**
 * The text of `tests/fixtures/<name>`.
 * @param name file name inside `tests/fixtures/`
 * @returns the file's contents
 * @example
 * ```ts
 * const raw = readFixture("connect_node26.json");
 * ```
 */
export function readFixture(name: string): string {
  const here = (import.meta as { url: string }).url;
  const found = [
    new URL(`./fixtures/${name}`, here),
    new URL(`../../tests/fixtures/${name}`, here),
  ].find((u) => existsSync(u));
  if (!found) throw new Error(`${name} not found`);
  return readFileSync(found, "utf8");
}

/**
 * A JSON fixture, parsed.
 * @param name file name inside `tests/fixtures/`
 * @returns the parsed value
 * @example
 * ```ts
 * const fixture = readJsonFixture<{ node: string }>("connect_node26.json");
 * ```
 */
export function readJsonFixture<T>(name: string): T {
  return JSON.parse(readFixture(name)) as T;
}

/**
 * A JSON-lines fixture: one parsed value per non-empty line (the first is
 * usually a header naming the Node that recorded it).
 * @param name file name inside `tests/fixtures/`
 * @returns the parsed lines
 * @example
 * ```ts
 * const [header, ...cases] = readJsonLines("block_list_node26.jsonl");
 * ```
 */
export function readJsonLines(name: string): unknown[] {
  return readFixture(name).split("\n").filter((l) => l.length > 0).map((l) => JSON.parse(l));
}
