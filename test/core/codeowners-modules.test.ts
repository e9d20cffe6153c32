import { describe, expect, it } from "vitest";
import { parseCodeowners } from "../../src/core/codeowners.js";
import { codeownersModules, withCodeowners } from "../../src/core/codeowners-modules.js";
import {
  DEFAULT_APP_SETTINGS,
  DEFAULT_POLICY,
  DEFAULT_TRIAGE,
  parseConfig,
  type ModuleSpec,
  type Policy,
  type RouterConfig,
} from "../../src/core/config.js";
import { formatProblem } from "../../src/core/problems.js";
import type { Registry } from "../../src/core/registry.js";
import { route, UNOWNED_MODULE, type RouteInput } from "../../src/core/route.js";
import { expertiseIndex } from "../../src/core/expertise.js";
import { buildRouter, explainPath, matchPath } from "../../src/core/router.js";
import { requestedTeamCoverage, selectTeams } from "../../src/core/teams.js";

const CODEOWNERS = [
  "* @root-owner", // 1
  "# label: module: docs", // 2
  "/docs/ @dana @acme/docs", // 3
  "", // 4
  "# label: module: core, oncall: core", // 5
  "/src/core/ @carol @erin", // 6
  "/src/core/generated/", // 7: unowned
  "", // 8
  "/tools/ @acme/infra", // 9: a team only
  "/legacy/ @old-timer", // 10
  "*.md @dana @acme/docs", // 11: same owners as line 3, no label: another module
].join("\n");

const registry: Registry = {
  entries: [
    { name: "Legacy", level: "module", maintainers: [{ login: "old-timer", name: "Old Timer", emeritus: true }] },
    {
      name: "Core Maintainers",
      level: "core",
      maintainers: [
        { login: "gina", name: "Gina", emeritus: false },
        { login: "hugo", name: "Hugo", emeritus: false },
        { login: "old-timer", name: "Old Timer", emeritus: true },
      ],
    },
  ],
};

function config(policy: Partial<Policy> = {}, modules: ModuleSpec[] = []): RouterConfig {
  return { policy: { ...DEFAULT_POLICY, ...policy }, app: { ...DEFAULT_APP_SETTINGS, codeowners: true }, modules, triage: DEFAULT_TRIAGE };
}

function decide(files: string[], over: Partial<RouteInput> = {}, policy: Partial<Policy> = {}, modules: ModuleSpec[] = []) {
  const router = buildRouter(withCodeowners(config(policy, modules), parseCodeowners(CODEOWNERS, ".github/CODEOWNERS")), registry);
  return route(router, { repository: "acme/app", prNumber: 7, author: "someone", files: files.map((path) => ({ path })), ...over });
}

