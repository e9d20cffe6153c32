// The server logger's adjustments (src/app/log.ts): /ping at debug, a bad signature as one warning.

import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { logFormat, logMethod, startupFailureLine } from "../../src/app/log.js";

function capture(level = "info") {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level, hooks: { logMethod } }, sink), lines };
}

function signatureFailure(): AggregateError {
  const inner = Object.assign(new Error("[@octokit/webhooks] signature does not match event payload and secret"), { status: 400 });
  return new AggregateError([inner], inner.message);
}

describe("logMethod", () => {
  it("logs a successful /ping at debug, other requests at info", () => {
    const info = capture("info");
    info.log.info({ res: { statusCode: 200 } }, "GET /ping 200 - 1ms");
    info.log.info({ res: { statusCode: 200 } }, "POST /api/github/webhooks 200 - 5ms");
    expect(info.lines.map((l) => l.msg)).toEqual(["POST /api/github/webhooks 200 - 5ms"]);
    const debug = capture("debug");
    debug.log.info("GET /ping 200 - 1ms");
    expect(debug.lines.map((l) => [l.level, l.msg])).toEqual([[20, "GET /ping 200 - 1ms"]]);
  });

  it("turns a signature failure, logged twice, into one warning without a stack", () => {
    const { log, lines } = capture();
    const err = signatureFailure();
    log.error(err);
    log.error(err, "Go to https://github.com/settings/apps/YOUR_APP and verify the secret");
    expect(lines).toHaveLength(1);
    expect(lines[0]!.level).toBe(40);
    expect(String(lines[0]!.msg)).toContain("signature does not match WEBHOOK_SECRET");
    expect(JSON.stringify(lines[0])).not.toContain("stack");
  });

  it("leaves other errors alone", () => {
    const { log, lines } = capture();
    log.error(new Error("boom"), "failed");
    expect(lines).toHaveLength(1);
    expect(lines[0]!.level).toBe(50);
    expect((lines[0]!.err as { message: string }).message).toBe("boom");
  });
});

describe("logFormat and startupFailureLine", () => {
  it("are JSON in production unless LOG_FORMAT=pretty, plain otherwise", () => {
    expect(logFormat({ NODE_ENV: "production" })).toBe("json");
    expect(logFormat({ NODE_ENV: "production", LOG_FORMAT: "pretty" })).toBe("pretty");
    expect(logFormat({})).toBe("pretty");
    expect(logFormat({ LOG_FORMAT: "json" })).toBe("json");
    const line = JSON.parse(startupFailureLine({ NODE_ENV: "production" }, "X is wrong")) as Record<string, unknown>;
    expect([line.level, line.msg]).toEqual([60, "cannot start: X is wrong"]);
    expect(startupFailureLine({}, "X is wrong")).toBe("review-router: cannot start: X is wrong");
  });
});
