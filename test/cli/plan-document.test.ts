// One output contract: `route --json` prints the same plan document offline (from paths) and
// online (from a pull request on the GitHub stand-in), each valid against the JSON Schema that
// `npm run schema` generates from src/core/plan-document.ts, and the same plan for the same change.

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Ajv from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { onlineRouteCommand } from "../../src/cli/online.js";
import type { PlanDocument, PullRequestPlanDocument } from "../../src/core/plan-document.js";
import { planDocumentSchemaText } from "../../scripts/plan-schema.js";
import { GitHubStandIn } from "../e2e/github-stand-in.js";
import { outsideCheckout } from "../helpers/cli.js";

const SCHEMA_FILE = new URL("../../schema/plan-document.schema.json", import.meta.url);
const validate = new Ajv({ allErrors: true }).compile(JSON.parse(readFileSync(SCHEMA_FILE, "utf8")) as object);
const valid = (doc: unknown) => {
  const ok = validate(doc);
  return ok ? "valid" : JSON.stringify(validate.errors);
};

const REPO = "acme/widgets";
const CONFIG = `use_default_modules: false
summary: comment
modules:
  - {name: Docs, label: "module: docs", maintainers: [carol, dave], paths: ["docs/**"]}
  - {name: Build, label: "module: build", maintainers: [erin], paths: ["build/**"]}
`;
const FILES = ["docs/index.md", "build/ci.sh", "README"];
const gh = new GitHubStandIn(4242);

beforeAll(async () => {
  await gh.start();
  gh.repo(REPO).files.set(".github/review-router.yml", CONFIG);
  gh.setPull(REPO, 3, { author: "zed", headSha: "h3" }, FILES);
});
afterAll(() => gh.stop());

async function capture(run: (io: Parameters<typeof runCli>[1]) => Promise<number>) {
  let stdout = "";
  let stderr = "";
  const code = await run({
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    readStdin: async () => "",
    cwd: outsideCheckout(),
  });
  return { code, stdout, stderr };
}

const offline = (...args: string[]) => capture((io) => runCli(["route", "--json", ...args], io));
const online = (...args: string[]) =>
  capture((io) =>
    onlineRouteCommand(["--online", "--repo", REPO, "--pr", "3", "--json", ...args], io, {
      env: { GITHUB_TOKEN: "tok-1", GITHUB_API_URL: `http://${gh.host}/api/v3` },
      ghToken: () => undefined,
      now: () => new Date("2026-12-07T12:00:00Z"),
    }),
  );

describe("the plan document", () => {
  it("has a committed schema that is what `npm run schema` generates now (run it and commit when this fails)", () => {
    expect(readFileSync(SCHEMA_FILE, "utf8")).toBe(planDocumentSchemaText());
  }, 60_000);

  it("is printed offline, valid against the schema, naming the configuration", async () => {
    const r = await offline("--repo", "pytorch/pytorch", "--pr", "7", "torch/nn/modules/linear.py");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as PullRequestPlanDocument;
    expect(valid(doc)).toBe("valid");
    expect(doc).toMatchObject({
      kind: "pull_request",
      source: "offline",
      target: "pytorch/pytorch#7",
      configuration: "bundled PyTorch configuration",
    });
    expect(doc.plan.decision.labels).toEqual(["module: nn"]);
    expect(doc.summary?.title).toBeTruthy();
  });

  it("is printed online in the same shape, and the same change gets the same plan through both doors", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "review-router-doc-")), "review-router.yml");
    writeFileSync(file, CONFIG);
    const off = JSON.parse(
      (await offline("--config", file, "--repo", REPO, "--pr", "3", "--author", "zed", "--now", "2026-12-07T12:00:00Z", ...FILES)).stdout,
    ) as PullRequestPlanDocument;
    const r = await online();
    expect(r.stderr).toBe("");
    const on = JSON.parse(r.stdout) as PullRequestPlanDocument;
    expect(valid(off)).toBe("valid");
    expect(valid(on)).toBe("valid");
    expect(Object.keys(on).sort()).toEqual(Object.keys(off).sort());
    expect(on).toMatchObject({ kind: "pull_request", source: "online", target: `${REPO}#3`, repository: REPO, number: 3 });
    // The decision and what it does are the same; the online summary also says what GitHub's state was.
    expect(on.plan.decision).toEqual(off.plan.decision);
    expect([on.plan.labels, on.plan.reviews]).toEqual([off.plan.labels, off.plan.reviews]);
    expect(off.plan.labels.add).toEqual(["module: docs", "module: build"]);
  });

  it("says what --apply changed, and still fits the schema", async () => {
    const r = await online("--apply");
    const doc = JSON.parse(r.stdout) as PullRequestPlanDocument;
    expect(valid(doc)).toBe("valid");
    expect(doc.applied?.labelsAdded).toEqual(["module: docs", "module: build"]);
    expect(doc.withdrawn).toEqual([]);
  });

  it("is a skipped document, valid too, when nothing applies to the repository", async () => {
    const r = await offline("--repo", "acme/gadgets", "a.c");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as PlanDocument;
    expect(valid(doc)).toBe("valid");
    expect(doc).toMatchObject({ kind: "skipped", source: "offline", target: "acme/gadgets#1" });
    expect((doc as { reason: string }).reason).toMatch(/^acme\/gadgets has no \.github\/review-router\.yml .*nothing applies/);
  });

  it("is refused by the schema when a field is missing or unknown (the schema checks something)", () => {
    expect(valid({ kind: "pull_request", source: "offline", target: "a/b#1", repository: "a/b", number: 1 })).not.toBe("valid");
    expect(valid({ kind: "skipped", source: "offline", target: "a/b#1", repository: "a/b", number: 1, reason: "x", extra: 1 })).not.toBe(
      "valid",
    );
  });
});
