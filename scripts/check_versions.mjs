// Fails unless package.json and deno.json agree on the package's name and version.
import { readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const deno = JSON.parse(readFileSync(new URL("../deno.json", import.meta.url), "utf8"));
const problems = [];
if (pkg.name !== deno.name) {
  problems.push(`name: package.json ${pkg.name} vs deno.json ${deno.name}`);
}
if (pkg.version !== deno.version) {
  problems.push(`version: package.json ${pkg.version} vs deno.json ${deno.version}`);
}
if (problems.length) {
  console.error(`package.json and deno.json disagree:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`${pkg.name}@${pkg.version} in both manifests`);
