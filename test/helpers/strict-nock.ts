// nock with the network closed, for every test that mocks GitHub: after each test, no request
// went unmatched and every mocked request was made. `expectAllUsed` checks the same mid-test,
// between two deliveries.
import nock from "nock";
import { afterEach, beforeEach, expect } from "vitest";

export interface StrictNock {
  /** Requests no mock matched during the current test, as "METHOD path". */
  readonly unmatched: readonly string[];
  /** Mid-test: everything mocked so far was requested, and nothing else. */
  expectAllUsed(): void;
}

export function useStrictNock(): StrictNock {
  const unmatched: string[] = [];
  const onNoMatch = (req: { method?: string; path?: string }) => unmatched.push(`${req.method ?? "?"} ${req.path ?? "?"}`);
  const expectAllUsed = () => {
    expect(unmatched, "requests no mock expected").toEqual([]);
    expect(nock.pendingMocks(), "mocked requests never made").toEqual([]);
  };
  beforeEach(() => {
    nock.disableNetConnect();
    unmatched.length = 0;
    nock.emitter.on("no match", onNoMatch);
  });
  afterEach(() => {
    try {
      expectAllUsed();
    } finally {
      nock.emitter.removeListener("no match", onNoMatch);
      nock.cleanAll();
      nock.enableNetConnect(); // later tests in the file may serve on loopback themselves
    }
  });
  return { unmatched, expectAllUsed };
}
