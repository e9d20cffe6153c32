import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import { loadBundled } from "../../src/app/index.js";
import { octokitPort } from "../../src/app/port.js";
import { CONFIG_MAX_AGE_MS, ConfigFileCache, loadRepoConfig, type Bundled } from "../../src/app/repo-config.js";
import { contentsAnswer } from "../helpers/github.js";

const bundled = loadBundled();

/** A contents API over `files` that answers 304 to a matching If-None-Match, and records each request. */
function fakeContext(owner: string, repo: string, files: Map<string, string>) {
  const calls: string[] = [];
  const client = {
    async request(_route: string, params: Record<string, unknown>) {
      const key = `${String(params.owner)}/${String(params.repo)}:${String(params.path)}`;
      const text = files.get(key);
      const etag = text === undefined ? undefined : `"${Buffer.from(text).toString("hex").slice(0, 16)}${text.length}"`;
      const sent = (params.headers as Record<string, string> | undefined)?.["if-none-match"];
      calls.push(`${key}${sent ? ` if-none-match ${sent}` : ""}`);
      if (text === undefined) throw Object.assign(new Error("Not Found"), { status: 404 });
      if (sent === etag) throw Object.assign(new Error("Not Modified"), { status: 304 });
      const content = Buffer.from(text).toString("base64");
      return { data: { type: "file", size: text.length, encoding: "base64", content }, headers: { etag } };
    },
  };
  const context = octokitPort(client as unknown as Parameters<typeof octokitPort>[0], { owner, repo }, undefined);
  return { context, calls };
}

describe("the configuration file cache", () => {
  const OWN = "acme/widgets:.github/review-router.yml";
  const ORG = "acme/.github:.github/review-router.yml";
  const module = (paths: string) => `modules:\n  - {name: Docs, label: docs, maintainers: [carol], paths: [${paths}]}\n`;
  const FILE = module(`"docs/**"`);

  function setup() {
    let now = 1_000_000;
    const cache = new ConfigFileCache(() => now);
    const files = new Map([[OWN, FILE]]);
    const { context, calls } = fakeContext("acme", "widgets", files);
    const withCache: Bundled = { ...bundled, files: cache };
    return { cache, files, context, calls, withCache, advance: (ms: number) => (now += ms) };
  }

  it("reads a file once while fresh, then asks with its ETag and keeps it on a 304", async () => {
    const { context, calls, withCache, advance } = setup();
    const first = await loadRepoConfig(context, withCache);
    const second = await loadRepoConfig(context, withCache);
    expect(first.kind).toBe("ok");
    expect(second).toEqual(first);
    expect(calls).toEqual([OWN]);
    advance(CONFIG_MAX_AGE_MS);
    const third = await loadRepoConfig(context, withCache);
    expect(third).toEqual(first);
    expect(calls).toHaveLength(2);
    expect(calls[1]).toMatch(/^acme\/widgets:\.github\/review-router\.yml if-none-match "/);
    // The 304 renewed the entry: no request for another full age.
    await loadRepoConfig(context, withCache);
    expect(calls).toHaveLength(2);
  });

  it("sees a changed file after its age even without a push", async () => {
    const { context, calls, files, withCache, advance } = setup();
    await loadRepoConfig(context, withCache);
    files.set(OWN, module(`"docs/**", "site/**"`));
    const stale = await loadRepoConfig(context, withCache);
    expect(stale.kind === "ok" && stale.config.modules.find((m) => m.name === "Docs")?.paths).toEqual(["docs/**"]);
    advance(CONFIG_MAX_AGE_MS);
    const fresh = await loadRepoConfig(context, withCache);
    expect(fresh.kind === "ok" && fresh.config.modules.find((m) => m.name === "Docs")?.paths).toEqual(["docs/**", "site/**"]);
    expect(calls).toHaveLength(2);
  });

  it("drops a repository's files on a push there, and only those", async () => {
    const { cache, context, calls, files, withCache } = setup();
    files.delete(OWN);
    files.set(ORG, FILE);
    await loadRepoConfig(context, withCache);
    expect(calls).toEqual([OWN, ORG]); // the missing own file is cached too
    expect(cache.forget("acme", "unrelated")).toBe(0);
    expect(cache.forget("ACME", ".github")).toBe(1);
    await loadRepoConfig(context, withCache);
    expect(calls).toEqual([OWN, ORG, ORG]);
    expect(cache.forget("acme", "widgets")).toBe(1);
    files.set(OWN, FILE);
    await loadRepoConfig(context, withCache);
    expect(calls).toEqual([OWN, ORG, ORG, OWN]);
  });

  it("reads every time without a cache (the CLI, the Action)", async () => {
    const { context, calls } = setup();
    await loadRepoConfig(context, bundled);
    await loadRepoConfig(context, bundled);
    expect(calls).toEqual([OWN, OWN]);
  });
});

describe("the configuration file cache over Probot's Octokit", () => {
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it("sends If-None-Match with the ETag GitHub gave, and keeps the file on GitHub's 304", async () => {
    nock.disableNetConnect();
    const text = "max_reviewers: 2\n";
    const path = "/repos/pytorch/pytorch/contents/.github%2Freview-router.yml";
    const scope = nock("https://api.github.com")
      .get(path)
      .reply(200, contentsAnswer(text), { "content-type": "application/json", etag: '"v1"' })
      .get(path)
      .matchHeader("if-none-match", '"v1"')
      .reply(304, "", { etag: '"v1"' });
    let now = 0;
    const withCache: Bundled = { ...bundled, files: new ConfigFileCache(() => now) };
    const octokit = new ProbotOctokit({ auth: { token: "test" }, retry: { enabled: false }, throttle: { enabled: false } });
    const context = octokitPort(octokit, { owner: "pytorch", repo: "pytorch" }, undefined);
    const first = await loadRepoConfig(context, withCache);
    now += CONFIG_MAX_AGE_MS;
    const second = await loadRepoConfig(context, withCache);
    expect(first.kind === "ok" && first.config.policy.maxReviewers).toBe(2);
    expect(second).toEqual(first);
    expect(scope.isDone()).toBe(true);
  });
});
