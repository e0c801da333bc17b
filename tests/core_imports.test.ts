import { suite } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

// The TypeScript sources, from tests/ (Deno, Bun) or dist/tests/ (Node).
function _coreDir(): string {
  const found = [new URL("../core/", import.meta.url), new URL("../../core/", import.meta.url)]
    .map((u) => fileURLToPath(u))
    .find((dir) => existsSync(`${dir}socket.ts`));
  if (!found) throw new Error("core/ sources not found");
  return found;
}

/** Each core module's imports of other core modules, type-only imports included. */
function _graph(dir: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
    const text = readFileSync(dir + file, "utf8");
    const deps = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+"\.\/([^"]+)"/gms)]
      .map((m) => m[1]);
    graph.set(file, deps);
  }
  return graph;
}

/** The first import cycle found, as a path of file names, or `null`. */
function _cycle(graph: Map<string, string[]>): string[] | null {
  const done = new Set<string>();
  const visit = (file: string, path: string[]): string[] | null => {
    if (path.includes(file)) return [...path.slice(path.indexOf(file)), file];
    if (done.has(file)) return null;
    for (const dep of graph.get(file) ?? []) {
      const found = visit(dep, [...path, file]);
      if (found) return found;
    }
    done.add(file);
    return null;
  };
  for (const file of graph.keys()) {
    const found = visit(file, []);
    if (found) return found;
  }
  return null;
}

const imports = suite("core/ imports");

imports("no import cycle among core modules (type-only imports included)", () => {
  const graph = _graph(_coreDir());
  assert.ok(graph.has("socket.ts") && graph.has("server.ts"));
  assert.equal(_cycle(graph), null);
});

imports("the cycle finder finds a cycle", () => {
  const graph = new Map([["a.ts", ["b.ts"]], ["b.ts", ["c.ts"]], ["c.ts", ["a.ts"]]]);
  assert.equal(_cycle(graph), ["a.ts", "b.ts", "c.ts", "a.ts"]);
});

imports.run();
