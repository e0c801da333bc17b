/**
 * Rule files for `omninet check`: one rule per line, turned into a
 * `BlockList`. Parsing is pure so it is unit-tested line by line.
 *
 * A line holds one of `10.0.0.1` (address), `10.0.0.0/8` (subnet),
 * `10.0.0.1-10.0.0.9` (inclusive range), the same for IPv6, or the strings
 * `blockList.rules` prints (`Subnet: IPv4 10.0.0.0/8`), so a list dumped
 * from a program can be checked as is. `#` starts a comment.
 * @module
 */
import { BlockList, isIP } from "../mod.ts";
import { UsageError } from "./endpoint.ts";

/** IP family as `BlockList` names it. */
export type Family = "ipv4" | "ipv6";

/** One parsed rule. */
export type Rule =
  | { type: "address"; address: string; family: Family }
  | { type: "range"; start: string; end: string; family: Family }
  | { type: "subnet"; network: string; prefix: number; family: Family };

function _family(address: string, rule: string): Family {
  const version = isIP(address);
  if (version === 0) throw new UsageError(`bad rule '${rule}': '${address}' is not an IP address`);
  return version === 4 ? "ipv4" : "ipv6";
}

/**
 * Parses one rule.
 * @param text The rule, without comment; surrounding spaces are ignored.
 * @returns The rule.
 * @example
 * ```ts
 * parseRule("10.0.0.0/8"); // { type: "subnet", network: "10.0.0.0", prefix: 8, family: "ipv4" }
 * ```
 */
export function parseRule(text: string): Rule {
  const rule = text.trim().replace(/^(?:Address|Range|Subnet):\s+IPv[46]\s+/i, "");
  const slash = rule.indexOf("/");
  if (slash !== -1) {
    const network = rule.slice(0, slash).trim();
    const family = _family(network, rule);
    const bits = rule.slice(slash + 1).trim();
    const max = family === "ipv4" ? 32 : 128;
    const prefix = /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
    if (!(prefix <= max)) {
      throw new UsageError(`bad rule '${rule}': prefix must be an integer from 0 to ${max}`);
    }
    return { type: "subnet", network, prefix, family };
  }
  const dash = rule.indexOf("-");
  if (dash !== -1) {
    const start = rule.slice(0, dash).trim();
    const end = rule.slice(dash + 1).trim();
    const family = _family(start, rule);
    if (_family(end, rule) !== family) {
      throw new UsageError(`bad rule '${rule}': a range's ends must be of one IP family`);
    }
    return { type: "range", start, end, family };
  }
  return { type: "address", address: rule, family: _family(rule, rule) };
}

/**
 * Parses a rules file.
 * @param text The file's content.
 * @param source Name used in error messages (`rules.txt:3: ...`).
 * @returns The rules, in file order.
 * @example
 * ```ts
 * parseRules("# office\n192.168.0.0/16\n", "rules.txt").length; // 1
 * ```
 */
export function parseRules(text: string, source: string): Rule[] {
  const rules: Rule[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/#.*$/, "").trim();
    if (line === "") continue;
    try {
      rules.push(parseRule(line));
    } catch (err) {
      throw new UsageError(`${source}:${i + 1}: ${(err as Error).message}`);
    }
  }
  return rules;
}

function _format(rule: Rule): string {
  if (rule.type === "address") return rule.address;
  return rule.type === "range" ? `${rule.start}-${rule.end}` : `${rule.network}/${rule.prefix}`;
}

/**
 * Adds rules to a `BlockList`, reporting which rule the list rejected.
 * @param rules Parsed rules.
 * @param list The list to fill (a new one by default).
 * @returns The list.
 * @example
 * ```ts
 * buildBlockList([parseRule("10.0.0.0/8")]).check("10.1.2.3"); // true
 * ```
 */
export function buildBlockList(rules: Rule[], list: BlockList = new BlockList()): BlockList {
  for (const rule of rules) {
    try {
      if (rule.type === "address") list.addAddress(rule.address, rule.family);
      else if (rule.type === "range") list.addRange(rule.start, rule.end, rule.family);
      else list.addSubnet(rule.network, rule.prefix, rule.family);
    } catch (err) {
      throw new UsageError(`bad rule '${_format(rule)}': ${(err as Error).message}`);
    }
  }
  return list;
}
