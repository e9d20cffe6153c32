// A problem found in a configuration or registry file. Every check in the core reports problems
// in this one shape so that the CLI, the app's summary and the logs all name file, line and key.

export type Severity = "error" | "warning";

export interface Problem {
  file: string;
  /** 1-based line, when the YAML position is known. */
  line?: number;
  /** Dotted key path inside the document, e.g. `modules[3].paths[0]`. */
  key?: string;
  message: string;
  severity: Severity;
}

export function formatProblem(p: Problem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}`;
  const key = p.key ? ` ${p.key}:` : "";
  return `${where}: ${p.severity}:${key} ${p.message}`;
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === "error");
}

/** Thrown where a caller needs a value and the input had errors; carries every problem. */
export class ConfigError extends Error {
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    const errors = problems.filter((p) => p.severity === "error");
    super(errors.map(formatProblem).join("\n") || "invalid configuration");
    this.name = "ConfigError";
    this.problems = problems;
  }
}
