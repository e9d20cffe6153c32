// Recovery of webhook deliveries that failed while the server was down or refused them (503 with
// Redis away): GitHub does not redeliver by itself, but lists the app's deliveries
// (GET /app/hook/deliveries, newest first, paged by cursor in the Link header) and redelivers one
// on request (POST /app/hook/deliveries/{id}/attempts). Both need the app's JWT.
//
// A delivery is identified by its GUID across attempts (a redelivery keeps the GUID and has
// redelivery: true). A GUID is redelivered when none of its attempts in the listing succeeded
// (2xx): one that was redelivered and then succeeded is skipped, so a second run does nothing new.

import { createSign } from "node:crypto";

/** The fields of GitHub's hook-delivery-item used here. */
export interface HookDelivery {
  id: number;
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  status: string;
  status_code: number;
  event: string;
  action: string | null;
}

/** A JWT for the app (RS256, valid 9 minutes, issued a minute in the past against clock drift), as GitHub asks. */
export function appJwt(appId: number, privateKeyPem: string, now: Date = new Date()): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const iat = Math.floor(now.getTime() / 1000) - 60;
  const body = `${b64({ alg: "RS256", typ: "JWT" })}.${b64({ iat, exp: iat + 600, iss: appId })}`;
  const signature = createSign("RSA-SHA256").update(body).sign(privateKeyPem).toString("base64url");
  return `${body}.${signature}`;
}

const succeeded = (d: HookDelivery) => d.status_code >= 200 && d.status_code < 300;

export interface RedeliveryChoice {
  /** The latest attempt of each GUID to redeliver, oldest first. */
  redeliver: HookDelivery[];
  /** GUIDs that failed at first and succeeded on a later attempt: nothing to do. */
  recovered: number;
  /** Attempts looked at (those delivered at or after `since`). */
  seen: number;
}

/** Which deliveries to redeliver, from a listing of deliveries delivered at or after `since`. */
export function chooseRedeliveries(deliveries: readonly HookDelivery[], since: Date): RedeliveryChoice {
  const recent = deliveries.filter((d) => Date.parse(d.delivered_at) >= since.getTime());
  const byGuid = new Map<string, HookDelivery[]>();
  for (const d of recent) byGuid.set(d.guid, [...(byGuid.get(d.guid) ?? []), d]);
  const redeliver: HookDelivery[] = [];
  let recovered = 0;
  for (const attempts of byGuid.values()) {
    if (attempts.some(succeeded)) {
      if (attempts.some((d) => !succeeded(d))) recovered += 1;
      continue;
    }
    redeliver.push(attempts.reduce((a, b) => (Date.parse(b.delivered_at) > Date.parse(a.delivered_at) ? b : a)));
  }
  redeliver.sort((a, b) => Date.parse(a.delivered_at) - Date.parse(b.delivered_at));
  return { redeliver, recovered, seen: recent.length };
}

/** The part of Octokit used: paging and plain requests. */
export interface DeliveryClient {
  paginate: {
    iterator(route: "GET /app/hook/deliveries", parameters: { per_page: number }): AsyncIterable<{ data: unknown }>;
  };
  request(route: "POST /app/hook/deliveries/{delivery_id}/attempts", parameters: { delivery_id: number }): Promise<unknown>;
}

/** The app's deliveries delivered at or after `since`: pages are read, newest first, until one reaches past it. */
export async function listDeliveries(client: DeliveryClient, since: Date): Promise<HookDelivery[]> {
  const out: HookDelivery[] = [];
  for await (const page of client.paginate.iterator("GET /app/hook/deliveries", { per_page: 100 })) {
    const items = page.data as HookDelivery[];
    out.push(...items);
    if (items.length === 0 || Date.parse(items[items.length - 1]!.delivered_at) < since.getTime()) break;
  }
  return out;
}

/** Parse --since: a duration back from `now` (90m, 2h, 3d) or a date-time (2026-12-07T09:00:00Z). */
export function parseSince(text: string, now: Date): Date | undefined {
  const m = /^(\d+)\s*(m|min|h|d)$/.exec(text.trim());
  if (m) {
    const unit = { m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "m" | "min" | "h" | "d"];
    return new Date(now.getTime() - Number(m[1]) * unit);
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(text.trim())) return undefined;
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : new Date(t);
}
