// Zero-config adoption end to end: the running server, signed deliveries, and the GitHub stand-in
// holding a repository with only a CODEOWNERS (no review-router file anywhere). The app must read
// it where GitHub does, label from its `# label:` lines, request users and teams in one request,
// ask again without a team GitHub refuses, and write nothing more on a redelivery.

import { describe, expect, it } from "vitest";
import { codeownersRouting, defaultsWithoutModules } from "../../src/app/codeowners-source.js";
import { loadBundled } from "../../src/app/index.js";
import { route } from "../../src/core/route.js";
import { pullRequestEvent } from "../helpers/payloads.js";
import { serveOnStandIn } from "./serve.js";

const served = serveOnStandIn();
const gh = served.gh;

const CODEOWNERS = ["# label: docs", "/docs/ @acme/docs-team", "", "# label: core", "src/ @alice @bob", ""].join("\n");

function payload(repo: string, installation: number, number: number, files: string[], author: string) {
  gh.setPullFiles(repo, number, files);
  const p = pullRequestEvent({ number, changedFiles: files.length, author, repository: repo });
  p.installation = { id: installation };
  return p;
}

describe("a repository with only a CODEOWNERS", () => {
  it("is routed from it through the running server: exact reads and writes, nothing more on redelivery", async () => {
    const repo = "acme/widgets";
    gh.repo(repo).files.set("docs/CODEOWNERS", CODEOWNERS);
    gh.repo(repo).teams.add("docs-team");
    const p = payload(repo, 501, 4, ["docs/a.md", "src/b.ts"], "alice");

    const r = await served.app.deliver("pull_request", p);
    expect(r.status).toBe(200);

    const reads = gh.requests
      .filter((q) => q.installation === 501 && (q.method === "GET" || q.path.endsWith("/graphql")))
      .map((q) => `${q.method} ${q.path}`);
    expect(reads).toEqual([
      `GET /repos/${repo}/contents/.github%2Freview-router.yml`,
      "GET /repos/acme/.github/contents/.github%2Freview-router.yml",
      `GET /repos/${repo}/contents/.github%2FCODEOWNERS`,
      `GET /repos/${repo}/contents/CODEOWNERS`,
      `GET /repos/${repo}/contents/docs%2FCODEOWNERS`,
      "POST /api/graphql", // the pull request: files, timeline, check runs
      "POST /api/graphql", // the candidates' availability and load
      "POST /api/graphql", // the touched directories' approval history
    ]);
    const writes = gh.writes(repo).map((w) => [w.method, w.path.replace(`/repos/${repo}`, ""), w.body]);
    expect(writes).toEqual([
      ["POST", "/issues/4/labels", { labels: ["docs", "core"] }],
      ["POST", "/pulls/4/requested_reviewers", { reviewers: ["bob"], team_reviewers: ["docs-team"] }],
      ["POST", "/check-runs", expect.objectContaining({ name: "review-router", conclusion: "neutral" })],
    ]);
    expect(gh.thread(repo, 4).requestedTeams).toEqual(["docs-team"]);
    expect(gh.repo(repo).checkRuns[0]!.output.summary).toContain("docs/CODEOWNERS with review-router's default policy");

    // Redelivered: the timeline shows the team (by slug) and bob already requested; nothing is written.
    const before = gh.writes(repo).length;
    expect((await served.app.deliver("pull_request", p)).status).toBe(200);
    expect(gh.writes(repo).slice(before)).toEqual([]);
  });

  it("asks again without a team that has no access to the repository (422)", async () => {
    const repo = "acme/gadgets";
    const text = "/docs/ @acme/docs-team @acme/writers\n";
    gh.repo(repo).files.set(".github/CODEOWNERS", text);
    // The team the stable hash picks first (from the core) has no access; the other one has.
    const bundled = loadBundled();
    const defaults = defaultsWithoutModules(bundled.raw, bundled.registry);
    const { router } = codeownersRouting(defaults, bundled.registry, { path: ".github/CODEOWNERS", text });
    const first = route(router, { repository: repo, prNumber: 5, author: "carol", files: [{ path: "docs/a.md" }] }).teamReviewers;
    expect(first).toHaveLength(1);
    const refused = first[0]!.split("/")[1]!;
    const other = refused === "writers" ? "docs-team" : "writers";
    gh.repo(repo).teams.add(other);
    const p = payload(repo, 502, 5, ["docs/a.md"], "carol");

    expect((await served.app.deliver("pull_request", p)).status).toBe(200);

    const asked = gh
      .repoRequests(repo)
      .filter((q) => q.path.endsWith("/requested_reviewers"))
      .map((q) => [q.body, q.status]);
    // A request of one is not repeated alone: refused once, then the re-plan asks the other team.
    expect(asked).toEqual([
      [{ team_reviewers: [refused] }, 422],
      [{ team_reviewers: [other] }, 201],
    ]);
    expect(gh.thread(repo, 5).requestedTeams).toEqual([other]);
    const summary = gh.repo(repo).checkRuns[0]!.output.summary;
    expect(summary).toContain(`| acme/${refused} | @acme/docs-team @acme/writers | not a collaborator |`);
  });
});
