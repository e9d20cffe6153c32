// Starting the server as `npm start` does: refusals, the setup page and the manifest it posts,
// .env against the shell, the log format, and clean stops. Each server runs in its own temporary
// directory (its .env, app.yml and package.json are what Probot reads from the working directory).

import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitHubStandIn } from "./github-stand-in.js";
import { freePort, generatePrivateKey, SERVER_TS, sign, startApp, TSX_LOADER } from "./harness.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const dirs: string[] = [];

/** A scratch working directory with the project's app.yml and package.json, and this .env text. */
function workDir(dotEnv?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "review-router-start-"));
  dirs.push(dir);
  copyFileSync(join(ROOT, "app.yml"), join(dir, "app.yml"));
  copyFileSync(join(ROOT, "package.json"), join(dir, "package.json"));
  if (dotEnv !== undefined) writeFileSync(join(dir, ".env"), dotEnv);
  return dir;
}

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function run(env: Record<string, string>, cwd = workDir()) {
  const proc = spawn(process.execPath, ["--import", TSX_LOADER, SERVER_TS], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  proc.stdout.on("data", (c: Buffer) => (output += c.toString()));
  proc.stderr.on("data", (c: Buffer) => (output += c.toString()));
  const exit = new Promise<number | null>((resolve) => proc.once("exit", resolve));
  return { proc, exit, output: () => output };
}

/** Start, expect a refusal: exit 1 and exactly one output line; returns its message. */
async function refusal(env: Record<string, string>, cwd?: string): Promise<string> {
  const s = run({ PORT: String(await freePort()), ...env }, cwd);
  expect(await s.exit).toBe(1);
  const lines = s.output().trim().split("\n");
  expect(lines).toHaveLength(1);
  if (!lines[0]!.startsWith("{")) return lines[0]!;
  const entry = JSON.parse(lines[0]!) as { level: number; msg: string };
  expect(entry.level).toBe(60);
  return entry.msg;
}

async function waitFor(url: string, ms = 30_000): Promise<Response> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await fetch(url);
    } catch {
      if (Date.now() > deadline) throw new Error(`${url} did not answer`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

const KEY = generatePrivateKey();
const PING_HEADERS = { "content-type": "application/json", "x-github-event": "ping" };
const PROD = { NODE_ENV: "production", APP_ID: "1", PRIVATE_KEY: KEY, LOG_FORMAT: "json" };

describe("server start-up refusals", () => {
  it("refuses to start in production without WEBHOOK_SECRET, and says why in one JSON line", async () => {
    expect(await refusal(PROD)).toMatch(/^cannot start: WEBHOOK_SECRET is not set/);
  });

  it("refuses to run the app without WEBHOOK_SECRET outside production too (Probot's public default would sign)", async () => {
    const dev = { NODE_ENV: "development", APP_ID: "1", PRIVATE_KEY: KEY, LOG_FORMAT: "json" };
    expect(await refusal(dev)).toMatch(/^cannot start: WEBHOOK_SECRET is not set: without it Probot would accept deliveries signed/);
  }, 60_000);

  it("refuses an empty WEBHOOK_SECRET and Probot's default one in production", async () => {
    expect(await refusal({ ...PROD, WEBHOOK_SECRET: "" })).toContain("WEBHOOK_SECRET is empty");
    expect(await refusal({ ...PROD, WEBHOOK_SECRET: "development" })).toContain('WEBHOOK_SECRET is "development"');
  }, 90_000);

  it("refuses the empty WEBHOOK_SECRET of a .env copied from .env.example", async () => {
    const dir = workDir(readFileSync(join(ROOT, ".env.example"), "utf8"));
    expect(await refusal(PROD, dir)).toContain("WEBHOOK_SECRET is empty");
  });

  it("refuses to start when REDIS_URL does not answer, and a role without REDIS_URL, in one line each", async () => {
    const port = await freePort();
    const line = await refusal({ ...PROD, WEBHOOK_SECRET: "s", REDIS_URL: `redis://:hunter2@127.0.0.1:${port}` });
    expect(line).toMatch(new RegExp(`^cannot start: REDIS_URL: cannot reach Redis at 127\\.0\\.0\\.1:${port} \\(.*ECONNREFUSED`));
    expect(line).not.toContain("hunter2");
    expect(await refusal({ ...PROD, WEBHOOK_SECRET: "s", ROLE: "worker" })).toMatch(/^cannot start: ROLE=worker needs REDIS_URL/);
  });

  it("refuses to start in production with write pacing off", async () => {
    const line = await refusal({ ...PROD, WEBHOOK_SECRET: "s", GITHUB_WRITE_PACING: "off" });
    expect(line).toContain("GITHUB_WRITE_PACING is off");
  });

  it("names the variable when the private key is wrong, in any environment", async () => {
    const notPem = await refusal({ NODE_ENV: "development", APP_ID: "1", PRIVATE_KEY: "not a key" });
    expect(notPem).toContain("PRIVATE_KEY is wrong: it is not a PEM private key");
    const broken = KEY.replace(/\n[A-Za-z0-9+/]{10}/, "\nAAAAAAAAAA");
    const cut = await refusal({ ...PROD, WEBHOOK_SECRET: "s", PRIVATE_KEY: broken });
    expect(cut).toContain("PRIVATE_KEY is wrong: its PEM block does not parse");
    const missing = await refusal({ ...PROD, WEBHOOK_SECRET: "s", PRIVATE_KEY: "", PRIVATE_KEY_PATH: "no-such.pem" });
    expect(missing).toMatch(/PRIVATE_KEY_PATH is wrong: cannot read .*no-such\.pem \(no such file\)/);
    const dir = workDir();
    writeFileSync(join(dir, "app.pem"), "hello\n");
    const notKey = await refusal({ ...PROD, WEBHOOK_SECRET: "s", PRIVATE_KEY: "", PRIVATE_KEY_PATH: "app.pem" }, dir);
    expect(notKey).toMatch(/PRIVATE_KEY_PATH is wrong: .*app\.pem: it is not a PEM private key/);
    for (const line of [notPem, missing, notKey]) expect(line).not.toContain("Certificate is missing");
  }, 90_000);

  it("refuses a malformed .env in one line naming the file and line, without echoing values", async () => {
    const dir = workDir("APP_ID=1\nWEBHOOK_SECRET hunter2\n");
    const line = await refusal({ NODE_ENV: "development" }, dir);
    expect(line).toMatch(/\.env:2: error: this line is not KEY=value/);
    expect(line).not.toContain("hunter2");
    const unclosed = workDir('PRIVATE_KEY="-----BEGIN RSA PRIVATE KEY-----\nabc\n');
    const open = await refusal({ NODE_ENV: "development" }, unclosed);
    expect(open).toMatch(/\.env:1: error: PRIVATE_KEY: the value opened with " is never closed/);
  }, 90_000);
});

describe("the shell wins over .env", () => {
  const gh = new GitHubStandIn(1);
  beforeAll(async () => {
    await gh.start();
  });
  afterAll(async () => {
    await gh.stop();
  });

  it("uses the shell's WEBHOOK_SECRET and PORT when .env has an empty secret and another port", async () => {
    const otherPort = await freePort();
    const dir = workDir(`WEBHOOK_SECRET=\nPORT=${otherPort}\nNODE_ENV=development\n`);
    // startApp waits for /ping on the shell's PORT: the server must listen there.
    const app = await startApp(gh, { NODE_ENV: "production", WEBHOOK_SECRET: "real-secret" }, { cwd: dir });
    try {
      expect(app.port).not.toBe(otherPort);
      const ping = { zen: "Keep it logically awesome.", hook_id: 1 };
      const body = JSON.stringify(ping);
      const forged = await app.deliver("ping", ping, { signature: sign(body, "development") });
      expect(forged.status).toBe(400);
      const empty = await app.deliver("ping", ping, { signature: sign(body, "") });
      expect(empty.status).toBe(400);
      const real = await app.deliver("ping", ping, { signature: sign(body, "real-secret") });
      expect(real.status).toBe(200);
      // The setup page registers `<base>/` as the webhook URL: deliveries there are served too.
      const atRoot = await fetch(`http://127.0.0.1:${app.port}/`, {
        method: "POST",
        headers: { ...PING_HEADERS, "x-github-delivery": "root-1", "x-hub-signature-256": sign(body, "real-secret") },
        body,
      });
      expect(atRoot.status).toBe(200);
      const forgedAtRoot = await fetch(`http://127.0.0.1:${app.port}/`, {
        method: "POST",
        headers: { ...PING_HEADERS, "x-github-delivery": "root-2", "x-hub-signature-256": sign(body, "development") },
        body,
      });
      expect(forgedAtRoot.status).toBe(400);

      // Operations: every line JSON in production, /ping not at info, a bad signature one warning without a stack.
      await new Promise((r) => setTimeout(r, 200));
      expect(app.logs.filter((l) => l.notJson)).toEqual([]);
      expect(app.logs.filter((l) => Number(l.level) >= 30 && /\/ping/.test(String(l.msg)))).toEqual([]);
      const warnings = app.logs.filter((l) => Number(l.level) >= 40);
      expect(warnings, JSON.stringify(warnings)).toHaveLength(3);
      for (const w of warnings) {
        expect(w.level).toBe(40);
        expect(String(w.msg)).toContain("signature does not match WEBHOOK_SECRET");
        expect(JSON.stringify(w)).not.toMatch(/stack| {4}at /);
      }
    } finally {
      expect(await app.stop("SIGTERM")).toBe(0);
    }
  }, 60_000);
});

/** The manifest the setup page's "Register GitHub App" button posts, as GitHub would parse it. */
function manifestOf(html: string): Record<string, unknown> {
  const m = /name="manifest"[^>]*value='([^']*)'/.exec(html);
  expect(m, "the setup page has a manifest button").not.toBeNull();
  const value = m![1]!
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
  return JSON.parse(value) as Record<string, unknown>;
}

describe("the setup page (no credentials)", () => {
  const appYml = yaml.load(readFileSync(join(ROOT, "app.yml"), "utf8")) as Record<string, unknown>;

  function expectAppFields(manifest: Record<string, unknown>) {
    expect(manifest.name).toBe("review-router");
    expect(manifest.description).toBe(appYml.description);
    expect(String(manifest.description)).toMatch(/^Labels pull requests and issues .* maintainers of those modules\.$/);
    const permissions = { pull_requests: "write", issues: "write", contents: "read", metadata: "read", checks: "write", members: "read" };
    expect(manifest.default_permissions).toEqual(permissions);
    expect(manifest.default_events).toEqual(["pull_request", "issues", "issue_comment", "push"]);
    expect(manifest.public).toBe(false);
  }

  it("posts a manifest that parses, with the webhook URL derived from the request; stops on SIGINT", async () => {
    const port = await freePort();
    const s = run({ NODE_ENV: "development", PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn", NO_SMEE_SETUP: "true" });
    try {
      const ping = await waitFor(`http://127.0.0.1:${port}/ping`);
      expect(ping.status).toBe(200);
      expect(await ping.text()).toBe("PONG");
      const setup = await fetch(`http://127.0.0.1:${port}/probot`);
      expect(setup.status).toBe(200);
      const manifest = manifestOf(await setup.text());
      expectAppFields(manifest);
      expect(manifest.hook_attributes).toEqual({ url: `http://127.0.0.1:${port}/` });
      expect(manifest.redirect_url).toBe(`http://127.0.0.1:${port}/probot/setup`);
      // Behind a proxy the public address is the one the browser used.
      const forwarded = { "x-forwarded-host": "rr.example.org", "x-forwarded-proto": "https" };
      const proxied = await fetch(`http://127.0.0.1:${port}/probot`, { headers: forwarded });
      expect(manifestOf(await proxied.text()).hook_attributes).toEqual({ url: "https://rr.example.org/" });
    } finally {
      s.proc.kill("SIGINT");
    }
    expect(await s.exit).toBe(0);
  }, 60_000);

  it("uses WEBHOOK_PROXY_URL as the webhook URL, and connects to it", async () => {
    // A loopback stand-in for a smee.io channel: an event stream that stays open.
    let connected = 0;
    const channel: Server = createServer((req, res) => {
      connected += 1;
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      res.write(": ready\n\n");
    });
    await new Promise<void>((r) => channel.listen(0, "127.0.0.1", r));
    const proxyUrl = `http://127.0.0.1:${(channel.address() as { port: number }).port}/channel-1`;
    const port = await freePort();
    const s = run({ NODE_ENV: "development", PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "info", WEBHOOK_PROXY_URL: proxyUrl });
    try {
      await waitFor(`http://127.0.0.1:${port}/ping`);
      const manifest = manifestOf(await (await fetch(`http://127.0.0.1:${port}/probot`)).text());
      expectAppFields(manifest);
      expect(manifest.hook_attributes).toEqual({ url: proxyUrl });
      // Probot opens the channel once it listens, and forwards what comes in to its webhook path.
      const forwarding = `Forwarding ${proxyUrl} to http://127.0.0.1:${port}/api/github/webhooks`;
      for (let i = 0; i < 200 && !s.output().includes(forwarding); i++) await new Promise((r) => setTimeout(r, 100));
      expect(s.output()).toContain(forwarding);
      expect(connected).toBe(1);
    } finally {
      s.proc.kill("SIGINT");
      channel.closeAllConnections();
      channel.close();
    }
    expect(await s.exit).toBe(0);
  }, 60_000);
});
