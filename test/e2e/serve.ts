// One GitHub stand-in and one running server for a whole e2e test file: started before its
// tests, stopped after them with SIGTERM, which must end the server cleanly (exit code 0).

import { afterAll, beforeAll, expect } from "vitest";
import { GitHubStandIn } from "./github-stand-in.js";
import { pullRequestEvent } from "../helpers/payloads.js";
import { APP_ID, startApp, type RunningApp } from "./harness.js";

/** The same retries and time-outs, shorter: retries back off 100 ms x 1 and x 4 (not 1 s and 4 s); a call times out after 1.5 s. */
const QUICK = { GITHUB_REQUEST_TIMEOUT_MS: "1500", GITHUB_RETRY_BASE_MS: "100" };

export function serveOnStandIn(): { gh: GitHubStandIn; readonly app: RunningApp } {
  const gh = new GitHubStandIn(APP_ID);
  let app: RunningApp | undefined;
  beforeAll(async () => {
    await gh.start();
    app = await startApp(gh, QUICK);
  }, 60_000);
  afterAll(async () => {
    const code = await app?.stop("SIGTERM");
    await gh.stop();
    expect(code).toBe(0);
  }, 30_000);
  return {
    gh,
    get app(): RunningApp {
      if (!app) throw new Error("the server has not started: use it inside a test");
      return app;
    },
  };
}

/** One repository and installation of the stand-in, used by one test case alone. */
export interface Case {
  repo: string;
  installation: number;
  number: number;
}

/**
 * Fresh cases, each a new repository and installation; by default under the pytorch organisation,
 * where the bundled configuration applies.
 */
export function caseMaker(prefix: string, firstInstallation: number, number: number): (owner?: string) => Case {
  let made = 0;
  return (owner = "pytorch") => {
    made += 1;
    return { repo: `${owner}/${prefix}-${made}`, installation: firstInstallation + made, number };
  };
}

type Repointable = { repository: { owner: { login: string }; name: string; full_name: string }; installation?: { id: number } };

/** Point an event payload at the case's repository and installation. */
export function repoint<T extends Repointable>(c: Case, p: T): T {
  const [owner, name] = c.repo.split("/") as [string, string];
  p.repository.owner.login = owner;
  p.repository.name = name;
  p.repository.full_name = c.repo;
  p.installation = { id: c.installation };
  return p;
}

/**
 * A push of commit `next` after `first` that changes no file of the case's pull request, delivered
 * as GitHub announces it (labels and requests as the stand-in holds them): its answer's status and
 * the requests GitHub received for the case's installation meanwhile, as "METHOD path".
 */
export async function pushChangingNothing(
  served: { gh: GitHubStandIn; readonly app: RunningApp },
  c: Case,
  files: string[],
  first: string,
  next: string,
): Promise<{ status: number; sent: string[] }> {
  const { gh } = served;
  gh.setPull(c.repo, c.number, { author: "contributor", headSha: next, commits: [first, next] }, files);
  const t = gh.thread(c.repo, c.number);
  const push = pullRequestEvent({
    action: "synchronize",
    number: c.number,
    changedFiles: files.length,
    author: "contributor",
    headSha: next,
    labels: [...t.labels],
    requestedReviewers: [...t.requestedUsers],
  });
  const mark = gh.requests.length;
  const { status } = await served.app.deliver("pull_request", repoint(c, push));
  const sent = gh.requests.slice(mark).filter((q) => q.installation === c.installation);
  return { status, sent: sent.map((q) => `${q.method} ${q.path}`) };
}
