// A small configuration for plan and apply tests: three modules with inline maintainers, so the
// choice of reviewer is fixed where a module has one maintainer.

import { parseConfig } from "../../src/core/config.js";
import { buildRouter, type Router } from "../../src/core/router.js";

export const REPOSITORY = "acme/widgets";

const MODULES = `modules:
  - {name: NN, label: "module: nn", maintainers: [alice], paths: ["torch/nn/**"]}
  - {name: Optim, label: "module: optim", maintainers: [bob], paths: ["torch/optim/**"]}
  - {name: Docs, label: docs, maintainers: [carol, dave], paths: ["docs/**"]}
`;

/** The router for the small configuration with `settings` (YAML top-level keys) before the modules. */
export function smallRouter(settings = ""): Router {
  const { config, problems } = parseConfig(`${settings}${MODULES}`, "small.yml");
  if (!config) throw new Error(`small configuration is invalid: ${JSON.stringify(problems)}`);
  return buildRouter(config, { entries: [] });
}
