// Small helpers more than one module needs. Pure, no I/O.

/** A JSON/YAML mapping: an object that is neither null nor an array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** `1 module`, `2 modules`: a count and an English noun that takes a plain `s` in the plural. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** `text` with every character a regular expression treats specially escaped, to match it literally. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The HTTP status of a failed request (Octokit's RequestError carries it), if any. */
export function httpStatus(err: unknown): number | undefined {
  const status = err !== null && typeof err === "object" ? (err as { status?: unknown }).status : undefined;
  return typeof status === "number" ? status : undefined;
}
