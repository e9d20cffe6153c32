// The governance audit: for each module, its listed active maintainers who approved none of the
// module's merged pull requests in a window (candidates for emeritus), and the most frequent
// approvers of those pull requests who are not listed active maintainers (candidates to add).
// Pure, no I/O; linear in the records' files.

import { isBotLogin, type HistoryRecord } from "./history.js";
import { loginKey } from "./registry.js";
import { matchPath, type Router } from "./router.js";

export interface AuditedLogin {
  login: string;
  approvals: number;
}

export interface ModuleAudit {
  module: string;
  inactive: AuditedLogin[];
  unlisted: AuditedLogin[];
}

export interface Audit {
  /** The window read: [from, to), ISO dates, and how many merged pull requests fell in it. */
  from: string;
  to: string;
  pullRequests: number;
  modules: ModuleAudit[];
}

export interface AuditOptions {
  repository: string;
  windowDays: number;
  /** The window's end; default: just after the newest record (a history file's period, not today's). */
  asOf?: Date;
  /** Unlisted approvers listed per module, most approvals first. */
  top: number;
  /** An unlisted approver is listed with at least this many approvals. */
  minApprovals: number;
}

const DAY_MS = 86_400_000;

export function auditMaintainers(router: Router, records: readonly HistoryRecord[], o: AuditOptions): Audit {
  const newest = records.reduce((m, r) => Math.max(m, Date.parse(r.date)), -Infinity);
  const to = o.asOf ? o.asOf.getTime() : Number.isFinite(newest) ? newest + 1 : 0;
  const from = to - o.windowDays * DAY_MS;
  // Per module index: approvals per approver (loginKey), with the login as first written.
  const counts = router.modules.map(() => new Map<string, AuditedLogin>());
  let pullRequests = 0;
  for (const r of records) {
    const t = Date.parse(r.date);
    if (!(t >= from && t < to)) continue;
    pullRequests++;
    const modules = new Set(r.files.flatMap((f) => matchPath(router, o.repository, f).map((m) => m.module)));
    const author = r.author ? loginKey(r.author) : undefined;
    const approvers = new Map(r.approvers.filter((a) => !isBotLogin(a) && loginKey(a) !== author).map((a) => [loginKey(a), a]));
    for (const m of modules) {
      for (const [key, login] of approvers) {
        const c = counts[m]!.get(key) ?? { login, approvals: 0 };
        c.approvals++;
        counts[m]!.set(key, c);
      }
    }
  }
  const modules = router.modules.map((mod, i): ModuleAudit => {
    const active = mod.maintainers.filter((m) => !m.emeritus);
    const listed = new Set(active.map((m) => loginKey(m.login)));
    const inactive = active.filter((m) => !counts[i]!.has(loginKey(m.login))).map((m) => ({ login: m.login, approvals: 0 }));
    const unlisted = [...counts[i]!]
      .filter(([key, c]) => !listed.has(key) && c.approvals >= o.minApprovals)
      .map(([, c]) => c)
      .sort((a, b) => b.approvals - a.approvals || loginKey(a.login).localeCompare(loginKey(b.login)))
      .slice(0, o.top);
    return { module: mod.spec.name, inactive, unlisted };
  });
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), pullRequests, modules };
}
