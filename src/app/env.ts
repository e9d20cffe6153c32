// The server's one environment loader and its start-up checks. `.env` only fills in what the
// environment does not already hold: a value set in the shell (or by the container) always wins.
// Probot's run() would assign `.env` over process.env a second time; server.ts undoes that.

import { createPrivateKey } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseEnv } from "node:util";

/** Probot's webhook secret when none is configured: anyone can sign with it. */
export const PROBOT_DEFAULT_SECRET = "development";

/** A start-up refusal: one line saying what is wrong and what to do. */
export class StartupError extends Error {
  override name = "StartupError";
}

const ASSIGNMENT = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/;

/**
 * Check the `KEY=value` lines of an env file, then parse it as Node (and Probot) do. Node's parser
 * skips lines it does not understand; a typo there would silently drop a setting, so it is refused.
 * Messages name the line, never its value (it may be a secret).
 */
export function parseEnvFile(text: string, file: string): Record<string, string> {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = ASSIGNMENT.exec(line);
    if (!m) {
      throw new StartupError(`${file}:${i + 1}: error: this line is not KEY=value (comments start with #); fix or remove it`);
    }
    const value = m[2]!;
    const quote = value[0];
    if (quote !== '"' && quote !== "'" && quote !== "`") continue;
    if (value.indexOf(quote, 1) > 0) continue;
    // A quoted value may span lines (a PEM key); it must be closed further down.
    const start = i;
    do i++;
    while (i < lines.length && !lines[i]!.includes(quote));
    if (i >= lines.length) {
      const where = `${file}:${start + 1}: error: ${m[1]}`;
      throw new StartupError(`${where}: the value opened with ${quote} is never closed; add the closing ${quote}`);
    }
  }
  return parseEnv(text) as Record<string, string>;
}

/**
 * Load `file` into `env` without overriding anything `env` already holds. Returns the names it
 * set; a missing file sets nothing; an unreadable or malformed one is a StartupError.
 */
export function loadEnvFile(file: string, env: NodeJS.ProcessEnv = process.env): string[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new StartupError(`${file}: error: cannot read it (${(err as Error).message}); fix its permissions or remove it`);
  }
  const set: string[] = [];
  for (const [key, value] of Object.entries(parseEnvFile(text, file))) {
    if (env[key] !== undefined) continue;
    env[key] = value;
    set.push(key);
  }
  return set;
}

/** Make `env` hold exactly `snapshot` again (used after Probot's run() re-applied `.env`). */
export function restoreEnv(env: NodeJS.ProcessEnv, snapshot: Record<string, string | undefined>): void {
  for (const key of Object.keys(env)) if (!(key in snapshot)) delete env[key];
  for (const [key, value] of Object.entries(snapshot)) if (value !== undefined) env[key] = value;
}

const PEM_KINDS = ["RSA PRIVATE KEY", "PRIVATE KEY"];

/** The PEM text of a key written as Probot accepts it: as is, with `\n` escapes, on one line, or base64. */
function normalisePem(raw: string): string {
  let key = raw.trim();
  if (!key.includes("-----BEGIN") && Buffer.from(key, "base64").toString("base64") === key) {
    key = Buffer.from(key, "base64").toString("utf8");
  }
  key = key.replace(/\\n/g, "\n");
  for (const kind of PEM_KINDS) {
    const begin = `-----BEGIN ${kind}-----`;
    const end = `-----END ${kind}-----`;
    if (key.startsWith(begin) && key.endsWith(end) && !key.includes("\n")) {
      const body = key
        .slice(begin.length, key.length - end.length)
        .trim()
        .replace(/\s+/g, "\n");
      key = `${begin}\n${body}\n${end}`;
    }
  }
  return key;
}

/** Why this text is not a usable private key, or undefined when it is one. */
function pemProblem(raw: string): string | undefined {
  const key = normalisePem(raw);
  if (!PEM_KINDS.some((k) => key.includes(`-----BEGIN ${k}-----`) && key.includes(`-----END ${k}-----`))) {
    return (
      "it is not a PEM private key (expected the whole .pem file GitHub gave you, " +
      "from -----BEGIN RSA PRIVATE KEY----- to the END line)"
    );
  }
  try {
    createPrivateKey(key);
  } catch (err) {
    return `its PEM block does not parse as a private key (${(err as Error).message}); download a new key from the app's settings`;
  }
  return undefined;
}

