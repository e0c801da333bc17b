// What `require("@omninet/net")` returns (package.json's "require"
// condition): the module object of mod.ts, the one `import net from` gives, so
// that a patch made through either reaches code that calls through the other,
// as with Node's `require("node:net")`. Without this, `require()` of an ES
// module returns its namespace, which cannot be patched. Node (20.19+, 22.12+),
// Deno and Bun take the `"module.exports"` export as `require()`'s result.
// The rest is mod.ts's namespace, for a resolver that takes this file for an
// `import` (Deno's `import()` inside CommonJS does).
import net from "./mod.ts";
export * from "./mod.ts";
export { net as "module.exports", net as default };
