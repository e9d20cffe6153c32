// CODEOWNERS as a module source: each group of rules with the same owners and labels becomes one
// module (users as inline maintainers, teams as team reviewers, labels from `# label:` lines),
// and the rules themselves become the router's ordered ownership table, so "the last matching
// line wins" holds while the router sees only modules.

import type { OwnershipLookup, RouterConfig, ModuleSpec } from "./config.js";
import { checkDeadline, type Deadline } from "./budget.js";
import { decidingIndex, ruleAt, type Codeowners, type CodeownersRule } from "./codeowners.js";

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
export function codeownersModules(co: Codeowners, deadline?: Deadline): CodeownersModules {
  const t = co.table;
  const byName = new Map<string, ModuleSpec>();
  // Rules with the same owners list and labels list make one module: its name is made once per
  // such pair, not once per rule (a large file has a few hundred pairs over 200,000 rules). Most
  // owners lists appear under one labels list: those pairs are kept by owners list, the rest in a Map.
  const labelsOfOwners = new Int32Array(t.ownerLists.length).fill(-1);
  const nameOfOwners: (string | null)[] = new Array<string | null>(t.ownerLists.length).fill(null);
  const nameOfPair = new Map<number, string | null>();
  const moduleOf: (string | null)[] = new Array<string | null>(t.count).fill(null);
  for (let i = 0; i < t.count; i++) {
    if ((i & 4095) === 4095) checkDeadline(deadline, () => `making modules of ${co.file} (rule ${i + 1} of ${t.count})`);
    const owners = t.owners[i]!;
    const labels = t.labels[i]!;
    const make = () => moduleFor({ owners: t.ownerLists[owners]!, labels: t.labelLists[labels]! }, byName);
    let name: string | null | undefined;
    if (labelsOfOwners[owners] === labels) name = nameOfOwners[owners]!;
    else if (labelsOfOwners[owners] === -1) {
      name = nameOfOwners[owners] = make();
      labelsOfOwners[owners] = labels;
    } else {
      const pair = owners * t.labelLists.length + labels;
      name = nameOfPair.get(pair);
      if (name === undefined) nameOfPair.set(pair, (name = make()));
    }
    moduleOf[i] = name;
  }
  return {
    modules: [...byName.values()],
    ownership: {
      lookup(path, tick) {
        const i = decidingIndex(co, path, tick);
        if (i < 0) return undefined;
        const rule = ruleAt(co, i);
        return { module: moduleOf[i]!, rule: `${co.file}:${rule.line} ${rule.pattern}` };
      },
    },
  };
}

/** The name of the module for these owners and labels, added to `byName` when new; null for no owners. */
function moduleFor(rule: Pick<CodeownersRule, "owners" | "labels">, byName: Map<string, ModuleSpec>): string | null {
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
      titleKeywords: [],
    });
  }
  return name;
}

/**
 * The configuration with the CODEOWNERS modules after its own (so the file's modules and
 * policy sit on top) and the ownership table set. A module name the configuration already uses
 * is kept from the configuration.
 */
export function withCodeowners(config: RouterConfig, co: Codeowners, deadline?: Deadline): RouterConfig {
  const { modules, ownership } = codeownersModules(co, deadline);
  const taken = new Set(config.modules.map((m) => m.name.toLowerCase()));
  return { ...config, modules: [...config.modules, ...modules.filter((m) => !taken.has(m.name.toLowerCase()))], ownership };
}
