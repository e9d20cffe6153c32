// The `route` command's offline twin of what the app fetches from GitHub: --busy, --load,
// --signals FILE.json and --now, turned into the core's signals and decision time.

import { readFileSync } from "node:fs";
import { isValidLogin } from "../core/registry.js";
import { signalsFromJson, type BusyStatus, type CandidateSignals } from "../core/signals.js";

export const SIGNAL_OPTIONS = {
  busy: { type: "string" as const, multiple: true as const, default: [] as string[] },
  load: { type: "string" as const, multiple: true as const, default: [] as string[] },
  signals: { type: "string" as const },
  now: { type: "string" as const },
};

export const SIGNAL_HELP = `  --busy LOGIN       treat LOGIN as busy (GitHub status), never requested (repeatable)
  --load LOGIN=N     LOGIN has N open review requests in the repository (repeatable)
  --signals FILE     busy logins and loads as JSON: {"busy": ["alice"], "openReviews": {"bob": 3}}
  --now DATE         decide as at DATE (ISO 8601; default: now), for dated unavailable entries
`;

export interface SignalValues {
  busy: string[];
  load: string[];
  signals?: string;
  now?: string;
}

/** The signals (only when some were given) and the decision time, or a usage message. */
export function signalInputs(
  values: SignalValues,
  readFile = (f: string) => readFileSync(f, "utf8"),
): { signals?: CandidateSignals; now: Date } | string {
  const now = values.now === undefined ? new Date() : new Date(values.now);
  if (Number.isNaN(now.getTime())) return `--now must be a date such as 2026-12-20 or 2026-12-20T09:00:00Z, not "${values.now}"`;
  if (values.busy.length === 0 && values.load.length === 0 && values.signals === undefined) return { now };
  let base: CandidateSignals = { busy: new Map(), openReviews: new Map() };
  if (values.signals !== undefined) {
    let text: string;
    try {
      text = readFile(values.signals);
    } catch (err) {
      return `--signals: cannot read ${values.signals}: ${(err as Error).message}`;
    }
    try {
      base = signalsFromJson(JSON.parse(text));
    } catch (err) {
      return `--signals: ${values.signals}: ${(err as Error).message}`;
    }
  }
  const busy = new Map<string, BusyStatus>(base.busy);
  const openReviews = new Map<string, number>(base.openReviews);
  for (const login of values.busy) {
    if (!isValidLogin(login)) return `--busy must be a GitHub login, not "${login}"`;
    busy.set(login, {});
  }
  for (const item of values.load) {
    const m = /^([^=]+)=(\d{1,6})$/.exec(item);
    if (!m || !isValidLogin(m[1]!)) return `--load must be LOGIN=N (a whole number), not "${item}"`;
    openReviews.set(m[1]!, Number(m[2]));
  }
  return { signals: { busy, openReviews }, now };
}
