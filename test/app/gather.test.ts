import { describe, expect, it } from "vitest";
import { gatherPullRequest } from "../../src/app/gather.js";
import { FakeGitHub } from "../helpers/fake-github.js";

describe("gatherPullRequest", () => {
  it("reads the files and the thread over the event's view in one read, into the planner's facts", async () => {
    const github = new FakeGitHub({ files: ["a.py", "b.py"], truncatedAt: 3000, labels: ["docs"], requestRemovedByHuman: ["carol"] });
    const initial = { labels: ["bug"], requestedUsers: ["bob"], requestedTeams: [] };
    const view = {
      number: 4,
      headSha: "f".repeat(40),
      withCheckRuns: true,
      author: "zed",
      draft: true,
      changedFiles: 3500,
      thread: initial,
    };
    const { facts, thread } = await gatherPullRequest(github, view);
    expect(github.calls).toEqual([{ call: "readPullRequest", number: 4 }]);
    expect(facts).toMatchObject({
      repository: "acme/widgets",
      number: 4,
      author: "zed",
      draft: true,
      files: [{ path: "a.py" }, { path: "b.py" }],
      truncatedAt: 3000,
    });
    expect(facts.thread).toBe(thread);
    expect([...thread.labels].sort()).toEqual(["bug", "docs"]);
    expect(thread.requestedUsers).toEqual(["bob"]);
    expect(thread.requestRemovedByHuman).toEqual(["carol"]);
  });

  it("leaves truncatedAt out when GitHub listed every file", async () => {
    const initial = { labels: [], requestedUsers: [], requestedTeams: [] };
    const view = { number: 4, headSha: "f".repeat(40), withCheckRuns: true, author: "zed", draft: false, changedFiles: 1, thread: initial };
    const { facts } = await gatherPullRequest(new FakeGitHub({ files: ["a.py"] }), view);
    expect("truncatedAt" in facts).toBe(false);
  });
});
