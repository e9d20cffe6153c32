// A pull request's state as the planner reads it: nothing on it yet, unless a test says otherwise.

import type { ThreadFacts } from "../../src/core/plan.js";

export function threadFacts(over: Partial<ThreadFacts> = {}): ThreadFacts {
  return {
    labels: new Set(),
    labelsAddedByApp: new Set(),
    labelsRemovedByHuman: new Set(),
    requestedUsers: [],
    requestedTeams: [],
    requestRemovedByHuman: [],
    reviewedBy: [],
    ...over,
  };
}
