// `review-router triage`: the issue handler's decision, offline. Labels an issue given as a title
// and a body (a file or standard input), or a batch given as JSON lines, and shows each label's
// evidence: which text, where it stood, what it weighed.

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadBundled } from "../app/repo-config.js";
import { describeEvidence, type IssueDecision, type LabelScore } from "../core/issue-text.js";
import { DEFAULT_REPOSITORY } from "../io/files.js";
import { EXIT, usageError, type CliIO } from "./io.js";
import { isRepository, resolveTarget } from "./target.js";

export const TRIAGE_HELP = `Usage: review-router triage [options]

Print the labels the GitHub App would add to an issue, and the evidence for each: where in the
issue a path, API name or keyword stood (title, error message, innermost frame, prose, code...)
and what it weighed. A label is added when its score reaches its threshold, unless it is only named
in passing beside the issue's subject, or is a sub-label (module: inductor) with only frames and code
behind it; a label not added says why.

  review-router triage --title "torch.compile fails" --body-file issue.md
  review-router triage --jsonl issues.jsonl > results.jsonl

Options:
  --config FILE      configuration file (default: as for route: the checkout's own, else what the
                     app uses for the repository)
  --repo OWNER/NAME  repository the issue is in (default: as for route; outside a checkout ${DEFAULT_REPOSITORY})
  --title T          the issue's title
  --body-file F      the issue's body; "-" reads standard input (default: empty body)
  --jsonl FILE       one {"title": ..., "body": ...} object a line ("-": standard input); prints one
                     JSON result a line: {"labels": [...], "evidence": [...], "modules": [...]}
  --json             print the result as JSON
  -h, --help         show this help
`;

/** The JSON view of a decision: labels, then every scored label with its evidence. */
export function triageJson(d: IssueDecision) {
  return {
    labels: d.labels,
    evidence: d.scores.map((s) => ({
      label: s.label,
      score: s.score,
      threshold: s.threshold,
      added: s.added,
      ...(s.dropped ? { dropped: s.dropped } : {}),
      ...(s.yieldedTo ? { yieldedTo: s.yieldedTo } : {}),
      items: s.evidence.map((e) => ({
        signal: e.signal,
        kind: e.kind,
        text: e.text,
        ...(e.path ? { path: e.path } : {}),
        weight: e.weight,
      })),
    })),
    modules: d.modules.map((m) => ({ name: m.name, labels: m.labels, why: m.why, maintainers: m.maintainers })),
  };
}

export function formatTriage(d: IssueDecision, threshold: number): string {
  let out = `labels: ${d.labels.join(", ") || "(none)"}\n`;
  if (d.scores.length === 0) return out + "no evidence for any label\n";
  out += `\nscores (a label is added at ${threshold}):\n`;
  for (const s of d.scores) {
    const why = droppedText(s, threshold);
    out += `  ${s.added ? "+" : "-"} ${s.label}  ${s.score}${why ? `  (${why})` : ""}\n`;
    for (const e of s.evidence) out += `      ${describeEvidence(e)}\n`;
  }
  return out;
}

/**
 * Why a label was not added, as the text output says it: a label with its own threshold says so, "(below
 * threshold 5)"; the rules for a label beside another say what it needed, or which label took the issue.
 */
function droppedText(s: LabelScore, threshold: number): string | undefined {
  switch (s.dropped) {
    case "below threshold":
      return s.threshold !== threshold ? `${s.dropped} ${s.threshold}` : s.dropped;
    case "a broad label beside a specific one":
    case "far below the first label":
      return `${s.dropped}: needs ${s.threshold}`;
    case "yields to another label":
      return `yields to ${s.yieldedTo}`;
    default:
      return s.dropped;
  }
}

async function readSource(name: string, io: CliIO): Promise<string> {
  return name === "-" ? io.readStdin() : readFileSync(resolve(name), "utf8");
}

/** What triage shows of an issue: the runner's decision, or why the app leaves issues alone. */
type Triaged = { decision: IssueDecision } | { skipped: string };

/** The JSON view of what triage decided: a skipped issue has no labels and says why. */
function triagedJson(t: Triaged) {
  return "decision" in t ? triageJson(t.decision) : { labels: [], evidence: [], modules: [], skipped: t.skipped };
}

