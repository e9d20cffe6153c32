// The per-thread queue: one task at a time per key, in arrival order, keys independent, a failed
// task does not stop the next, and a key is forgotten once its tasks are done.

import { describe, expect, it } from "vitest";
import { KeyedQueue, threadKey } from "../../src/app/thread-queue.js";

/** A task that records its start and end, and finishes when `release` is called. */
function gate(log: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return {
    release: () => release(),
    task: async () => {
      log.push(`${name} start`);
      await done;
      log.push(`${name} end`);
      return name;
    },
  };
}

describe("KeyedQueue", () => {
  it("runs one task of a key at a time, in arrival order; another key runs meanwhile", async () => {
    const q = new KeyedQueue();
    const log: string[] = [];
    const a1 = gate(log, "a1");
    const a2 = gate(log, "a2");
    const b1 = gate(log, "b1");
    const first = q.run("a", a1.task);
    const second = q.run("a", a2.task);
    const other = q.run("b", b1.task);
    await new Promise((r) => setTimeout(r, 10));
    expect(log).toEqual(["a1 start", "b1 start"]);
    b1.release();
    await other;
    expect(log).toEqual(["a1 start", "b1 start", "b1 end"]);
    a2.release(); // released early, but waits for a1
    await new Promise((r) => setTimeout(r, 10));
    expect(log).not.toContain("a2 start");
    a1.release();
    expect(await first).toBe("a1");
    expect(await second).toBe("a2");
    expect(log.slice(3)).toEqual(["a1 end", "a2 start", "a2 end"]);
    await new Promise((r) => setTimeout(r, 0));
    expect(q.size).toBe(0);
  });

  it("a task that fails rejects its own caller only; the next task of the key still runs", async () => {
    const q = new KeyedQueue();
    const failed = q.run("a", async () => {
      throw new Error("boom");
    });
    const next = q.run("a", async () => "ran");
    await expect(failed).rejects.toThrow("boom");
    expect(await next).toBe("ran");
  });
});

describe("threadKey", () => {
  it("names the installation, repository and number of a pull request or issue event; none for others", () => {
    const repository = { full_name: "Acme/Widgets" };
    expect(threadKey({ installation: { id: 5 }, repository, pull_request: { number: 7 } })).toBe("5:acme/widgets#7");
    expect(threadKey({ installation: { id: 5 }, repository, issue: { number: 7 } })).toBe("5:acme/widgets#7");
    expect(threadKey({ installation: { id: 5 }, repository })).toBeUndefined();
  });
});
