// Reading a webhook payload (or an Action's event file) into the event the runner handles: the
// same reading for the app and the Action, so the same payload is acted on, or ignored, alike.
import { describe, expect, it } from "vitest";
import { eventFromWebhook as readEvent, type WebhookPayload } from "../../src/app/events.js";
import { issueOpenedEvent, pullRequestCommentEvent, pullRequestEvent } from "../helpers/payloads.js";

const APP = 123;
/** The payloads' types are GitHub's; the reader takes any object of that shape. */
const eventFromWebhook = (name: string, payload: object, appId: number) => readEvent(name, payload as WebhookPayload, appId);

describe("eventFromWebhook", () => {
  it("reads a pull request from pull_request and pull_request_target alike, for the four actions that route", () => {
    for (const action of ["opened", "reopened", "ready_for_review", "synchronize"] as const) {
      const payload = pullRequestEvent({ action, number: 7, changedFiles: 2, author: "zed", labels: ["x"], requestedReviewers: ["amy"] });
      const read = eventFromWebhook("pull_request", payload, APP);
      expect(read).toEqual({
        event: {
          kind: "pull_request",
          pr: {
            number: 7,
            state: "open",
            author: "zed",
            draft: false,
            headSha: payload.pull_request.head.sha,
            changedFiles: 2,
            thread: { labels: ["x"], requestedUsers: ["amy"], requestedTeams: [] },
          },
        },
      });
      expect(eventFromWebhook("pull_request_target", payload, APP)).toEqual(read);
    }
    const labeled = { ...pullRequestEvent({ number: 7, changedFiles: 1 }), action: "labeled" };
    expect(eventFromWebhook("pull_request", labeled, APP)).toEqual({ ignored: "pull_request.labeled: not an event review-router acts on" });
  });

  it("reads an opened issue, and ignores the issues event of a pull request", () => {
    const payload = issueOpenedEvent({ number: 9, title: "crash", body: "in torch.nn" });
    expect(eventFromWebhook("issues", payload, APP)).toMatchObject({
      event: { kind: "issue", issue: { number: 9, title: "crash", body: "in torch.nn", isPullRequest: false } },
    });
    const onPull = { ...payload, issue: { ...payload.issue, pull_request: { url: "x" } } };
    expect(eventFromWebhook("issues", onPull, APP)).toEqual({ ignored: "issues.opened: not an event review-router acts on" });
  });

  it("reads a created comment, marks a bot's or this app's own as such, and ignores an edit", () => {
    const by = (o: Partial<Parameters<typeof pullRequestCommentEvent>[0]>) =>
      eventFromWebhook("issue_comment", pullRequestCommentEvent({ number: 4, body: "/route", commenter: "amy", commentId: 40, ...o }), APP);
    expect(by({})).toEqual({
      event: {
        kind: "comment",
        number: 4,
        state: "open",
        onPullRequest: true,
        comment: { id: 40, body: "/route", author: "amy", byBot: false },
      },
    });
    expect(by({ onPullRequest: false })).toMatchObject({ event: { onPullRequest: false } });
    expect(by({ commenterType: "Bot" })).toMatchObject({ event: { comment: { byBot: true } } });
    expect(by({ viaAppId: APP })).toMatchObject({ event: { comment: { byBot: true } } });
    expect(by({ viaAppId: APP + 1 })).toMatchObject({ event: { comment: { byBot: false } } });
    expect(by({ action: "edited" })).toEqual({ ignored: "issue_comment.edited: not an event review-router acts on" });
  });

  it("ignores events it does not act on, naming them", () => {
    expect(eventFromWebhook("push", {}, APP)).toEqual({ ignored: "push: not an event review-router acts on" });
    expect(eventFromWebhook("check_run", { action: "completed" }, APP)).toEqual({
      ignored: "check_run.completed: not an event review-router acts on",
    });
  });
});
