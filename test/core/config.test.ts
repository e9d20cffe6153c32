import { describe, expect, it } from "vitest";
import { DEFAULT_TRIAGE, parseConfig, TRIAGE_SIGNALS } from "../../src/core/config.js";
import { baseModulesApplyTo, configOwners, resolveLayered } from "../../src/core/layering.js";
import { formatProblem } from "../../src/core/problems.js";
import type { Registry } from "../../src/core/registry.js";
import { buildRouter, explainPath, matchPath } from "../../src/core/router.js";
import { route } from "../../src/core/route.js";
import { parseYaml } from "../../src/core/yaml.js";

const REGISTRY: Registry = {
  entries: [
    {
      name: "NN",
      level: "module",
      maintainers: [
        { login: "gchanan", name: "Greg", emeritus: false },
        { login: "colesbury", name: "Sam", emeritus: true },
      ],
    },
    { name: "Distributed", level: "module", maintainers: [{ login: "mrshenli", name: "Shen", emeritus: false }] },
    { name: "TorchVision", level: "library", maintainers: [{ login: "NicolasHug", name: "Nicolas", emeritus: false }] },
  ],
};

const GOOD = `# a small configuration
max_reviewers: 2
modules:
  - name: NN
    label: "module: nn"
    paths: [torch/nn/**]
    exclude:
      - torch/nn/parallel/**
  - name: Distributed
    label: "oncall: distributed"
    paths: [torch/distributed/**, torch/nn/parallel/**]
    areas:
      - name: DDP
        label: "module: ddp"
        paths: [torch/nn/parallel/**]
  - name: Compilers
    maintainers: [ezyang]
    areas:
      - name: FX
        label: "module: fx"
        paths: [torch/fx/**]
        exclude: [torch/fx/experimental/**]
  - name: TorchVision
    repository: pytorch/vision
`;

function problems(text: string, registry?: Registry) {
  return parseConfig(text, "review-router.yml", registry).problems.map(formatProblem);
}

