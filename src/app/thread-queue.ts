// Deliveries of one pull request or issue handled one after the other within a process. Each
// delivery reads the thread, decides, then writes; two at once (GitHub's "Redeliver" pressed
// while the first attempt runs, or two events of one thread) would both read the state before
// either wrote, and both write: the review request twice, two check runs on the head. In turn,
// the second reads what the first wrote and writes only what is still missing. Replicas converge
// through what they read on GitHub (see summary-writer.ts); this makes one process converge too.

/** Runs tasks one at a time per key, in arrival order; different keys run concurrently. */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Run `task` once every earlier task of `key` has settled; settles as `task` does. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const result = before.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    // The last task of a key removes it, so the map holds only threads with work in hand.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with a task running or waiting (for tests). */
  get size(): number {
    return this.tails.size;
  }
}

/** The thread a delivery is about: installation, repository and pull request or issue number; undefined for any other event. */
export function threadKey(payload: {
  installation?: { id?: number };
  repository?: { full_name?: string };
  pull_request?: { number?: number };
  issue?: { number?: number };
}): string | undefined {
  const number = payload.pull_request?.number ?? payload.issue?.number;
  if (number === undefined || !payload.repository?.full_name) return undefined;
  return `${payload.installation?.id ?? ""}:${payload.repository.full_name.toLowerCase()}#${number}`;
}
