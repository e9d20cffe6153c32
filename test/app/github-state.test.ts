// foldTimeline: who review-router itself withdrew (for /route reroll) versus who a human removed.
import { describe, expect, it } from "vitest";
import { foldTimeline } from "../../src/app/github-state.js";

const APP = 4242;
const byApp = { performed_via_github_app: { id: APP } };
const requested = (login: string, extra = {}) => ({ event: "review_requested", requested_reviewer: { login }, ...extra });
const removed = (login: string, extra = {}) => ({ event: "review_request_removed", requested_reviewer: { login }, ...extra });
const initial = { labels: [], requestedUsers: [], requestedTeams: [] };

describe("foldTimeline: withdrawn review requests", () => {
  it("tells review-router's withdrawals from a human's", () => {
    const s = foldTimeline([requested("Ann", byApp), removed("Ann", byApp), requested("bob", byApp), removed("bob"), requested("cat", byApp)], APP, initial);
    expect(s.requestRemovedByApp).toEqual(["Ann"]);
    expect(s.requestRemovedByHuman).toEqual(["bob"]);
    expect(s.requestedUsers).toEqual(["cat"]);
  });

  it("forgets a withdrawal once someone requests that reviewer again", () => {
    const s = foldTimeline([removed("ann", byApp), removed("bob", byApp), requested("ANN")], APP, initial);
    expect(s.requestRemovedByApp).toEqual(["bob"]);
    expect(s.requestedUsers).toEqual(["ANN"]);
  });

  it("counts nothing as the app's without knowing the app's id", () => {
    const s = foldTimeline([removed("ann", byApp)], undefined, initial);
    expect(s.requestRemovedByApp).toEqual([]);
    expect(s.requestRemovedByHuman).toEqual(["ann"]);
  });
});
