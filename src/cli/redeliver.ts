// `review-router redeliver --since 2h [--apply]`: list the app's webhook deliveries that failed
// (server stopped, or 503 while Redis was away) and, with --apply, ask GitHub to deliver them again.
// Uses the server's own credentials (APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, GHE_HOST), from the
// environment or a .env file in the working directory, as `npm start` reads them.

import { join } from "node:path";
import { parseArgs } from "node:util";
import { credentialProblem, loadEnvFile, privateKeyFromEnv } from "../app/env.js";
import { appJwt, chooseRedeliveries, listDeliveries, parseSince, type DeliveryClient, type HookDelivery } from "../app/redeliver.js";
import { DEFAULT_API_URL, describeGitHubError, restOctokit } from "../app/rest.js";
import { EXIT, type CliIO } from "./io.js";

export const REDELIVER_HELP = `Usage: review-router redeliver --since DURATION|DATE [--apply]

List the GitHub App's webhook deliveries that failed since then (the server was stopped, or
answered 503 while Redis was unreachable) and were not delivered since, and with --apply ask
GitHub to deliver each again. A delivery that a later attempt delivered is left alone, so a
second run does nothing new. GitHub keeps deliveries for 3 days.

Options:
  --since D    how far back: 90m, 2h, 3d, or a date-time such as 2026-12-07T09:00:00Z
  --apply      ask GitHub to redeliver them (without it, only list them)
  -h, --help   show this help

Environment (as for the server; a .env in the working directory fills in what is not set):
  APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH   the app's credentials (the requests use its JWT)
  GHE_HOST, GHE_PROTOCOL                    GitHub Enterprise (else GITHUB_API_URL, else ${DEFAULT_API_URL})
`;

function line(d: HookDelivery): string {
  const event = d.action ? `${d.event}.${d.action}` : d.event;
  return `  ${d.guid}  ${event}  ${d.delivered_at}  ${d.status} (${d.status_code})`;
}

export async function redeliverCommand(args: string[], io: CliIO, env: NodeJS.ProcessEnv = process.env, now = new Date()): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        since: { type: "string" },
        apply: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (err) {
    io.stderr(`review-router: ${(err as Error).message}\n\n${REDELIVER_HELP}`);
    return EXIT.usage;
  }
  if (values.help) {
    io.stdout(REDELIVER_HELP);
    return EXIT.ok;
  }
  const since = values.since === undefined ? undefined : parseSince(values.since, now);
  if (!since) {
    const given = values.since === undefined ? "" : `, not "${values.since}"`;
    io.stderr(`review-router: redeliver needs --since 90m, 2h, 3d or a date-time${given}\n\n${REDELIVER_HELP}`);
    return EXIT.usage;
  }
  const cwd = io.cwd ?? process.cwd();
  const settings = { ...env };
  try {
    loadEnvFile(join(cwd, ".env"), settings);
  } catch (err) {
    io.stderr(`review-router: ${(err as Error).message}\n`);
    return EXIT.problems;
  }
  // Only the app's credentials: redeliver receives no deliveries, so it needs no webhook secret.
  const problem = credentialProblem(settings, cwd);
  const key = problem ? undefined : privateKeyFromEnv(settings, cwd);
  const appId = Number(settings.APP_ID);
  if (problem || !key || !Number.isInteger(appId) || appId <= 0) {
    io.stderr(
      `review-router: ${problem ?? "redeliver needs the app's APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH), as the server does"}\n`,
    );
    return EXIT.problems;
  }
  const ghe = (settings.GHE_HOST ?? "").trim();
  const apiUrl = ghe ? `${settings.GHE_PROTOCOL || "https"}://${ghe}/api/v3` : (settings.GITHUB_API_URL ?? "").trim() || DEFAULT_API_URL;
  const client = restOctokit(appJwt(appId, key, now), apiUrl) as unknown as DeliveryClient;
  let choice;
  try {
    choice = chooseRedeliveries(await listDeliveries(client, since), since);
  } catch (err) {
    io.stderr(`review-router: ${describeGitHubError(err, "the app's webhook deliveries", apiUrl)}\n`);
    return EXIT.problems;
  }
  const { redeliver, recovered, seen } = choice;
  const window = `since ${since.toISOString()}`;
  io.stdout(
    `${seen} deliveries ${window}; ${recovered} failed and were delivered later; ${redeliver.length} failed and not delivered since\n`,
  );
  for (const d of redeliver) io.stdout(`${line(d)}\n`);
  if (redeliver.length === 0) return EXIT.ok;
  if (!values.apply) {
    io.stdout("Nothing was asked of GitHub; run again with --apply to redeliver them.\n");
    return EXIT.ok;
  }
  let failed = 0;
  for (const [i, d] of redeliver.entries()) {
    // A second between writes, as GitHub asks of apps.
    if (i > 0) await new Promise((r) => setTimeout(r, 1000));
    try {
      await client.request("POST /app/hook/deliveries/{delivery_id}/attempts", { delivery_id: d.id });
      io.stdout(`redelivery asked: ${d.guid}\n`);
    } catch (err) {
      failed += 1;
      io.stderr(`review-router: ${describeGitHubError(err, `the redelivery of ${d.guid}`, apiUrl)}\n`);
    }
  }
  io.stdout(`${redeliver.length - failed} of ${redeliver.length} redeliveries asked; GitHub sends each again shortly\n`);
  return failed > 0 ? EXIT.problems : EXIT.ok;
}
