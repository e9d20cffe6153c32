// Team reviews in the plan: `team_reviewers` by slug, requested teams named by slug compared as
// `org/team`, another organisation's teams and GitHub-refused teams never chosen, drafts deferring
// teams too, and the unowned label handed to the summary.

import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/core/config.js";
import {
  afterApplying,
  planPullRequest,
  qualifiedTeam,
  teamSlug,
  type PullRequestPlanInput,
  type ThreadFacts,
} from "../../src/core/plan.js";
import { buildRouter } from "../../src/core/router.js";
import { threadFacts } from "../helpers/thread.js";

const REPOSITORY = "acme/widgets";

const CONFIG = `unowned_label: unowned
modules:
  - {name: Docs, label: docs, teams: [acme/docs, acme/writers], paths: ["docs/**"]}
  - {name: Core, label: core, maintainers: [alice], paths: ["src/**"]}
  - {name: Vendor, label: vendor, teams: [other/vendors], paths: ["vendor/**"]}
`;

function router(settings = "") {
  const { config, problems } = parseConfig(`${settings}${CONFIG}`, "teams.yml");
  if (!config) throw new Error(JSON.stringify(problems));
  return buildRouter(config, { entries: [] });
}

function thread(requestedTeams: string[] = []): ThreadFacts {
  return threadFacts({ requestedTeams });
}

function input(files: string[], o: { requestedTeams?: string[]; draft?: boolean; refusedTeams?: string[] } = {}): PullRequestPlanInput {
  return {
    router: router(),
    pr: {
      repository: REPOSITORY,
      number: 3,
      author: "zed",
      draft: o.draft ?? false,
      files: files.map((path) => ({ path })),
      thread: thread(o.requestedTeams),
    },
    dryRun: false,
    ...(o.refusedTeams ? { refusedTeams: o.refusedTeams } : {}),
  };
}

describe("team names", () => {
  it("qualifies a bare slug with the repository's owner and leaves org/team alone; the slug is the part after '/'", () => {
    expect(qualifiedTeam("acme/widgets", "docs")).toBe("acme/docs");
    expect(qualifiedTeam("acme/widgets", "acme/docs")).toBe("acme/docs");
    expect(teamSlug("acme/docs")).toBe("docs");
    expect(teamSlug("docs")).toBe("docs");
  });
});

describe("planPullRequest with teams", () => {
  it("requests a team by its slug, one toward the cap, beside the users", () => {
    const plan = planPullRequest(input(["docs/a.md", "src/b.ts"]));
    expect(plan.decision.teamReviewers).toHaveLength(1);
    expect(["acme/docs", "acme/writers"]).toContain(plan.decision.teamReviewers[0]);
    expect(plan.reviews).toEqual({ users: ["alice"], teams: [teamSlug(plan.decision.teamReviewers[0]!)] });
  });

  it("counts a team the payload names by slug as requested: it covers its module, nothing new is asked for it", () => {
    for (const named of ["docs", "DOCS", "acme/docs"]) {
      const plan = planPullRequest(input(["docs/a.md"], { requestedTeams: [named] }));
      expect(plan.reviews, named).toEqual({ users: [], teams: [] });
      expect(plan.decision.modules[0]!.covered, named).toBe(true);
    }
  });

  it("never chooses another organisation's team, and says why", () => {
    const plan = planPullRequest(input(["vendor/x.c"]));
    expect(plan.reviews.teams).toEqual([]);
    expect(plan.skipped).toContainEqual({ login: "other/vendors", module: "Vendor", reason: "other organisation" });
    expect(plan.decision.uncovered.map((u) => u.module)).toEqual(["Vendor"]);
  });

  it("never chooses again a team GitHub refused (by slug or org/team): the module's other team is asked", () => {
    const first = planPullRequest(input(["docs/a.md"]));
    const refused = first.decision.teamReviewers[0]!;
    const other = refused === "acme/docs" ? "acme/writers" : "acme/docs";
    for (const named of [refused, teamSlug(refused)]) {
      const plan = planPullRequest(input(["docs/a.md"], { refusedTeams: [named] }));
      expect(plan.reviews.teams).toEqual([teamSlug(other)]);
      expect(plan.skipped).toContainEqual({ login: refused, module: "Docs", reason: "not a collaborator" });
    }
  });

  it("afterApplying carries refused teams and requested slugs into the next plan", () => {
    const start = input(["docs/a.md", "src/b.ts"]);
    const first = planPullRequest(start);
    const refused = first.reviews.teams[0]!;
    const next = afterApplying(
      start,
      { labelsAdded: [], labelsRemoved: [], requestedUsers: ["alice"], requestedTeams: [] },
      [],
      [],
      [refused],
    );
    expect(next.refusedTeams).toEqual([refused]);
    const plan = planPullRequest(next);
    expect(plan.reviews.users).toEqual([]);
    expect(plan.reviews.teams).toHaveLength(1);
    expect(plan.reviews.teams[0]).not.toBe(refused);
    // Once that one is requested too, nothing is left to ask.
    const done = afterApplying(next, { labelsAdded: [], labelsRemoved: [], requestedUsers: [], requestedTeams: plan.reviews.teams }, []);
    expect(planPullRequest(done).reviews).toEqual({ users: [], teams: [] });
  });

  it("a draft defers its teams as well as its users, and the summary shows neither as covering", () => {
    const plan = planPullRequest(input(["docs/a.md", "src/b.ts"], { draft: true }));
    expect(plan.reviews).toEqual({ users: [], teams: [] });
    expect(plan.deferred.map((d) => d.login)).toEqual(["alice", ...plan.decision.teamReviewers]);
    expect(plan.summary!.decision.modules.flatMap((m) => [...m.reviewers, ...m.teams])).toEqual([]);
  });

  it("hands the unowned label to the summary only when a file is unowned", () => {
    expect(planPullRequest(input(["README.md"])).summary!.unownedLabel).toBe("unowned");
    expect(planPullRequest(input(["src/b.ts"])).summary!.unownedLabel).toBeUndefined();
  });
});
