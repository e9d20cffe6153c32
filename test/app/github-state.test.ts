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
    const s = foldTimeline(
      [requested("Ann", byApp), removed("Ann", byApp), requested("bob", byApp), removed("bob"), requested("cat", byApp)],
      APP,
      initial,
    );
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

// foldTimeline's facts for overdue re-routing: when each requested user was last requested, who
// reviewed or commented when, and whom review-router itself withdrew (replaced).

const APP2 = 77;
const viaApp = { performed_via_github_app: { id: APP2 } };
const person = { performed_via_github_app: null, actor: { login: "maya", type: "User" } };
const none = { labels: [], requestedUsers: [], requestedTeams: [] };

describe("foldTimeline, overdue facts", () => {
  it("keeps the latest request time of each user still requested", () => {
    const state = foldTimeline(
      [
        { event: "review_requested", requested_reviewer: { login: "Carol" }, created_at: "2026-01-05T09:00:00Z", ...viaApp },
        { event: "review_requested", requested_reviewer: { login: "dave" }, created_at: "2026-01-05T10:00:00Z", ...person },
        { event: "review_request_removed", requested_reviewer: { login: "dave" }, created_at: "2026-01-05T11:00:00Z", ...person },
        { event: "review_requested", requested_reviewer: { login: "carol" }, created_at: "2026-01-06T09:00:00Z", ...person },
      ],
      APP2,
      none,
    );
    expect(state.requestTimes).toEqual([{ login: "carol", at: "2026-01-06T09:00:00Z" }]);
    expect(state.replacedByApp).toEqual([]);
  });

  it("records reviews (submitted_at) and comments (created_at) by whoever made them", () => {
    const state = foldTimeline(
      [
        { event: "reviewed", user: { login: "erin" }, submitted_at: "2026-01-06T12:00:00Z", state: "commented" },
        { event: "commented", id: 1, body: "looks fine", user: { login: "carol" }, created_at: "2026-01-06T13:00:00Z" },
        { event: "labeled", label: { name: "x" }, created_at: "2026-01-06T14:00:00Z", ...person },
      ],
      APP2,
      none,
    );
    expect(state.activity).toEqual([
      { login: "erin", at: "2026-01-06T12:00:00Z" },
      { login: "carol", at: "2026-01-06T13:00:00Z" },
    ]);
  });

  it("a withdrawal by review-router marks a replacement, and stays marked if the person is requested again; a person's does not", () => {
    const state = foldTimeline(
      [
        { event: "review_requested", requested_reviewer: { login: "carol" }, created_at: "2026-01-05T09:00:00Z", ...viaApp },
        { event: "review_request_removed", requested_reviewer: { login: "carol" }, created_at: "2026-01-07T09:00:00Z", ...viaApp },
        { event: "review_requested", requested_reviewer: { login: "carol" }, created_at: "2026-01-08T09:00:00Z", ...person },
        { event: "review_requested", requested_reviewer: { login: "dave" }, created_at: "2026-01-05T09:00:00Z", ...viaApp },
        { event: "review_request_removed", requested_reviewer: { login: "dave" }, created_at: "2026-01-07T09:00:00Z", ...person },
      ],
      APP2,
      none,
    );
    expect(state.replacedByApp).toEqual(["carol"]);
    expect(state.requestedUsers).toEqual(["carol"]);
    expect(state.requestRemovedByHuman).toEqual(["dave"]);
  });
});
