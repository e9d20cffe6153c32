// YAML parsing that remembers where each mapping key and sequence item stood, so that validation
// errors can name a line. js-yaml exposes a parse-event listener; we use it to record, per parsed
// object, the line of each of its keys (or items).

import yaml from "js-yaml";
import type { Problem } from "./problems.js";

export type KeyPath = ReadonlyArray<string | number>;

interface Frame {
  children: { line: number; value: unknown }[];
}

export interface ParsedYaml {
  value: unknown;
  /** 1-based line of the key or item at `path`, or of its nearest known ancestor. */
  lineOf(path: KeyPath): number | undefined;
}

/** Limits that keep hostile input cheap: a document this large or this deep is refused. */
export const YAML_LIMITS = { maxBytes: 1_000_000, maxDepth: 64 } as const;

export function formatKeyPath(path: KeyPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? part : `.${part}`;
  }
  return out;
}

/**
 * Parse YAML text. On a syntax error returns the problem (with its line) instead of throwing.
 * Positions are recorded per object identity, so aliases (which js-yaml shares rather than
 * copies) cost nothing extra.
 */
export function parseYaml(text: string, file: string): { ok: true; doc: ParsedYaml } | { ok: false; problem: Problem } {
  if (Buffer.byteLength(text, "utf8") > YAML_LIMITS.maxBytes) {
    return {
      ok: false,
      problem: {
        file,
        severity: "error",
        message: `file is larger than ${YAML_LIMITS.maxBytes} bytes; split it or remove unused entries`,
      },
    };
  }
  const frames: Frame[] = [];
  const keyLines = new WeakMap<object, Map<string | number, number>>();
  let rootLine = 1;
  let value: unknown;
  try {
    value = yaml.load(text, {
      filename: file,
      schema: yaml.JSON_SCHEMA,
      maxDepth: YAML_LIMITS.maxDepth,
      listener(event: string, state: { depth: number; line: number; result: unknown; kind: string | null }) {
        const depth = state.depth;
        if (event === "open") {
          frames[depth] = { children: [] };
          return;
        }
        const frame = frames[depth];
        const result = state.result;
        const firstChild = frame?.children[0];
        const line = (firstChild ? firstChild.line : state.line) + (firstChild ? 0 : 1);
        if (frame && result !== null && typeof result === "object" && !keyLines.has(result)) {
          const lines = new Map<string | number, number>();
          if (Array.isArray(result)) {
            frame.children.forEach((c, i) => lines.set(i, c.line));
          } else {
            for (let i = 0; i < frame.children.length; i += 2) {
              const key = frame.children[i];
              if (key && (typeof key.value === "string" || typeof key.value === "number")) {
                lines.set(String(key.value), key.line);
              }
            }
          }
          keyLines.set(result, lines);
        }
        const parent = frames[depth - 1];
        if (parent) parent.children.push({ line, value: result });
        else rootLine = line;
        frames.length = depth;
      },
    } as unknown as yaml.LoadOptions);
  } catch (err) {
    const e = err as { mark?: { line?: number }; reason?: string; message?: string };
    const line = e.mark?.line === undefined ? undefined : e.mark.line + 1;
    return {
      ok: false,
      problem: {
        file,
        line,
        severity: "error",
        message: `invalid YAML: ${e.reason ?? e.message ?? String(err)}`,
      },
    };
  }
  const lineOf = (path: KeyPath): number | undefined => {
    let node: unknown = value;
    let best: number | undefined = rootLine;
    for (const part of path) {
      if (node === null || typeof node !== "object") break;
      const line = keyLines.get(node)?.get(typeof part === "number" && !Array.isArray(node) ? String(part) : part);
      if (line !== undefined) best = line;
      node = (node as Record<string | number, unknown>)[part];
    }
    return best;
  };
  return { ok: true, doc: { value, lineOf } };
}
