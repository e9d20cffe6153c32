// Figures about the code's shape (issue 18): how many source files one pull_request delivery runs
// code in, how many methods the GitHub port has, which src modules no test imports, the longest
// test file, and the lines of GitHub simulation in test/. Run: node --import tsx scripts/measure-shape.ts
//
// - Delivery files: the app is loaded in a real Probot against the local GitHub stand-in; one
//   pull_request.opened is delivered to warm up, then V8's precise coverage is reset and a second
//   one delivered. A src file counts when any of its functions ran during that second delivery.
// - Port methods: the members of the type GitHubPort (src/app/port.ts) that are functions.
// - Untested modules: src/**/*.ts that no test/**/*.ts file imports directly (static or dynamic import).
// - GitHub simulation: the fake port, the nock helpers, the REST and GraphQL stand-ins, and every
//   other test file that builds nock answers (imports nock or the nock helpers, test/helpers/github.ts), in lines.

import { readdirSync, readFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function walk(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

function lines(file: string): number {
  return readFileSync(join(ROOT, file), "utf8").split("\n").length - 1;
}

/** GitHubPort's methods, and those of each interface it extends (none: one interface). */
function portMethods(): { total: number; parts: string[] } {
  const program = ts.createProgram([join(ROOT, "src/app/port.ts")], {
    strict: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(join(ROOT, "src/app/port.ts"))!;
  const symbol = checker.getSymbolAtLocation(source)!;
  const port = checker.getExportsOfModule(symbol).find((s) => s.name === "GitHubPort")!;
  const methods = (type: ts.Type) =>
    checker.getPropertiesOfType(type).filter((p) => checker.getTypeOfSymbol(p).getCallSignatures().length > 0).length;
  const type = checker.getDeclaredTypeOfSymbol(port) as ts.InterfaceType;
  // The interfaces it is built from, down to those that extend nothing.
  const leaves = (t: ts.Type): ts.Type[] => {
    const bases = t.isClassOrInterface() ? (checker.getBaseTypes(t) ?? []) : [];
    return bases.length === 0 ? [t] : bases.flatMap(leaves);
  };
  const parts = leaves(type)
    .filter((b) => b !== type)
    .map((b) => `${b.symbol.name} ${methods(b)}`);
  return { total: methods(type), parts };
}

const IMPORT_RE = /(?:from\s+|import\s*\(\s*|import\s+)["']([^"']+)["']/g;

function untestedModules(src: string[], tests: string[]): string[] {
  const imported = new Set<string>();
  for (const t of tests) {
    const text = readFileSync(join(ROOT, t), "utf8");
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = m[1]!;
      if (!spec.startsWith(".")) continue;
      imported.add(relative(ROOT, resolve(ROOT, dirname(t), spec)).replace(/\.js$/, ".ts"));
    }
  }
  return src.filter((s) => !imported.has(s));
}

const SIMULATIONS = [
  "test/helpers/fake-github.ts",
  "test/helpers/github.ts",
  "test/e2e/github-stand-in.ts",
  "test/e2e/graphql-stand-in.ts",
];

function simulationLines(tests: string[]): { simulations: number; nockFiles: { file: string; lines: number }[] } {
  const simulations = SIMULATIONS.filter((f) => tests.includes(f)).reduce((n, f) => n + lines(f), 0);
  const nockFiles = tests
    .filter((t) => !SIMULATIONS.includes(t) && t.endsWith(".test.ts"))
    .filter((t) => /from "nock"|helpers\/github\.js"/.test(readFileSync(join(ROOT, t), "utf8")))
    .map((file) => ({ file, lines: lines(file) }));
  return { simulations, nockFiles };
}

async function deliveryFiles(): Promise<string[]> {
  const { GitHubStandIn } = await import("../test/e2e/github-stand-in.js");
  const { Probot, ProbotOctokit } = await import("probot");
  const { createApp } = await import("../src/app/index.js");
  const { pullRequestEvent } = await import("../test/helpers/payloads.js");
  const { generateKeyPairSync, randomUUID } = await import("node:crypto");
  const gh = new GitHubStandIn(77);
  await gh.start();
  const repo = "acme/measure";
  gh.repo(repo).files.set(
    ".github/review-router.yml",
    'use_default_modules: false\nmodules:\n  - {name: Docs, label: docs, maintainers: [carol, dave], paths: ["docs/**"]}\n',
  );
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const Octokit = ProbotOctokit.defaults((o: { throttle?: object }) => ({
    ...o,
    retry: { enabled: false },
    throttle: { ...o.throttle, enabled: false },
  }));
  const probot = new Probot({ appId: 77, privateKey, Octokit, logLevel: "fatal", baseUrl: `http://${gh.host}/api/v3` });
  await probot.load(createApp({ appId: 77 }));
  const deliver = async (number: number) => {
    gh.setPull(repo, number, { author: "zed", headSha: `h${number}` }, ["docs/a.md"]);
    const payload = pullRequestEvent({ action: "opened", number, changedFiles: 1, author: "zed", headSha: `h${number}`, repository: repo });
    await probot.receive({ id: randomUUID(), name: "pull_request", payload } as never);
  };
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.startPreciseCoverage", { callCount: true, detailed: false });
  await deliver(1);
  await session.post("Profiler.takePreciseCoverage"); // resets the counts
  await deliver(2);
  const { result } = await session.post("Profiler.takePreciseCoverage");
  await gh.stop();
  const files = new Set<string>();
  for (const script of result) {
    if (!script.url.startsWith("file://")) continue;
    const file = relative(ROOT, fileURLToPath(script.url));
    if (!file.startsWith("src/")) continue;
    // Modules ran their top level while loading, before the reset: a count now is a call in this delivery.
    if (script.functions.some((f) => f.ranges[0]!.count > 0)) files.add(file);
  }
  if (gh.writes(repo).length === 0) throw new Error("the deliveries wrote nothing: the measurement did not route");
  return [...files].sort();
}

const src = walk("src").sort();
const tests = walk("test").sort();
const untested = untestedModules(src, tests);
const longest = tests
  .filter((t) => t.endsWith(".test.ts"))
  .map((file) => ({ file, lines: lines(file) }))
  .sort((a, b) => b.lines - a.lines)[0]!;
const sim = simulationLines(tests);
const delivery = await deliveryFiles();
console.log(`files one pull_request delivery runs code in: ${delivery.length}\n  ${delivery.join("\n  ")}`);
const port = portMethods();
console.log(`GitHubPort methods: ${port.total}${port.parts.length > 0 ? ` (${port.parts.join(", ")})` : ""}`);
console.log(`src modules imported by no test: ${untested.length}\n  ${untested.join("\n  ")}`);
console.log(`longest test file: ${longest.file} (${longest.lines} lines)`);
console.log(`GitHub simulations (${SIMULATIONS.join(", ")}): ${sim.simulations} lines`);
console.log(
  `other test files building nock answers: ${sim.nockFiles.length}, ${sim.nockFiles.reduce((n, f) => n + f.lines, 0)} lines\n  ${sim.nockFiles.map((f) => `${f.file} ${f.lines}`).join("\n  ")}`,
);
process.exit(0);