describe("CODEOWNERS as a module source", () => {
  it("makes one module per owners and labels, users inline and teams apart", () => {
    const { modules } = codeownersModules(parseCodeowners(CODEOWNERS));
    expect(modules.map((m) => [m.name, m.label, m.extraLabels, m.maintainers, m.teams])).toEqual([
      ["@root-owner", undefined, [], ["root-owner"], undefined],
      ["@dana @acme/docs [module: docs]", "module: docs", [], ["dana"], ["acme/docs"]],
      ["@carol @erin [module: core, oncall: core]", "module: core", ["oncall: core"], ["carol", "erin"], undefined],
      ["@acme/infra", undefined, [], [], ["acme/infra"]],
      ["@old-timer", undefined, [], ["old-timer"], undefined],
      ["@dana @acme/docs", undefined, [], ["dana"], ["acme/docs"]],
    ]);
  });

  it("routes each path to the last matching line only", () => {
    const router = buildRouter(withCodeowners(config(), parseCodeowners(CODEOWNERS, ".github/CODEOWNERS")), registry);
    const names = (p: string) => matchPath(router, "acme/app", p).map((m) => router.modules[m.module]!.spec.name);
    expect(names("src/core/a.ts")).toEqual(["@carol @erin [module: core, oncall: core]"]);
    expect(names("docs/guide.md")).toEqual(["@dana @acme/docs"]); // '*.md' comes later
    expect(names("docs/img.png")).toEqual(["@dana @acme/docs [module: docs]"]);
    expect(names("src/core/generated/x.ts")).toEqual([]); // deciding line has no owners
    expect(names("setup.py")).toEqual(["@root-owner"]);
    expect(explainPath(router, "acme/app", "src/core/generated/x.ts")).toEqual([
      { module: "(no owners)", rule: ".github/CODEOWNERS:7 /src/core/generated/", kind: "exclude" },
    ]);
  });

  it("labels from '# label:' lines and requests users, capped", () => {
    const d = decide(["src/core/a.ts", "src/core/b.ts", "docs/img.png"]);
    expect(d.labels).toEqual(["module: docs", "module: core", "oncall: core"]);
    expect(d.reviewers).toHaveLength(2);
    expect(d.teamReviewers).toEqual([]);
    expect(d.uncovered).toEqual([]);
  });

  it("requests a team for a module only a team owns, as one reviewer toward the cap", () => {
    const d = decide(["tools/build.sh"]);
    expect(d.reviewers).toEqual([]);
    expect(d.teamReviewers).toEqual(["acme/infra"]);
    expect(d.modules[0]!.teams).toEqual(["acme/infra"]);
    const capped = decide(["tools/build.sh", "src/core/a.ts", "src/core/b.ts"], {}, { maxReviewers: 1 });
    expect(capped.reviewers).toHaveLength(1);
    expect(capped.teamReviewers).toEqual([]);
    expect(capped.uncovered).toEqual([{ module: "@acme/infra", reason: "cap of 1 reviewer reached" }]);
  });

  it("counts a team already requested as covering its paths", () => {
    const d = decide(["docs/img.png"], { requestedTeams: ["ACME/docs"] });
    expect(d.reviewers).toEqual([]);
    expect(d.teamReviewers).toEqual([]);
    expect(d.modules[0]!.teams).toEqual(["acme/docs"]);
    expect(d.modules[0]!.covered).toBe(true);
  });

  it("skips owners the registry lists as emeritus only", () => {
    const d = decide(["legacy/old.c"]);
    expect(d.reviewers).toEqual([]);
    expect(d.skipped).toEqual([{ login: "old-timer", module: "@old-timer", reason: "emeritus" }]);
  });

  it("never requests the author, and skips the unavailable", () => {
    expect(decide(["src/core/a.ts"], { author: "Carol" }).reviewers).toEqual(["erin"]);
    expect(decide(["src/core/a.ts"], {}, { unavailable: [{ login: "erin" }] }).reviewers).toEqual(["carol"]);
  });

  it("keeps configuration modules on top of CODEOWNERS", () => {
    const extra: ModuleSpec = {
      name: "Build",
      label: "module: build",
      paths: ["tools/**"],
      exclude: [],
      areas: [],
      maintainers: ["bob"],
      repositories: [],
      keywords: [],
      titleKeywords: [],
      extraLabels: [],
    };
    const d = decide(["tools/build.sh"], {}, {}, [extra]);
    expect(d.labels).toEqual(["module: build"]);
    expect(d.reviewers).toEqual(["bob"]);
    expect(d.teamReviewers).toEqual(["acme/infra"]);
  });
});

