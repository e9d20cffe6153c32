// A real redis-server for the tests that need one: started on a free loopback port in a temporary
// directory, nothing saved to disk, stopped at the end. A test that needs it fails (never skips)
// when it cannot start: `.ci/run` installs Debian's redis-server where it is missing.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../e2e/harness.js";

export interface RedisServer {
  port: number;
  url: string;
  proc: ChildProcess;
  /** Stop it (SIGKILL when `hard`: a crash, not a shutdown); resolves once the process is gone. */
  stop(hard?: boolean): Promise<void>;
  /** Start it again on the same port (after stop), empty. */
  restart(): Promise<void>;
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "rr-redis-"));
  let proc: ChildProcess;
  const launch = async () => {
    mkdirSync(dir, { recursive: true });
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no", "--loglevel", "warning"];
    proc = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    proc.stdout!.on("data", (c: Buffer) => (output += c.toString()));
    proc.stderr!.on("data", (c: Buffer) => (output += c.toString()));
    const failed = new Promise<string>((resolve) => {
      proc.once("error", (err) => resolve(err.message));
      proc.once("exit", (code) => resolve(`exited with ${code}`));
    });
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (await listening(port)) return;
      const why = await Promise.race([failed, new Promise<undefined>((r) => setTimeout(() => r(undefined), 50))]);
      if (why !== undefined || Date.now() > deadline) {
        proc.kill("SIGKILL");
        throw new Error(
          `cannot start redis-server (${why ?? "not listening after 10 s"}): install it (Debian: apt-get install redis-server). ${output.trim()}`,
        );
      }
    }
  };
  await launch();
  const stop = async (hard = false) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    proc.kill(hard ? "SIGKILL" : "SIGTERM");
    await gone;
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get proc() {
      return proc;
    },
    async stop(hard = false) {
      await stop(hard);
      rmSync(dir, { recursive: true, force: true });
    },
    restart: launch,
  };
}
