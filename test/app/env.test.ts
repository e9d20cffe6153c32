// The server's .env loader and start-up checks (src/app/env.ts); the running server is tested in
// test/e2e/startup.e2e.test.ts.

import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadEnvFile, parseEnvFile, restoreEnv, startupProblem } from "../../src/app/env.js";

const dir = mkdtempSync(join(tmpdir(), "review-router-env-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KEY = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
}).privateKey;

describe("parseEnvFile", () => {
  it("reads KEY=value lines, comments, export and quoted values over several lines", () => {
    const text = `# comment\n\nexport A=1\nB = two\nC="x\ny"\nD='z' # tail\n`;
    expect(parseEnvFile(text, ".env")).toEqual({ A: "1", B: "two", C: "x\ny", D: "z" });
  });

  it("refuses a line that is not KEY=value, naming file and line but not the value", () => {
    expect(() => parseEnvFile("A=1\nSECRET hunter2\n", "/x/.env")).toThrow(/^\/x\/\.env:2: error: this line is not KEY=value/);
    expect(() => parseEnvFile("A=1\nSECRET hunter2\n", "/x/.env")).not.toThrow(/hunter2/);
    expect(() => parseEnvFile("1A=x\n", ".env")).toThrow(/\.env:1: error/);
  });

  it("refuses a quoted value that is never closed", () => {
    expect(() => parseEnvFile('A=1\nKEY="abc\nmore\n', ".env")).toThrow(/\.env:2: error: KEY: the value opened with " is never closed/);
  });
});

describe("loadEnvFile", () => {
  it("fills in only what the environment lacks: a value already set, even empty, wins", () => {
    const file = join(dir, "a.env");
    writeFileSync(file, "WEBHOOK_SECRET=\nPORT=4000\nAPP_ID=7\nEMPTY_IN_SHELL=from-file\n");
    const env: NodeJS.ProcessEnv = { WEBHOOK_SECRET: "real", PORT: "3001", EMPTY_IN_SHELL: "" };
    expect(loadEnvFile(file, env)).toEqual(["APP_ID"]);
    expect(env).toEqual({ WEBHOOK_SECRET: "real", PORT: "3001", APP_ID: "7", EMPTY_IN_SHELL: "" });
  });

  it("sets nothing when the file does not exist", () => {
    const env: NodeJS.ProcessEnv = {};
    expect(loadEnvFile(join(dir, "none.env"), env)).toEqual([]);
    expect(env).toEqual({});
  });

  it("says so when the file cannot be read", () => {
    expect(() => loadEnvFile(dir, {})).toThrow(/: error: cannot read it/);
  });
});

describe("restoreEnv", () => {
  it("puts back overwritten values and removes added ones", () => {
    const env: NodeJS.ProcessEnv = { A: "shell", B: "b" };
    const snapshot = { ...env };
    Object.assign(env, { A: "file", C: "file" });
    restoreEnv(env, snapshot);
    expect(env).toEqual({ A: "shell", B: "b" });
  });
});

describe("startupProblem", () => {
  const prod = { NODE_ENV: "production", APP_ID: "12", PRIVATE_KEY: KEY, WEBHOOK_SECRET: "s3cret" };

  it("accepts a complete production environment, and a key written with \\n or in base64", () => {
    expect(startupProblem(prod)).toBeUndefined();
    expect(startupProblem({ ...prod, PRIVATE_KEY: KEY.trim().replace(/\n/g, "\\n") })).toBeUndefined();
    expect(startupProblem({ ...prod, PRIVATE_KEY: Buffer.from(KEY).toString("base64") })).toBeUndefined();
  });

  it("refuses a missing, empty or default webhook secret in production only", () => {
    const { WEBHOOK_SECRET: _unused, ...noSecret } = prod;
    expect(startupProblem(noSecret)).toMatch(/^WEBHOOK_SECRET is not set/);
    expect(startupProblem({ ...prod, WEBHOOK_SECRET: " " })).toMatch(/^WEBHOOK_SECRET is empty/);
    expect(startupProblem({ ...prod, WEBHOOK_SECRET: "development" })).toMatch(/^WEBHOOK_SECRET is "development"/);
  });

  it("outside production, refuses to run the app without a webhook secret, but serves the setup page", () => {
    const { WEBHOOK_SECRET: _unused, ...noSecret } = prod;
    const dev = { ...noSecret, NODE_ENV: "development" };
    expect(startupProblem(dev)).toMatch(
      /^WEBHOOK_SECRET is not set: without it Probot would accept deliveries signed with its public "development" secret/,
    );
    expect(startupProblem({ ...dev, WEBHOOK_SECRET: "" })).toMatch(/^WEBHOOK_SECRET is empty/);
    expect(startupProblem({ ...dev, WEBHOOK_SECRET: "local" })).toBeUndefined();
    // No App ID, or no key anywhere Probot looks: the setup page, which needs no secret.
    expect(startupProblem({ NODE_ENV: "development" }, dir)).toBeUndefined();
    expect(startupProblem({ NODE_ENV: "development", APP_ID: "12" }, mkdtempSync(join(dir, "no-key-")))).toBeUndefined();
    const withPem = mkdtempSync(join(dir, "pem-"));
    writeFileSync(join(withPem, "app.pem"), KEY);
    expect(startupProblem({ NODE_ENV: "development", APP_ID: "12" }, withPem)).toMatch(/^WEBHOOK_SECRET is not set/);
  });

  it("refuses missing credentials in production, and a non-numeric APP_ID anywhere", () => {
    expect(startupProblem({ ...prod, APP_ID: "" })).toMatch(/^APP_ID is not set/);
    expect(startupProblem({ ...prod, PRIVATE_KEY: "" })).toMatch(/^neither PRIVATE_KEY nor PRIVATE_KEY_PATH is set/);
    expect(startupProblem({ APP_ID: "my-app" })).toMatch(/^APP_ID is not a number/);
    expect(startupProblem({})).toBeUndefined();
  });

  it("says which key variable is wrong and why", () => {
    expect(startupProblem({ PRIVATE_KEY: "abc" })).toMatch(/^PRIVATE_KEY is wrong: it is not a PEM private key/);
    const lines = KEY.trim().split("\n");
    const cut = [lines[0], lines[1], lines[lines.length - 1]].join("\n");
    expect(startupProblem({ PRIVATE_KEY: cut })).toMatch(/^PRIVATE_KEY is wrong: its PEM block does not parse/);
    expect(startupProblem({ PRIVATE_KEY_PATH: "gone.pem" }, dir)).toBe(
      `PRIVATE_KEY_PATH is wrong: cannot read ${join(dir, "gone.pem")} (no such file); point it at the app's .pem file.`,
    );
    writeFileSync(join(dir, "notes.pem"), "not a key\n");
    expect(startupProblem({ PRIVATE_KEY_PATH: "notes.pem" }, dir)).toMatch(
      /^PRIVATE_KEY_PATH is wrong: .*notes\.pem: it is not a PEM private key/,
    );
    writeFileSync(join(dir, "good.pem"), KEY);
    expect(startupProblem({ ...prod, PRIVATE_KEY: undefined, PRIVATE_KEY_PATH: "good.pem" }, dir)).toBeUndefined();
  });
});
