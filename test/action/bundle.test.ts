// The Action as GitHub runs it: action.yml names a node runtime and one bundled file, which must be
// what `npm run bundle:action` builds from the sources now, and which runs with nothing but itself
// and config/ (no node_modules): a pull_request_target event against the GitHub stand-in is
// labelled and routed, with the inputs passed as the runner passes them (INPUT_DRY-RUN, hyphen kept).

import { execFile } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actionInput, GITHUB_ACTIONS_APP_ID } from "../../src/action/main.js";
import { parseYaml } from "../../src/core/yaml.js";
import { ACTION_BUNDLE, bundleActionText } from "../../scripts/bundle-action.js";
import { GitHubStandIn } from "../e2e/github-stand-in.js";
import { pullRequestEvent } from "../helpers/payloads.js";

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));
const gh = new GitHubStandIn(GITHUB_ACTIONS_APP_ID);
const REPO = "acme/bundled";
const dir = mkdtempSync(join(tmpdir(), "review-router-bundle-"));

beforeAll(async () => {
  await gh.start();
  gh.repo(REPO).files.set(
    ".github/review-router.yml",
    'use_default_modules: false\nmodules:\n  - {name: Docs, label: "module: docs", maintainers: [carol], paths: ["docs/**"]}\n',
  );
});
afterAll(async () => {
  await gh.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the bundled Action", () => {
  it("is a JavaScript action whose main is the bundle", () => {
    const parsed = parseYaml(readFileSync(root("action.yml"), "utf8"), "action.yml");
    if (!parsed.ok) throw new Error(parsed.problem.message);
    expect((parsed.doc.value as { runs: unknown }).runs).toEqual({ using: "node24", main: ACTION_BUNDLE });
  });

  it("is what `npm run bundle:action` builds now (run it and commit action/dist/index.js when this fails)", async () => {
    const built = await bundleActionText();
    expect(built === readFileSync(root(ACTION_BUNDLE), "utf8"), "action/dist/index.js is stale: run `npm run bundle:action`").toBe(true);
    // The same sources give the same bytes.
    expect(await bundleActionText()).toBe(built);
  }, 60_000);

  it("runs with node alone, from a copy holding only the bundle and config/, and routes a pull request", async () => {
    const copy = join(dir, "action-checkout");
    mkdirSync(join(copy, "action", "dist"), { recursive: true });
    copyFileSync(root(ACTION_BUNDLE), join(copy, ACTION_BUNDLE));
    cpSync(root("config"), join(copy, "config"), { recursive: true });
    gh.setPull(REPO, 9, { author: "zed", headSha: "h9" }, ["docs/guide.md"]);
    const event = join(dir, "event.json");
    writeFileSync(
      event,
      JSON.stringify(pullRequestEvent({ action: "opened", number: 9, changedFiles: 1, author: "zed", headSha: "h9", repository: REPO })),
    );
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      GITHUB_EVENT_NAME: "pull_request_target",
      GITHUB_EVENT_PATH: event,
      GITHUB_REPOSITORY: REPO,
      GITHUB_API_URL: `http://${gh.host}/api/v3`,
      INPUT_TOKEN: "tok-11",
      "INPUT_DRY-RUN": "false",
      "INPUT_APP-ID": String(GITHUB_ACTIONS_APP_ID),
    };
    const { stdout, code } = await new Promise<{ stdout: string; code: number | null }>((resolve) => {
      const child = execFile(process.execPath, [join(copy, ACTION_BUNDLE)], { env, cwd: dir, timeout: 60_000 }, (_err, out, err) =>
        resolve({ stdout: out + err, code: child.exitCode }),
      );
    });
    expect(stdout).not.toContain("::error::");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^acme\/bundled#9: labels added \["module: docs"\], removed \[\], reviews requested \["carol"\]/);
    expect(gh.writes(REPO).map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /repos/${REPO}/issues/9/labels`,
      `POST /repos/${REPO}/pulls/9/requested_reviewers`,
      `POST /repos/${REPO}/check-runs`,
    ]);
  }, 60_000);

  it("reads inputs as the runner names them, hyphen kept, and the underscore form too", () => {
    expect(actionInput({ "INPUT_DRY-RUN": " true " }, "dry-run")).toBe("true");
    expect(actionInput({ INPUT_DRY_RUN: "1" }, "dry-run")).toBe("1");
    expect(actionInput({}, "app-id")).toBe("");
  });
});
