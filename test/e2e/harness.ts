// Runs the real server (src/app/server.ts, the file `npm start` runs once built) as a child
// process on a loopback port, pointed at a GitHubStandIn, and delivers signed webhooks to it.

import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { GitHubStandIn } from "./github-stand-in.js";

/** The server's source, by absolute path so that a test can run it from another directory. */
export const SERVER_TS = fileURLToPath(new URL("../../src/app/server.ts", import.meta.url));
/** tsx's loader by URL, so that `--import` resolves from any working directory. */
export const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export const APP_ID = 4242;
export const WEBHOOK_SECRET = "e2e-secret";

export interface RunningApp {
  port: number;
  /** Log lines the server printed (JSON, one object per line; a line that is not JSON gets notJson: true). */
  logs: Record<string, unknown>[];
  proc: ChildProcess;
  deliver(name: string, payload: unknown, options?: DeliveryOptions): Promise<{ status: number; body: string; ms: number }>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface DeliveryOptions {
  id?: string;
  /** Override the signature header; null sends none. */
  signature?: string | null;
  /** Send this raw body instead of JSON.stringify(payload). */
  rawBody?: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export function sign(body: string, secret = WEBHOOK_SECRET): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** A fresh RSA key for this run only; no key is ever committed. */
export function generatePrivateKey(): string {
  return generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  }).privateKey;
}

export interface StartOptions {
  /** Working directory of the server (where it looks for .env); the project root by default. */
  cwd?: string;
  /** A built server to run with plain node (dist/src/app/server.js); src/app/server.ts through tsx by default. */
  server?: string;
  /** Node options before the script (--cpu-prof and the like, which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
}

export async function startApp(
  standIn: GitHubStandIn,
  extraEnv: Record<string, string> = {},
  options: StartOptions = {},
): Promise<RunningApp> {
  const port = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    NODE_ENV: "test",
    APP_ID: String(APP_ID),
    PRIVATE_KEY: generatePrivateKey(),
    WEBHOOK_SECRET,
    PORT: String(port),
    HOST: "127.0.0.1",
    GHE_HOST: standIn.host,
    GHE_PROTOCOL: "http",
    LOG_FORMAT: "json",
    LOG_LEVEL: "info",
    ...extraEnv,
  };
  const argv = [...(options.nodeArgs ?? []), ...(options.server !== undefined ? [options.server] : ["--import", TSX_LOADER, SERVER_TS])];
  const proc = spawn(process.execPath, argv, { env, cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
  const logs: Record<string, unknown>[] = [];
  let buffered = "";
  const onData = (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    let nl: number;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ msg: line, notJson: true });
      }
    }
  };
  proc.stdout!.on("data", onData);
  proc.stderr!.on("data", onData);
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}: ${JSON.stringify(logs.slice(-5))}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/ping`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`server did not answer /ping within 30 s: ${JSON.stringify(logs.slice(-5))}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    port,
    logs,
    proc,
    async deliver(name, payload, options = {}) {
      const body = options.rawBody ?? JSON.stringify(payload);
      const headers: Record<string, string> = {
        "content-type": "application/json",
        "x-github-event": name,
        "x-github-delivery": options.id ?? randomUUID(),
        "user-agent": "GitHub-Hookshot/e2e",
      };
      const signature = options.signature === undefined ? sign(body) : options.signature;
      if (signature !== null) headers["x-hub-signature-256"] = signature;
      const started = performance.now();
      const r = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, { method: "POST", headers, body });
      const text = await r.text();
      return { status: r.status, body: text, ms: performance.now() - started };
    },
    async stop(signal: NodeJS.Signals = "SIGTERM") {
      if (proc.exitCode !== null) return proc.exitCode;
      proc.kill(signal);
      const timer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
