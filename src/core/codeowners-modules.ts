// CODEOWNERS as a module source: each group of rules with the same owners and labels becomes one
// module (users as inline maintainers, teams as team reviewers, labels from `# label:` lines),
// and the rules themselves become the router's ordered ownership table, so "the last matching
// line wins" holds while the router sees only modules.

import type { OwnershipLookup, RouterConfig, ModuleSpec } from "./config.js";
import { decidingRule, type Codeowners, type CodeownersRule } from "./codeowners.js";

/** The module name for a rule's owners and labels, e.g. `@alice @org/team [module: nn]`. */
export function codeownersModuleName(rule: Pick<CodeownersRule, "owners" | "labels">): string {
  const owners = rule.owners.map((o) => o.text).join(" ");
  return rule.labels.length > 0 ? `${owners} [${rule.labels.join(", ")}]` : owners;
}

export interface CodeownersModules {
  modules: ModuleSpec[];
  ownership: OwnershipLookup;
}

/**
 * The modules a CODEOWNERS file defines and the lookup that says which one owns a path. Rules
 * with no owners make no module: the paths they decide are unowned, as on GitHub. Email owners
 * cannot be requested through the API and are left out of the module (still shown by
 * `review-router codeowners`).
 */
export function codeownersModules(co: Codeowners): CodeownersModules {
  const byName = new Map<string, ModuleSpec>();
  const moduleOf: (string | null)[] = co.rules.map((rule) => {
    if (rule.owners.length === 0) return null;
    const name = codeownersModuleName(rule);
    if (!byName.has(name)) {
      const users = rule.owners.filter((o) => o.kind === "user").map((o) => o.name);
      const teams = rule.owners.filter((o) => o.kind === "team").map((o) => o.name);
      byName.set(name, {
        name,
        ...(rule.labels[0] ? { label: rule.labels[0] } : {}),
        extraLabels: rule.labels.slice(1),
        paths: [],
        exclude: [],
        areas: [],
        maintainers: users,
        ...(teams.length > 0 ? { teams } : {}),
        repositories: [],
        keywords: [],
      });
    }
    return name;
  });
  const index = new Map(co.rules.map((r, i) => [r, i]));
  return {
    modules: [...byName.values()],
    ownership: {
      lookup(path, tick) {
        const rule = decidingRule(co, path, tick);
        if (!rule) return undefined;
        return { module: moduleOf[index.get(rule)!]!, rule: `${co.file}:${rule.line} ${rule.pattern}` };
      },
    },
  };
}

/**
 * The configuration with the CODEOWNERS modules after its own (so the file's modules and
 * policy sit on top) and the ownership table set. A module name the configuration already uses
 * is kept from the configuration.
 */
export function withCodeowners(config: RouterConfig, co: Codeowners): RouterConfig {
  const { modules, ownership } = codeownersModules(co);
  const taken = new Set(config.modules.map((m) => m.name.toLowerCase()));
  return { ...config, modules: [...config.modules, ...modules.filter((m) => !taken.has(m.name.toLowerCase()))], ownership };
}
