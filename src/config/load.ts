/**
 * Reading a YAML config: parse, validate against the schema, resolve relative
 * paths against the config file's folder, and report every mistake with its key path.
 * @module
 */
import * as path from "node:path";
import YAML from "yaml";
import type { z } from "zod";
import { type Config, configSchema } from "./schema.ts";

/** A config that cannot be used; `problems` lists one sentence per mistake. */
export class ConfigError extends Error {
  /** One line per problem, each starting with its key path. */
  readonly problems: string[];

  /**
   * @param file the config file
   * @param problems one line per problem
   */
  constructor(file: string, problems: string[]) {
    super(`${file}: ${problems.join("; ")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/**
 * Validate a parsed config object and resolve its relative paths.
 * @param raw the parsed YAML (or an object built in code)
 * @param options `file` names the source in messages; `baseDir` resolves relative paths
 * @returns the config with defaults filled in
 * @throws {ConfigError} listing every problem with its key path
 */
export function parseConfig(
  raw: unknown,
  options: { file?: string; baseDir?: string } = {},
): Config {
  const file = options.file ?? "config";
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigError(file, ["expected a mapping with at least the keys fm, em"]);
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(file, result.error.issues.map((issue) => describeIssue(issue, raw)));
  }
  const config = result.data;
  const base = options.baseDir ?? Deno.cwd();
  const resolve = (location: string) =>
    /^[a-z][a-z0-9+.-]*:\/\//i.test(location) ? location : path.resolve(base, location);
  config.fm.path = resolve(config.fm.path);
  config.em.path = resolve(config.em.path);
  if (config.em.labels) config.em.labels = resolve(config.em.labels);
  config.output.path = resolve(config.output.path);
  if (config.segmentation.em.model !== "builtin") {
    config.segmentation.em.model = resolve(config.segmentation.em.model);
  }
  return config;
}

/**
 * Read, validate and resolve a YAML config file.
 * @param file the config file's path
 * @returns the validated config
 * @throws {ConfigError} for an unreadable file, bad YAML or bad values
 */
export async function loadConfig(file: string): Promise<Config> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (cause) {
    throw new ConfigError(file, [
      cause instanceof Deno.errors.NotFound ? "no such file" : `cannot read: ${cause}`,
    ]);
  }
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (cause) {
    throw new ConfigError(file, [`is not valid YAML: ${(cause as Error).message.split("\n")[0]}`]);
  }
  return parseConfig(raw, { file, baseDir: path.dirname(path.resolve(file)) });
}

function valueAt(raw: unknown, keys: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const key of keys) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const keyPath = issue.path.map(String).join(".") || "(top level)";
  const value = valueAt(raw, issue.path);
  const shown = JSON.stringify(value);
  switch (issue.code) {
    case "invalid_value":
      return `${keyPath}: ${shown} is not one of ${issue.values.map(String).join(", ")}`;
    case "unrecognized_keys":
      return issue.keys.map((key) =>
        `${
          issue.path.length ? keyPath + "." : ""
        }${key}: unknown key (check its spelling against the README's config reference)`
      ).join("; ");
    case "invalid_type":
      return value === undefined
        ? `${keyPath}: is missing; expected ${issue.expected}`
        : `${keyPath}: ${shown} is not valid; expected ${issue.expected}`;
    case "too_small":
      return `${keyPath}: ${shown} is too small; expected ${
        issue.inclusive ? "≥" : ">"
      } ${issue.minimum}`;
    case "too_big":
      return `${keyPath}: ${shown} is too large; expected ${
        issue.inclusive ? "≤" : "<"
      } ${issue.maximum}`;
    default:
      return `${keyPath}: ${shown} is not valid; ${issue.message}`;
  }
}
