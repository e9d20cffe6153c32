import { describe, expect, it } from "vitest";
import { BudgetExceeded, checkDeadline, deadlineIn, ROUTING_BUDGET_MS } from "../../src/core/budget.js";
import { CONFIG_LIMITS } from "../../src/core/config.js";
import { parseRegistry } from "../../src/core/registry.js";
import { route } from "../../src/core/route.js";
import { buildRouter } from "../../src/core/router.js";
import { checkConfig } from "../../src/core/config.js";

/** A clock that advances `step` ms each time it is read. */
function steppingClock(step: number): { now: () => number; reads: () => number } {
  let t = 0;
  let n = 0;
  return {
    now: () => {
      n++;
      return (t += step);
    },
    reads: () => n,
  };
}

function routerWithGlobs(globs: string[]) {
  const doc = { value: { modules: [{ name: "M", label: "m", maintainers: ["alice"], paths: globs }] }, lineOf: () => undefined };
  const checked = checkConfig(doc, "c.yml");
  expect(checked.problems).toEqual([]);
  return buildRouter(checked.config!, parseRegistry("entries: []\n", "r.yml").registry!);
}

describe("routing budget", () => {
  it("is 200 ms, set in one place", () => {
    expect(ROUTING_BUDGET_MS).toBe(200);
    expect(CONFIG_LIMITS.maxGlobsPerModule).toBe(200);
  });

  it("checkDeadline throws only past the deadline, naming the limit and what was cut off", () => {
    let t = 0;
    const d = deadlineIn(200, () => t);
    t = 200;
    expect(() => checkDeadline(d, () => "x")).not.toThrow();
    t = 201;
    expect(() => checkDeadline(d, () => "matching")).toThrow(new BudgetExceeded("200 ms of routing", "matching"));
    expect(() => checkDeadline(undefined, () => "x")).not.toThrow();
  });

  it("route() stops a pull request whose files outlast the budget, and finishes one that does not", () => {
    const router = routerWithGlobs(["src/**", "*a*a*a*a*a*a*a*a*a*a*a*a*b"]);
    const files = Array.from({ length: 100 }, (_, i) => ({ path: `src/f${i}.py` }));
    const input = { repository: "o/r", prNumber: 1, author: "bob", files };
    // 3 ms per clock read (one per file): the budget runs out near file 67.
    const slow = steppingClock(3);
    let err: unknown;
    try {
      route(router, input, deadlineIn(ROUTING_BUDGET_MS, slow.now));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BudgetExceeded);
    expect((err as BudgetExceeded).message).toMatch(
      /^the routing budget \(200 ms of routing\) was exceeded while matching changed file \d+ of 100/,
    );
    expect(slow.reads()).toBeLessThan(80); // it stopped soon after the deadline
    const fast = steppingClock(0.001);
    const decision = route(router, input, deadlineIn(ROUTING_BUDGET_MS, fast.now));
    expect(decision.modules.map((m) => [m.name, m.files.length])).toEqual([["M", 100]]);
  });

  it("stops inside one file's match when many globs are tested", () => {
    const globs = Array.from({ length: 200 }, (_, i) => `**/*a*a*a*[b${i}]`);
    const router = routerWithGlobs(globs);
    const clock = steppingClock(50);
    expect(() =>
      route(router, { repository: "o/r", prNumber: 1, author: "b", files: [{ path: `x/${"a".repeat(60)}` }] }, deadlineIn(200, clock.now)),
    ).toThrow(/matching changed file 1 of 1/);
    expect(clock.reads()).toBeLessThan(10);
  });
});
