// `npm start` as an operator runs it, and `kill -TERM` to the npm process as a supervisor sends it:
// the server must stop with it, not be left running as an orphan. npm passes the signal to the
// script's process; the start script execs node, so that process is the server itself (with a
// shell in between, the shell died and the server kept the port). Needs the build (dist/).

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { freePort } from "./harness.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Whether something accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function until(what: string, test: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("npm start", () => {
  it("stops the server when npm is sent SIGTERM: nothing keeps listening", async () => {
    expect(existsSync(`${ROOT}/dist/src/app/server.js`), "build first: npm run build").toBe(true);
    const port = await freePort();
    // No credentials, outside production: Probot's setup page, no GitHub needed, no smee channel.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      NODE_ENV: "development",
      APP_ID: "",
      PRIVATE_KEY: "",
      PRIVATE_KEY_PATH: "",
      NO_SMEE_SETUP: "true",
      WEBHOOK_PROXY_URL: "",
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
    };
    // Its own process group, so that whatever it leaves behind can be ended after a failure.
    const npm = spawn("npm", ["start", "--silent"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let output = "";
    npm.stdout.on("data", (d: Buffer) => (output += d.toString()));
    npm.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => npm.once("exit", (code) => resolve(code)));
    try {
      await until(`the server listens on ${port} (output: ${output})`, () => listening(port), 30_000);
      npm.kill("SIGTERM");
      const code = await Promise.race([exited, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 15_000))]);
      expect(code, output).not.toBe("timeout");
      await until(`nothing listens on ${port} any more`, async () => !(await listening(port)), 5_000);
    } finally {
      try {
        process.kill(-npm.pid!, "SIGKILL");
      } catch {
        // the group is gone: nothing was left behind
      }
    }
  }, 60_000);
});
