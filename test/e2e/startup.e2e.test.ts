// Starting the server as `npm start` does: refusals, the setup page, /ping and clean stops.

import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { freePort } from "./harness.js";

function run(env: Record<string, string>) {
  const proc = spawn(process.execPath, ["--import", "tsx", "src/app/server.ts"], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  proc.stdout.on("data", (c: Buffer) => (output += c.toString()));
  proc.stderr.on("data", (c: Buffer) => (output += c.toString()));
  const exit = new Promise<number | null>((resolve) => proc.once("exit", resolve));
  return { proc, exit, output: () => output };
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

describe("server start-up", () => {
  it("refuses to start in production without WEBHOOK_SECRET, and says why", async () => {
    const s = run({ NODE_ENV: "production", APP_ID: "1", PRIVATE_KEY: "x", PORT: String(await freePort()) });
    expect(await s.exit).toBe(1);
    expect(s.output()).toContain("WEBHOOK_SECRET is not set");
  });

  it("refuses to start in production with write pacing off", async () => {
    const s = run({ NODE_ENV: "production", WEBHOOK_SECRET: "s", GITHUB_WRITE_PACING: "off", PORT: String(await freePort()) });
    expect(await s.exit).toBe(1);
    expect(s.output()).toContain("GITHUB_WRITE_PACING is off");
  });

  it("without credentials serves Probot's setup page and /ping, and stops on SIGINT", async () => {
    const port = await freePort();
    const s = run({ NODE_ENV: "development", PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn" });
    try {
      const ping = await waitFor(`http://127.0.0.1:${port}/ping`);
      expect(ping.status).toBe(200);
      expect(await ping.text()).toBe("PONG");
      const setup = await fetch(`http://127.0.0.1:${port}/probot`);
      expect(setup.status).toBe(200);
      expect(await setup.text()).toContain("review-router");
    } finally {
      s.proc.kill("SIGINT");
    }
    expect(await s.exit).toBe(0);
  }, 60_000);
});
