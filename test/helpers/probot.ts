// A real Probot instance running review-router, for tests that talk to a nock-mocked GitHub.

import { generateKeyPairSync, randomUUID } from "node:crypto";
import { Probot, ProbotOctokit } from "probot";
import { createApp, type AppOptions } from "../../src/app/index.js";

export const APP_ID = 123;
export const INSTALLATION_ID = 2;

// Generated once per test file run; no private key is ever committed.
const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

// No retries or throttling: every mocked response is final and tests do not wait. A function,
// not an object: Probot layers its own throttle options (without `enabled`) over an object's, which
// would switch throttling back on and space writes a second apart.
const TestOctokit = ProbotOctokit.defaults((options: { throttle?: object }) => ({
  ...options,
  retry: { enabled: false },
  throttle: { ...options.throttle, enabled: false },
}));

/**
 * A new Probot with the app loaded. Probot caches installation tokens per instance, so each test
 * starts one and mocks the token request once.
 */
export async function startApp(options: Omit<AppOptions, "appId"> = {}): Promise<Probot> {
  const probot = new Probot({ appId: APP_ID, privateKey, Octokit: TestOctokit, logLevel: "fatal" });
  await probot.load(createApp({ appId: APP_ID, ...options }));
  return probot;
}

type WebhookEvent = Parameters<Probot["receive"]>[0];

/** Deliver one webhook event as GitHub would (a fresh delivery id each time). */
export async function deliver(probot: Probot, name: "pull_request" | "issues" | "issue_comment" | "push", payload: object): Promise<void> {
  await probot.receive({ id: randomUUID(), name, payload } as unknown as WebhookEvent);
}
