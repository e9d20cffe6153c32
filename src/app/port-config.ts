// The repository's configuration read through the GitHub port (contents API, default branch),
// for the online CLI, the sweep and the GitHub Action, which hold no Probot context. Layered over
// the bundled configuration exactly as src/app/repo-config.ts does for the app. One function, so
// that it can later be pointed at the app's own contents-API loader (size check, `_extends`).

import { resolveLayered } from "../core/layering.js";
import { hasErrors } from "../core/problems.js";
import { parseYaml } from "../core/yaml.js";
import type { GitHubPort } from "./port.js";
import { compiledRouter, CONFIG_PATH, type Bundled, type RepoConfigResult } from "./repo-config.js";

export async function loadConfigThroughPort(port: GitHubPort, bundled: Bundled): Promise<RepoConfigResult> {
  const { owner, repo } = port.repo;
  const text = await port.readFile(CONFIG_PATH);
  if (text === undefined) {
    if (!bundled.owners.has(owner.toLowerCase())) {
      return { kind: "none", reason: `${owner}/${repo} has no ${CONFIG_PATH} and the bundled configuration is for ${[...bundled.owners].join(", ")}` };
    }
    return { kind: "ok", router: bundled.router, config: bundled.config, source: "bundled PyTorch configuration", problems: [] };
  }
  const parsed = parseYaml(text, CONFIG_PATH);
  if (!parsed.ok) return { kind: "error", file: CONFIG_PATH, problems: [parsed.problem] };
  const layered = resolveLayered(bundled.raw, bundled.registry, parsed.doc, CONFIG_PATH);
  if (hasErrors(layered.problems) || !layered.config) return { kind: "error", file: CONFIG_PATH, problems: layered.problems };
  return {
    kind: "ok",
    router: compiledRouter(layered.config, bundled.registry),
    config: layered.config,
    source: `${CONFIG_PATH} merged over the bundled PyTorch configuration`,
    problems: layered.problems,
  };
}
