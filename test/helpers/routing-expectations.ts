// What a test of the app expects for a pull request in pytorch/pytorch routed with the bundled
// configuration: the decision the pure core makes for the same input (so tests do not hard-code the
// hash's choice), and the invariants that hold whatever it chose (never the author, never an emeritus
// maintainer, at most three on the pull request). Shared by the fake-driven and the nock tests.

import { expect } from "vitest";
import { loadBundled } from "../../src/app/index.js";
import type { Policy } from "../../src/core/config.js";
import { loginKey } from "../../src/core/registry.js";
import { route, type RouteDecision, type RouteInput } from "../../src/core/route.js";

export type { RouteDecision };
import { buildRouter, type Router } from "../../src/core/router.js";
import type { PullRequestPayload } from "./payloads.js";

export const bundled = loadBundled();
export const REPOSITORY = "pytorch/pytorch";
export const MAX_REVIEWERS = 3;

export const NN_FILE = "torch/nn/modules/linear.py";
export const OPTIM_FILE = "torch/optim/adam.py";
export const NN = "NN APIs (torch.nn)";
export const OPTIM = "Optimizers (torch.optim)";

/** `count` distinct files under `dir`. */
export function filesIn(dir: string, count: number, prefix = "f"): string[] {
  return Array.from({ length: count }, (_, i) => `${dir}/${prefix}${i}.py`);
}

/** The bundled router with a different reviewer policy (a repository file that sets it). */
export function routerWith(policy: Partial<Policy>): Router {
  return buildRouter({ ...bundled.config, policy: { ...bundled.config.policy, ...policy } }, bundled.registry);
}

/** What the core decides for `pr` with these files: the app must do exactly this. */
export function expectedRoute(
  pr: PullRequestPayload,
  files: readonly string[],
  more: Partial<RouteInput> = {},
  router: Router = bundled.router,
): RouteDecision {
  return route(router, {
    repository: REPOSITORY,
    prNumber: pr.number,
    author: pr.pull_request.user.login,
    files: files.map((path) => ({ path })),
    ...more,
  });
}

export function activeMaintainers(moduleName: string): string[] {
  const m = bundled.router.modules.find((x) => x.spec.name === moduleName);
  if (!m) throw new Error(`no bundled module ${moduleName}`);
  return m.maintainers.filter((x) => !x.emeritus).map((x) => loginKey(x.login));
}

/** Whether one of `logins` is an active maintainer of `moduleName`. */
export function covers(logins: readonly string[], moduleName: string): boolean {
  const active = activeMaintainers(moduleName);
  return logins.some((l) => active.includes(loginKey(l)));
}

/**
 * What must hold for everyone review-router requested on `pr`, whatever the hash chose: not the
 * author, an active (not emeritus) maintainer of a touched module, and at most `max` on the pull
 * request counting those already there.
 */
export function expectSoundRequests(
  requested: readonly string[],
  pr: PullRequestPayload,
  o: { modules: readonly string[]; alreadyOnPr?: readonly string[]; max?: number },
): void {
  const keys = requested.map(loginKey);
  expect(new Set(keys).size, "nobody is requested twice").toBe(keys.length);
  expect(keys, "the author is never requested").not.toContain(loginKey(pr.pull_request.user.login));
  for (const login of requested) {
    expect(
      o.modules.some((m) => covers([login], m)),
      `${login} is an active (not emeritus) maintainer of a touched module`,
    ).toBe(true);
  }
  const onPr = new Set([...keys, ...(o.alreadyOnPr ?? []).map(loginKey)]);
  expect(onPr.size, "reviewers on the pull request").toBeLessThanOrEqual(o.max ?? MAX_REVIEWERS);
}

export const reviewersIn = (calls: readonly { reviewers: string[] }[]) => calls.flatMap((c) => c.reviewers);
export const moduleNames = (d: RouteDecision) => d.modules.map((m) => m.name);

/** The summary table row the app renders for one module of a decision (modules of up to three files). */
export function summaryRow(m: RouteDecision["modules"][number]): string {
  return `| ${m.name} | ${m.labels.map((l) => `\`${l}\``).join(", ")} | ${m.files.map((f) => `\`${f}\``).join(", ")} | ${m.reviewers.map((r) => `@${r}`).join(", ")} |`;
}

/** An issue whose pasted traceback names the DataLoader module. */
export const DATALOADER_ISSUE = {
  title: "Training crashes on the first batch",
  body: [
    "Iterating fails:",
    "",
    "```",
    "Traceback (most recent call last):",
    '  File "/usr/lib/python3/site-packages/torch/utils/data/dataloader.py", line 631, in __next__',
    "    data = self._next_data()",
    "RuntimeError: DataLoader worker (pid 4242) exited unexpectedly",
    "```",
  ].join("\n"),
};