/** Label every line of a JSON-lines batch; a bad line gets an {"error"} line, so outputs stay aligned. */
async function triageLines(
  triage: (title: string, body: string) => Promise<Triaged>,
  file: string,
  text: string,
  io: CliIO,
): Promise<number> {
  let failed = false;
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  for (const [i, line] of lines.entries()) {
    let input: unknown;
    try {
      input = JSON.parse(line);
    } catch {
      input = undefined;
    }
    const obj = input as { title?: unknown; body?: unknown } | undefined;
    const badBody = obj?.body !== undefined && obj?.body !== null && typeof obj?.body !== "string";
    if (!obj || typeof obj !== "object" || typeof obj.title !== "string" || badBody) {
      const message = 'not a JSON object with a string "title" (and "body")';
      io.stderr(`${file}:${i + 1}: error: ${message}\n`);
      io.stdout(JSON.stringify({ error: message, line: i + 1 }) + "\n");
      failed = true;
      continue;
    }
    io.stdout(JSON.stringify(triagedJson(await triage(obj.title, typeof obj.body === "string" ? obj.body : ""))) + "\n");
  }
  return failed ? EXIT.problems : EXIT.ok;
}

export async function triageCommand(args: string[], io: CliIO): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args,
      allowPositionals: false,
      options: {
        config: { type: "string" },
        repo: { type: "string" },
        title: { type: "string" },
        "body-file": { type: "string" },
        jsonl: { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }).values;
  } catch (err) {
    return usageError(io, "triage", (err as Error).message);
  }
  if (values.help) {
    io.stdout(TRIAGE_HELP);
    return EXIT.ok;
  }
  const usage = (message: string) => usageError(io, "triage", message);
  if (values.repo !== undefined && !isRepository(values.repo)) return usage(`--repo must be OWNER/NAME, not "${values.repo}"`);
  if (values.jsonl !== undefined && (values.title !== undefined || values["body-file"] !== undefined)) {
    return usage("--jsonl reads titles and bodies from the file: give it without --title or --body-file");
  }
  if (values.jsonl === undefined && values.title === undefined) return usage("give --title (and --body-file), or --jsonl FILE");
  // The repository's configuration, as route and explain read it.
  const target = await resolveTarget(values, io);
  if (typeof target === "number") return target;
  if ("nothing" in target) {
    io.stdout(`${target.nothing}\n`);
    return EXIT.ok;
  }
  const { router } = target.loaded;
  let text: string;
  const source = values.jsonl ?? values["body-file"];
  try {
    text = source === undefined ? "" : await readSource(source, io);
  } catch (err) {
    io.stderr(`review-router: cannot read ${source}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
    return EXIT.problems;
  }
  // Each issue through the runner, as the app's issues handler decides it, over a port with no GitHub
  // behind it (loaded here: the CLI's other commands start without the runner).
  const { planIssueEvent } = await import("../app/run.js");
  const { offlineIssuePort } = await import("../app/offline-port.js");
  const [owner, repo] = target.repository.split("/") as [string, string];
  const port = offlineIssuePort({ owner, repo });
  const options = { bundled: loadBundled(), dryRunEnv: false, now: new Date() };
  let number = 0;
  const triage = async (title: string, body: string): Promise<Triaged> => {
    const issue = { number: ++number, state: "open", author: "", title, body, labels: [], isPullRequest: false };
    const outcome = await planIssueEvent(port, issue, options, target.loaded);
    if (outcome.kind === "planned") return { decision: outcome.plan.decision };
    if (outcome.kind === "skipped") return outcome.decision ? { decision: outcome.decision } : { skipped: outcome.reason };
    throw new Error(`triage: an issue's outcome was ${outcome.kind} with a configuration already loaded`);
  };
  if (values.jsonl !== undefined) return triageLines(triage, values.jsonl === "-" ? "<stdin>" : values.jsonl, text, io);
  const triaged = await triage(values.title ?? "", text);
  const shown = "decision" in triaged ? formatTriage(triaged.decision, router.config.triage.threshold) : `${triaged.skipped}\n`;
  io.stdout(values.json ? JSON.stringify(triagedJson(triaged), null, 2) + "\n" : shown + `\nconfiguration: ${target.loaded.source}\n`);
  return EXIT.ok;
}
