// Reading a review history file for the CLI's commands (route --history, maintainers audit).

import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseHistory, type HistoryRecord } from "../core/history.js";
import { formatProblem } from "../core/problems.js";
import { displayPath } from "../io/files.js";
import { EXIT, type CliIO } from "./io.js";

/**
 * A history file's records, or the exit code after printing every malformed line as
 * FILE:LINE: error: ... (the file must be fixed: a partial history would mislead).
 */
export function readHistory(io: CliIO, file: string): HistoryRecord[] | number {
  const path = resolve(io.cwd ?? process.cwd(), file);
  if (!existsSync(path)) {
    io.stderr(`review-router: ${file}: no such history file (write one with \`review-router history --from-git DIR > FILE\`)\n`);
    return EXIT.problems;
  }
  const { records, problems } = parseHistory(readFileSync(path, "utf8"), displayPath(path));
  for (const p of problems) io.stderr(formatProblem(p) + "\n");
  return problems.length > 0 ? EXIT.problems : records;
}

/** A date option as a Date, or undefined when it is not one. */
export function dateOption(value: string): Date | undefined {
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : new Date(t);
}