describe("parseConfig", () => {
  it("accepts a good configuration and fills in defaults", () => {
    const r = parseConfig(GOOD, "review-router.yml", REGISTRY);
    expect(r.problems.filter((p) => p.severity === "error")).toEqual([]);
    expect(r.config!.policy).toEqual({
      reviewersPerModule: 1,
      maxReviewers: 2,
      fallbackReviewers: [],
      unavailable: [],
      ignoreAuthors: [],
      defaultReviewers: [],
      maxOpenReviews: 15,
      expertiseWindowDays: 180,
      expertiseHalfLifeDays: 30,
      widenToRecentApprovers: false,
      widenMinApprovals: 2,
    });
    expect(r.config!.app).toEqual({
      skipDrafts: true,
      syncLabels: false,
      summary: "check",
      dryRun: false,
      issueComment: false,
      useDefaultModules: true,
      labelIssues: true,
      codeowners: false,
      commandPrefix: "/route",
      skipLabel: "review-router: skip",
      reroute: { afterHours: 0, timeZone: "UTC" },
    });
    expect(r.config!.modules.map((m) => m.name)).toEqual(["NN", "Distributed", "Compilers", "TorchVision"]);
  });

  it("treats an empty file as the defaults", () => {
    const r = parseConfig("", "x.yml");
    expect(r.problems).toEqual([]);
    expect(r.config!.modules).toEqual([]);
  });

  it("names file, line and key for unknown keys and wrong types", () => {
    const text = `max_reviewer: 3
reviewers_per_module: "one"
summary: email
modules:
  - name: NN
    label: "module: nn"
    path: [torch/nn/**]
  - name: NN
    label: 7
    paths: torch/nn/**
`;
    expect(problems(text)).toEqual([
      "review-router.yml:1: error: max_reviewer: unknown key; expected one of: registry, reviewers_per_module, max_reviewers, fallback_reviewers, unavailable, ignore_authors, skip_drafts, sync_labels, summary, dry_run, issue_comment, use_default_modules, label_issues, codeowners, default_reviewers, default_reviewers_entry, unowned_label, max_open_reviews, expertise_window_days, expertise_half_life_days, widen_to_recent_approvers, widen_min_approvals, command_prefix, skip_label, reroute_after_hours, reroute_timezone, needs_triage_label, modules, triage",
      "review-router.yml:2: error: reviewers_per_module: must be a whole number from 0 to 10",
      "review-router.yml:3: error: summary: must be one of: check, comment, none",
      "review-router.yml:7: error: modules[0].path: unknown key; expected one of: name, label, labels, paths, exclude, areas, maintainers, teams, registry_entry, repository, keywords, title_keywords",
      'review-router.yml:5: warning: modules[0].paths: module "NN" matches nothing: give it `paths`, `areas` or `repository`',
      "review-router.yml:9: error: modules[1].label: must be a non-empty string",
      'review-router.yml:9: error: modules[1].label: module "NN" has no label: give it `label` (or areas with labels)',
      'review-router.yml:8: error: modules[1].name: duplicate module name "NN" (first at modules[0])',
    ]);
  });

  it("reports bad globs with their line", () => {
    const text = `modules:
  - name: NN
    label: x
    paths:
      - torch/nn/**
      - "!torch/nn/parallel/**"
      - /torch/optim/**
`;
    expect(problems(text)).toEqual([
      'review-router.yml:6: error: modules[0].paths[1]: bad glob "!torch/nn/parallel/**": negated globs are not supported; list the path under `exclude` instead',
      "review-router.yml:7: error: modules[0].paths[2]: bad glob \"/torch/optim/**\": globs are relative to the repository root; drop the leading '/'",
    ]);
  });

  it("checks registry references when a registry is given", () => {
    const text = `unavailable: [nobody-here]
modules:
  - name: Sparse
    label: "module: sparse"
    paths: [torch/sparse/**]
  - name: NN2
    label: "module: nn"
    registry_entry: NN
    paths: [torch/nn/**]
  - name: Mine
    label: mine
    maintainers: [gchanan, typo-login]
    paths: [mine/**]
`;
    expect(problems(text, REGISTRY)).toEqual([
      'review-router.yml:3: error: modules[0].name: no registry entry named "Sparse": set `registry_entry` to an entry of the registry, or list `maintainers`',
      'review-router.yml:12: warning: modules[2].maintainers[1]: "typo-login" is not in the maintainer registry; check the spelling',
      'review-router.yml:1: warning: unavailable[0]: "nobody-here" is not in the maintainer registry; check the spelling',
    ]);
  });

  it("refuses a default_reviewers_entry the registry does not have, and takes one it has", () => {
    expect(problems("default_reviewers_entry: Core\n", REGISTRY)).toEqual([
      'review-router.yml:1: error: default_reviewers_entry: no registry entry named "Core": name an entry of the registry, or remove the key',
    ]);
    expect(parseConfig("default_reviewers_entry: nn\n", "review-router.yml", REGISTRY).config?.policy.defaultReviewersEntry).toBe("nn");
  });

  it("names the key of a yields_to entry that lacks its queue", () => {
    expect(problems('triage:\n  yields_to:\n    - {labels: ["module: nn"]}\n')).toEqual([
      expect.stringMatching(/^review-router\.yml:3: error: triage\.yields_to\[0\]\.to: /),
    ]);
  });

  it("reports invalid YAML with its line instead of throwing", () => {
    expect(problems("modules:\n  - name: [unclosed\n")).toEqual([expect.stringMatching(/^review-router\.yml:3: error: invalid YAML: /)]);
  });

  it("refuses a YAML alias bomb cheaply, without expanding it", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 0; i < 20; i++)
      bomb.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`,
      );
    bomb.push("modules: *u");
    const started = Date.now();
    const out = problems(bomb.join("\n"));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(out.some((p) => p.includes("unknown key"))).toBe(true);
    expect(out.some((p) => p.includes("modules"))).toBe(true);
  });

  it("refuses thousands of modules with one error", () => {
    const text = "modules:\n" + Array.from({ length: 3000 }, (_, i) => `  - {name: m${i}, label: l, paths: [a/**]}`).join("\n");
    expect(problems(text)).toEqual(["review-router.yml:1: error: modules: has 3000 modules; the limit is 500"]);
  });
});

describe("router", () => {
  const { config } = parseConfig(GOOD, "review-router.yml", REGISTRY);
  const router = buildRouter(config!, REGISTRY);
  const names = (repo: string, path: string) => matchPath(router, repo, path).map((m) => router.modules[m.module]!.spec.name);

  it("applies a module's exclude to the module, so the path goes elsewhere", () => {
    expect(names("pytorch/pytorch", "torch/nn/modules/linear.py")).toEqual(["NN"]);
    expect(names("pytorch/pytorch", "torch/nn/parallel/distributed.py")).toEqual(["Distributed"]);
    expect(explainPath(router, "pytorch/pytorch", "torch/nn/parallel/distributed.py")).toEqual([
      { module: "NN", rule: "torch/nn/**", kind: "include" },
      { module: "NN", rule: "torch/nn/parallel/**", kind: "exclude" },
      { module: "Distributed", rule: "torch/nn/parallel/**", kind: "include" },
      { module: "Distributed", area: "DDP", rule: "torch/nn/parallel/**", kind: "include" },
    ]);
  });

  it("applies an area's exclude to the area only", () => {
    expect(names("pytorch/pytorch", "torch/fx/graph.py")).toEqual(["Compilers"]);
    expect(names("pytorch/pytorch", "torch/fx/experimental/proxy_tensor.py")).toEqual([]);
  });

  it("gives a repository wholly to the module that owns it", () => {
    expect(names("pytorch/vision", "torch/nn/anything.py")).toEqual(["TorchVision"]);
    expect(names("PyTorch/Vision", "README.md")).toEqual(["TorchVision"]);
  });

  it("routes a renamed file by its old name too, and labels with areas", () => {
    const d = route(router, {
      repository: "pytorch/pytorch",
      prNumber: 7,
      author: "x",
      files: [{ path: "torch/utils/moved.py", previousPath: "torch/nn/parallel/comm.py" }, { path: "README.md" }],
    });
    expect(d.modules.map((m) => [m.name, m.label, m.labels, m.files])).toEqual([
      ["Distributed", "oncall: distributed", ["oncall: distributed", "module: ddp"], ["torch/utils/moved.py"]],
    ]);
    expect(d.modules[0]!.rules).toEqual([
      { file: "torch/utils/moved.py", rule: "torch/nn/parallel/** (previous name torch/nn/parallel/comm.py)" },
    ]);
    expect(d.labels).toEqual(["oncall: distributed", "module: ddp"]);
    expect(d.reviewers).toEqual(["mrshenli"]);
    expect(d.unmatched).toEqual(["README.md"]);
  });

  it("adds no label in a repository a module owns", () => {
    const d = route(router, { repository: "pytorch/vision", prNumber: 1, author: "x", files: [{ path: "a.py" }] });
    expect(d.labels).toEqual([]);
    expect(d.modules.map((m) => [m.name, m.label])).toEqual([["TorchVision", ""]]);
  });
});

describe("resolveLayered", () => {
  const base = {
    max_reviewers: 3,
    modules: [
      { name: "NN", label: "module: nn", paths: ["torch/nn/**"] },
      { name: "Distributed", label: "oncall: distributed", paths: ["torch/distributed/**"] },
    ],
  };
  const layer = (text: string) => {
    const parsed = parseYaml(text, ".github/review-router.yml");
    if (!parsed.ok) throw new Error(parsed.problem.message);
    return resolveLayered(base, REGISTRY, parsed.doc, ".github/review-router.yml", { baseModules: true });
  };

  it("overrides top-level keys, merges modules by name key by key, and adds new ones", () => {
    const r = layer(
      "max_reviewers: 1\nmodules:\n  - name: nn\n    maintainers: [alice]\n  - name: Docs\n    label: docs\n    maintainers: [bob]\n    paths: [docs/**]\n",
    );
    expect(r.problems).toEqual([expect.objectContaining({ severity: "warning" }), expect.objectContaining({ severity: "warning" })]);
    expect(r.config!.policy.maxReviewers).toBe(1);
    expect(r.config!.modules.map((m) => [m.name, m.label, m.paths, m.maintainers])).toEqual([
      ["nn", "module: nn", ["torch/nn/**"], ["alice"]],
      ["Distributed", "oncall: distributed", ["torch/distributed/**"], undefined],
      ["Docs", "docs", ["docs/**"], ["bob"]],
    ]);
  });

  it("drops the base modules with use_default_modules: false", () => {
    const r = layer("use_default_modules: false\nmodules:\n  - {name: Web, label: web, maintainers: [gchanan], paths: [web/**]}\n");
    expect(r.problems).toEqual([]);
    expect(r.config!.modules.map((m) => m.name)).toEqual(["Web"]);
  });

  it("names the file's own lines, and refuses a registry of its own", () => {
    expect(layer('modules:\n  - name: NN\n    paths: ["!x"]\n').problems.map(formatProblem)).toEqual([
      '.github/review-router.yml:3: error: modules[0].paths[0]: bad glob "!x": negated globs are not supported; list the path under `exclude` instead',
    ]);
    expect(layer("registry: mine.yml\n").problems.map(formatProblem)).toEqual([
      ".github/review-router.yml:1: error: registry: a repository's configuration uses the bundled registry; remove `registry`",
    ]);
  });
});

describe("resolveLayered outside the base's organisations", () => {
  const base = { max_reviewers: 2, modules: [{ name: "Docs", label: "module: docs", maintainers: ["gchanan"], paths: ["docs/**"] }] };
  const layer = (text: string, baseModules: boolean) => {
    const parsed = parseYaml(text, ".github/review-router.yml");
    if (!parsed.ok) throw new Error(parsed.problem.message);
    return resolveLayered(base, REGISTRY, parsed.doc, ".github/review-router.yml", { baseModules });
  };
  const small = "modules:\n  - {name: Web, label: web, maintainers: [alice], paths: [web/**]}\n";

  it("starts from the file's own modules, keeping the base's policy", () => {
    const r = layer(small, false);
    expect(r.problems.filter((p) => p.severity === "error")).toEqual([]);
    expect(r.config!.modules.map((m) => m.name)).toEqual(["Web"]);
    expect(r.config!.policy.maxReviewers).toBe(2);
    expect(layer(small, true).config!.modules.map((m) => m.name)).toEqual(["Docs", "Web"]);
  });

  it("keeps the base's default_reviewers_entry only where its modules apply: those are the base's people", () => {
    const withEntry = { ...base, default_reviewers_entry: "NN" };
    const parsed = parseYaml(small, ".github/review-router.yml");
    if (!parsed.ok) throw new Error(parsed.problem.message);
    const at = (baseModules: boolean) =>
      resolveLayered(withEntry, REGISTRY, parsed.doc, ".github/review-router.yml", { baseModules }).config!.policy.defaultReviewersEntry;
    expect(at(true)).toBe("NN");
    expect(at(false)).toBeUndefined();
  });

  it("lets the file's use_default_modules decide either way", () => {
    expect(layer("use_default_modules: true\n" + small, false).config!.modules.map((m) => m.name)).toEqual(["Docs", "Web"]);
    expect(layer("use_default_modules: false\n" + small, true).config!.modules.map((m) => m.name)).toEqual(["Web"]);
  });

  it("does not complete a module named like a base module from the base", () => {
    const r = layer("modules:\n  - {name: Docs, maintainers: [alice]}\n", false);
    expect(r.config).toBeUndefined();
    expect(r.problems.map(formatProblem)).toContain(
      '.github/review-router.yml:2: error: modules[0].label: module "Docs" has no label: give it `label` (or areas with labels)',
    );
  });

  it("decides by owner, case-insensitively", () => {
    const { config } = parseConfig("modules:\n  - {name: TorchVision, repository: PyTorch/vision}\n", "x.yml", REGISTRY);
    const owners = configOwners(config!);
    expect([...owners]).toEqual(["pytorch"]);
    expect(baseModulesApplyTo(owners, "pytorch/pytorch")).toBe(true);
    expect(baseModulesApplyTo(owners, "PYTORCH/anything")).toBe(true);
    expect(baseModulesApplyTo(owners, "me/proj")).toBe(false);
    expect(baseModulesApplyTo(owners, "pytorch-fork/pytorch")).toBe(false);
  });
});

describe("triage settings and extra labels", () => {
  it("fills the triage defaults, and reads every key of a triage section", () => {
    expect(parseConfig("", "c.yml").config!.triage).toEqual(DEFAULT_TRIAGE);
    const r = parseConfig(
      `triage:
  threshold: 2.5
  max_module_labels: 1
  uncapped_prefixes: ["triage:"]
  weights: {title: 5, code_api: 0}
  label_thresholds: [{label: "module: a", threshold: 6}]
  yields_to: [{to: "module: a", labels: ["module: b"]}]
  passing_threshold: 7
  broad_labels: ["module: a"]
  broad_label_threshold: 9
  second_label_share: 0.4
  sub_labels_need_own_evidence: true
  repeat_factor: 0.25
  repo_dirs: [src, lib]
  api_prefixes: [mypkg]
  api_aliases: {mp: mypkg.sub}
  env_report_starts: ["System info:"]
  ignore_line_prefixes: ["Platforms:"]
  passthrough_frames: [src/wrap.py, src/hooks/]
  build_log_markers: ["make: ***"]
  disabled_test_prefix: SKIPPED
  test_dir: /tests/
`,
      "c.yml",
    );
    expect(r.problems).toEqual([]);
    expect(r.config!.triage).toEqual({
      threshold: 2.5,
      maxModuleLabels: 1,
      uncappedPrefixes: ["triage:"],
      weights: { ...DEFAULT_TRIAGE.weights, title: 5, code_api: 0 },
      labelThresholds: [{ label: "module: a", threshold: 6 }],
      yieldsTo: [{ to: "module: a", labels: ["module: b"] }],
      passingThreshold: 7,
      broadLabels: ["module: a"],
      broadLabelThreshold: 9,
      secondLabelShare: 0.4,
      subLabelsNeedOwnEvidence: true,
      repeatFactor: 0.25,
      repoDirs: ["src", "lib"],
      apiPrefixes: ["mypkg"],
      apiAliases: { mp: "mypkg.sub" },
      envReportStarts: ["System info:"],
      ignoreLinePrefixes: ["Platforms:"],
      passthroughFrames: ["src/wrap.py", "src/hooks/"],
      buildLogMarkers: ["make: ***"],
      disabledTestPrefix: "SKIPPED",
      testDir: "tests",
    });
  });

  it("names file, line and key for a bad triage section", () => {
    const r = parseConfig(
      "triage:\n  threshold: -1\n  weights:\n    titel: 3\n    error: lots\n  api_prefixes: [my-pkg]\n  api_aliases: {F: 'torch nn'}\n  thresold: 2\n",
      "c.yml",
    );
    expect(r.problems.map(formatProblem)).toEqual([
      "c.yml:8: error: triage.thresold: unknown key; expected one of: threshold, max_module_labels, uncapped_prefixes, weights, label_thresholds, " +
        "yields_to, passing_threshold, broad_labels, broad_label_threshold, second_label_share, sub_labels_need_own_evidence, repeat_factor, " +
        "repo_dirs, api_prefixes, api_aliases, env_report_starts, ignore_line_prefixes, passthrough_frames, build_log_markers, disabled_test_prefix, test_dir",
      `c.yml:4: error: triage.weights.titel: unknown key; expected one of: ${TRIAGE_SIGNALS.join(", ")}`,
      "c.yml:5: error: triage.weights.error: must be a number from 0 to 100",
      "c.yml:2: error: triage.threshold: must be a number from 0 to 100",
      'c.yml:6: error: triage.api_prefixes[0]: "my-pkg" is not a package name (letters, digits, _)',
      "c.yml:7: error: triage.api_aliases.F: must be a dotted name such as torch.nn.functional",
    ]);
  });

  it("reads `labels:` on modules and areas, and a pull request gets them with the module's or area's label", () => {
    const r = parseConfig(
      `modules:
  - name: Compilers
    labels: ["oncall: pt2"]
    paths: [torch/_compile.py]
    areas:
      - name: Inductor
        label: "module: inductor"
        labels: ["oncall: pt2", "module: compile"]
        paths: [torch/_inductor/**]
`,
      "c.yml",
    );
    expect(r.problems.filter((p) => p.severity === "error")).toEqual([]);
    const router = buildRouter(r.config!, { entries: [] });
    const labels = (path: string) => route(router, { repository: "o/r", prNumber: 1, author: "a", files: [{ path }] }).labels;
    expect(labels("torch/_inductor/graph.py")).toEqual(["oncall: pt2", "module: inductor", "module: compile"]);
    expect(labels("torch/_compile.py")).toEqual(["oncall: pt2"]);
  });

  it("merges a repository's triage section over the base key by key, weights too", () => {
    const base = { triage: { threshold: 3, repo_dirs: ["torch"], weights: { title: 4, error: 3 } }, modules: [] };
    const parsed = parseYaml("triage:\n  threshold: 4\n  weights: {error: 1}\n", ".github/review-router.yml");
    if (!parsed.ok) throw new Error(parsed.problem.message);
    const r = resolveLayered(base, REGISTRY, parsed.doc, ".github/review-router.yml", { baseModules: true });
    expect(r.problems).toEqual([]);
    expect(r.config!.triage).toMatchObject({ threshold: 4, repoDirs: ["torch"], weights: { title: 4, error: 1 } });
  });
});