describe("default reviewers and the unowned label", () => {
  it("are off by default: unowned files are only listed", () => {
    const d = decide(["src/core/generated/x.ts"]);
    expect(d.unmatched).toEqual(["src/core/generated/x.ts"]);
    expect(d.reviewers).toEqual([]);
    expect(d.labels).toEqual([]);
    expect(d.unownedReviewers).toEqual([]);
  });

  it("request default reviewers (users or a team) for the files no module owns, and label them", () => {
    const d = decide(["src/core/generated/x.ts"], {}, { defaultReviewers: ["frank", "acme/triage"], unownedLabel: "needs owner" });
    expect(d.labels).toEqual(["needs owner"]);
    expect(d.reviewers).toEqual(["frank"]);
    expect(d.unownedReviewers).toEqual(["frank"]);
    const teamOnly = decide(["src/core/generated/x.ts"], {}, { defaultReviewers: ["acme/triage"] });
    expect(teamOnly.teamReviewers).toEqual(["acme/triage"]);
    expect(teamOnly.unownedReviewers).toEqual(["acme/triage"]);
    expect(teamOnly.uncovered).toEqual([]);
  });

  it("come from a registry entry too (default_reviewers_entry): its emeritus skipped, the one who approved the files asked", () => {
    const files = ["src/core/generated/x.ts"];
    const policy = { defaultReviewers: ["frank", "old-timer"], defaultReviewersEntry: "Core Maintainers" };
    const d = decide(files, { prNumber: 8 }, policy);
    const group = (x: typeof d) => x.skipped.filter((k) => k.module === UNOWNED_MODULE).map((k) => [k.login, k.reason]);
    expect(d.unownedReviewers).toHaveLength(1);
    expect(["frank", "gina", "hugo"]).toContain(d.unownedReviewers[0]);
    expect(group(d)).toContainEqual(["old-timer", "emeritus"]);
    // hugo approved two pull requests under src/core/generated/ lately: he knows these files best.
    const history = expertiseIndex(
      [1, 2].map((pr) => ({
        pr,
        date: `2021-06-0${pr}T00:00:00Z`,
        author: "ivy",
        files: ["src/core/generated/y.ts"],
        approvers: ["hugo"],
      })),
      30,
    );
    const expert = decide(files, { prNumber: 8, history, now: new Date("2021-06-10T00:00:00Z") }, policy);
    expect(expert.unownedReviewers).toEqual(["hugo"]);
    expect(expert.candidates[0]).toMatchObject({ login: "hugo", chosen: true, reason: `chosen for ${UNOWNED_MODULE}` });
    expect(expert.candidates[0]!.evidence).toMatch(/^approved 2 pull requests touching src\/core\/generated\//);
  });

  it("leave owned files to their owners", () => {
    const d = decide(["src/core/a.ts"], {}, { defaultReviewers: ["frank"], unownedLabel: "needs owner" });
    expect(d.labels).toEqual(["module: core", "oncall: core"]);
    expect(d.reviewers).not.toContain("frank");
    expect(d.modules.map((m) => m.name)).not.toContain(UNOWNED_MODULE);
  });
});

describe("selectTeams", () => {
  const base = { repository: "acme/app", prNumber: 1, requestedTeams: [] as string[], budget: 3, ignored: false };
  it("reuses a team chosen for an earlier module at no cost", () => {
    const s = selectTeams({
      ...base,
      modules: [
        { name: "A", teams: ["acme/x"] },
        { name: "B", teams: ["acme/y", "acme/x"] },
      ],
      uncovered: new Set(["A", "B"]),
      budget: 1,
    });
    expect(s.teams).toEqual(["acme/x"]);
    expect([...s.covered]).toEqual(["A", "B"]);
  });
  it("requests nothing for an ignored author or without budget", () => {
    expect(selectTeams({ ...base, modules: [{ name: "A", teams: ["acme/x"] }], uncovered: new Set(["A"]), ignored: true }).teams).toEqual(
      [],
    );
    expect(selectTeams({ ...base, modules: [{ name: "A", teams: ["acme/x"] }], uncovered: new Set(["A"]), budget: 0 }).teams).toEqual([]);
  });
  it("finds teams already requested, any case", () => {
    expect([...requestedTeamCoverage([{ name: "A", teams: ["Acme/X"] }], ["acme/x"]).entries()]).toEqual([["A", ["Acme/X"]]]);
  });
});

describe("configuration keys", () => {
  it("reads codeowners, default_reviewers, unowned_label and module teams", () => {
    const yml = [
      "codeowners: true",
      'default_reviewers: [frank, "@acme/triage"]',
      "unowned_label: needs owner",
      "modules:",
      "  - name: Web",
      "    label: web",
      "    paths: [web/**]",
      "    teams: [acme/web]",
    ].join("\n");
    const { config, problems } = parseConfig(yml, "review-router.yml");
    expect(problems).toEqual([]);
    expect(config!.app.codeowners).toBe(true);
    expect(config!.policy.defaultReviewers).toEqual(["frank", "acme/triage"]);
    expect(config!.policy.unownedLabel).toBe("needs owner");
    expect(config!.modules[0]!.teams).toEqual(["acme/web"]);
  });

  it("names file, line and key for a bad team or reviewer", () => {
    const yml = [
      'default_reviewers: ["not a login"]',
      "modules:",
      "  - name: Web",
      "    label: web",
      "    paths: [web/**]",
      "    teams: [nope]",
    ].join("\n");
    expect(parseConfig(yml, "review-router.yml").problems.map(formatProblem)).toEqual([
      'review-router.yml:1: error: default_reviewers[0]: "not a login" is neither a GitHub login nor a team (org/team-slug)',
      'review-router.yml:6: error: modules[0].teams[0]: "nope" is not a team: write org/team-slug',
    ]);
  });
});