const set = (v: string | undefined): v is string => v !== undefined && v.trim() !== "";

/** Whether Probot finds a private key: PRIVATE_KEY, PRIVATE_KEY_PATH, or a .pem file in the working directory. */
function hasPrivateKey(env: NodeJS.ProcessEnv, cwd: string): boolean {
  if (set(env.PRIVATE_KEY) || set(env.PRIVATE_KEY_PATH)) return true;
  try {
    return readdirSync(cwd).some((f) => f.endsWith(".pem"));
  } catch {
    return false;
  }
}

/**
 * What is wrong with the app's APP_ID and private key as given, if anything: what the server and
 * `redeliver` (which signs as the app but receives no deliveries, so needs no webhook secret) share.
 */
export function credentialProblem(env: NodeJS.ProcessEnv, cwd: string = process.cwd()): string | undefined {
  if (set(env.APP_ID) && !/^[1-9][0-9]*$/.test(env.APP_ID.trim())) {
    return "APP_ID is not a number: set it to the App ID shown on the GitHub App's settings page.";
  }
  if (set(env.PRIVATE_KEY)) {
    const problem = pemProblem(env.PRIVATE_KEY);
    if (problem) return `PRIVATE_KEY is wrong: ${problem}.`;
  } else if (set(env.PRIVATE_KEY_PATH)) {
    const file = resolve(cwd, env.PRIVATE_KEY_PATH);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (err as Error).message;
      return `PRIVATE_KEY_PATH is wrong: cannot read ${file} (${why}); point it at the app's .pem file.`;
    }
    const problem = pemProblem(text);
    if (problem) return `PRIVATE_KEY_PATH is wrong: ${file}: ${problem}.`;
  }
  return undefined;
}

/**
 * Why the server must not start with this environment, or undefined when it may. `cwd` resolves a
 * relative PRIVATE_KEY_PATH as Probot does.
 */
export function startupProblem(env: NodeJS.ProcessEnv, cwd: string = process.cwd()): string | undefined {
  const production = env.NODE_ENV === "production";
  const credentials = credentialProblem(env, cwd);
  if (credentials) return credentials;
  const setSecret = "Set WEBHOOK_SECRET to the webhook secret of the GitHub App's settings.";
  if (!production) {
    // Probot serves its setup page without an App ID or a key; with both it runs the app, and
    // without a secret it would check deliveries against its public default, which anyone can sign with.
    if (!set(env.APP_ID) || !hasPrivateKey(env, cwd) || set(env.WEBHOOK_SECRET)) return undefined;
    const state = env.WEBHOOK_SECRET === undefined ? "not set" : "empty";
    return `WEBHOOK_SECRET is ${state}: without it Probot would accept deliveries signed with its public "${PROBOT_DEFAULT_SECRET}" secret. ${setSecret}`;
  }
  if (!set(env.APP_ID)) return "APP_ID is not set: in production the app needs its App ID (from the GitHub App's settings page).";
  if (!set(env.PRIVATE_KEY) && !set(env.PRIVATE_KEY_PATH)) {
    return (
      "neither PRIVATE_KEY nor PRIVATE_KEY_PATH is set: " +
      "in production the app needs its private key (the .pem file from the app's settings)."
    );
  }
  if (env.WEBHOOK_SECRET === undefined) return `WEBHOOK_SECRET is not set: in production every delivery must be signed. ${setSecret}`;
  if (env.WEBHOOK_SECRET.trim() === "") return `WEBHOOK_SECRET is empty: in production every delivery must be signed. ${setSecret}`;
  if (env.WEBHOOK_SECRET === PROBOT_DEFAULT_SECRET) {
    return `WEBHOOK_SECRET is "${PROBOT_DEFAULT_SECRET}", Probot's public default: anyone could sign deliveries. ${setSecret}`;
  }
  return undefined;
}

/**
 * The app's private key as PEM, from PRIVATE_KEY or PRIVATE_KEY_PATH (relative to `cwd`), or
 * undefined when neither is set. startupProblem says first whether it is usable.
 */
export function privateKeyFromEnv(env: NodeJS.ProcessEnv, cwd: string = process.cwd()): string | undefined {
  if (set(env.PRIVATE_KEY)) return normalisePem(env.PRIVATE_KEY);
  if (set(env.PRIVATE_KEY_PATH)) return normalisePem(readFileSync(resolve(cwd, env.PRIVATE_KEY_PATH), "utf8"));
  return undefined;
}
