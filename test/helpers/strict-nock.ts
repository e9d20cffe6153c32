// nock with the network closed, for tests that mock GitHub themselves: after each test, no request
// went unmocked and every mocked request was made.
import nock from "nock";
import { afterEach, beforeEach, expect } from "vitest";

export function useStrictNock(): void {
  const unmatched: string[] = [];
  const onNoMatch = (req: { method?: string; path?: string }) => unmatched.push(`${req.method} ${req.path}`);
  beforeEach(() => {
    nock.disableNetConnect();
    unmatched.length = 0;
    nock.emitter.on("no match", onNoMatch);
  });
  afterEach(() => {
    try {
      expect(unmatched, "requests no mock expected").toEqual([]);
      expect(nock.pendingMocks(), "mocked requests never made").toEqual([]);
    } finally {
      nock.emitter.removeListener("no match", onNoMatch);
      nock.cleanAll();
    }
  });
}
