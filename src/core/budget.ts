// A CPU budget for one delivery's routing. The core cannot be interrupted while it runs (one
// event loop serves every installation), so it checks a deadline as it goes and gives up with
// BudgetExceeded; the adapter reports that on the pull request and serves the next delivery.
// The clock is passed in, so the core stays pure and tests can drive it.

/** Wall time one delivery may spend routing, in milliseconds. The one place this limit is set. */
export const ROUTING_BUDGET_MS = 200;

export interface Deadline {
  /** Milliseconds on any monotonic clock. */
  now: () => number;
  /** When `now()` passes this, the work stops. */
  at: number;
  /** What the budget is, for the message: "200 ms of routing". */
  limit: string;
}

export class BudgetExceeded extends Error {
  readonly limit: string;
  /** What was being done when the budget ran out. */
  readonly during: string;
  constructor(limit: string, during: string) {
    super(`the routing budget (${limit}) was exceeded while ${during}`);
    this.name = "BudgetExceeded";
    this.limit = limit;
    this.during = during;
  }
}

/** A deadline `ms` from now on `now`'s clock. */
export function deadlineIn(ms: number, now: () => number): Deadline {
  return { now, at: now() + ms, limit: `${ms} ms of routing` };
}

/** Throw BudgetExceeded when the deadline has passed; `during` says what was cut off. */
export function checkDeadline(deadline: Deadline | undefined, during: () => string): void {
  if (deadline && deadline.now() > deadline.at) throw new BudgetExceeded(deadline.limit, during());
}
