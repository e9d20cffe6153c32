// Choosing deliveries to redeliver (src/app/redeliver.ts): by GUID across attempts, --since,
// the app JWT, and reading the listing page by page (cursor in the Link header) until it reaches
// past --since, against the stand-in. The command end to end: test/e2e/redeliver.e2e.test.ts.

import { createPublicKey, createVerify } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appJwt, chooseRedeliveries, listDeliveries, parseSince, type DeliveryClient, type HookDelivery } from "../../src/app/redeliver.js";
import { restOctokit } from "../../src/app/rest.js";
import { GitHubStandIn, type HookDeliveryRecord } from "../e2e/github-stand-in.js";
import { APP_ID, generatePrivateKey } from "../e2e/harness.js";

const NOW = new Date("2026-12-07T12:00:00Z");
let nextId = 1;
function attempt(guid: string, minutesAgo: number, statusCode: number, redelivery = false): HookDelivery {
  return {
    id: nextId++,
    guid,
    delivered_at: new Date(NOW.getTime() - minutesAgo * 60_000).toISOString(),
    redelivery,
    status: statusCode === 0 ? "failed to connect to host" : "OK",
    status_code: statusCode,
    event: "pull_request",
    action: "opened",
  };
}

describe("chooseRedeliveries", () => {
  it("redelivers the latest attempt of each GUID that never succeeded, oldest first, within --since", () => {
    const list = [
      attempt("ok", 10, 200),
      attempt("down-twice", 50, 0),
      attempt("down-twice", 20, 503, true),
      attempt("down-once", 40, 0),
      attempt("recovered", 30, 0),
      attempt("recovered", 5, 202, true),
      attempt("too-old", 200, 0),
    ];
    const choice = chooseRedeliveries(list, parseSince("2h", NOW)!);
    expect(choice.redeliver.map((d) => [d.guid, d.status_code, d.redelivery])).toEqual([
      ["down-once", 0, false],
      ["down-twice", 503, true],
    ]);
    expect(choice.recovered).toBe(1);
    expect(choice.seen).toBe(6);
  });

  it("finds nothing to do when every GUID has a successful attempt", () => {
    expect(
      chooseRedeliveries([attempt("a", 1, 200), attempt("b", 2, 0), attempt("b", 1, 200, true)], parseSince("1h", NOW)!).redeliver,
    ).toEqual([]);
  });
});

describe("parseSince", () => {
  it("reads a duration back from now or a date-time, and nothing else", () => {
    expect(parseSince("90m", NOW)!.toISOString()).toBe("2026-12-07T10:30:00.000Z");
    expect(parseSince("2h", NOW)!.toISOString()).toBe("2026-12-07T10:00:00.000Z");
    expect(parseSince("3d", NOW)!.toISOString()).toBe("2026-12-04T12:00:00.000Z");
    expect(parseSince("2026-12-07T09:00:00Z", NOW)!.toISOString()).toBe("2026-12-07T09:00:00.000Z");
    for (const bad of ["2", "2 weeks", "yesterday", "2026-13-45"]) expect(parseSince(bad, NOW)).toBeUndefined();
  });
});

describe("appJwt", () => {
  it("is an RS256 JWT issued by the app a minute back, valid ten minutes, signed with its key", () => {
    const key = generatePrivateKey();
    const [header, body, signature] = appJwt(42, key, NOW).split(".");
    expect(JSON.parse(Buffer.from(header!, "base64url").toString())).toEqual({ alg: "RS256", typ: "JWT" });
    const iat = NOW.getTime() / 1000 - 60;
    expect(JSON.parse(Buffer.from(body!, "base64url").toString())).toEqual({ iat, exp: iat + 600, iss: 42 });
    const ok = createVerify("RSA-SHA256").update(`${header}.${body}`).verify(createPublicKey(key), Buffer.from(signature!, "base64url"));
    expect(ok).toBe(true);
  });
});

describe("listDeliveries", () => {
  const gh = new GitHubStandIn(APP_ID);
  beforeAll(() => gh.start());
  afterAll(() => gh.stop());

  it("reads page after page through the Link header's cursor, and stops at the first page reaching past --since", async () => {
    const record = (i: number, at: Date): HookDeliveryRecord => ({
      ...attempt(`guid-${i}`, 0, 0),
      id: 5000 + i,
      delivered_at: at.toISOString(),
      duration: 0,
      installation_id: 1,
      repository_id: 1,
      body: "{}",
    });
    const now = new Date();
    // 150 from last week, then 130 from the last minutes: the listing is newest first.
    for (let i = 0; i < 150; i++) gh.hook.deliveries.push(record(i, new Date(now.getTime() - 7 * 86_400_000)));
    for (let i = 150; i < 280; i++) gh.hook.deliveries.push(record(i, new Date(now.getTime() - 60_000)));
    const client = restOctokit(appJwt(APP_ID, generatePrivateKey()), `http://${gh.host}/api/v3`) as unknown as DeliveryClient;
    const listed = await listDeliveries(client, new Date(now.getTime() - 3_600_000));
    expect(listed).toHaveLength(200);
    expect(listed.filter((d) => Date.parse(d.delivered_at) > now.getTime() - 3_600_000)).toHaveLength(130);
    const pages = gh.requests.filter((q) => q.path === "/app/hook/deliveries");
    expect(pages.map((q) => q.query.cursor ?? "")).toEqual(["", "5179"]);
  });
});
