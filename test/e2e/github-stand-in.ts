// A local stand-in for the GitHub REST API (served under /api/v3, as GitHub Enterprise is), for
// end-to-end and load tests on loopback. It keeps state (labels, review requests, timeline,
// comments, check runs, configuration files on the default branch, collaborators), answers the
// calls review-router makes the way GitHub does, records every request, and can be told to fail.

import { createHmac, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  answerGraphqlFrom,
  newGraphqlState,
  type GraphqlModel,
  type ModelCheckRun,
  type ModelCommit,
  type ModelPullRequest,
  type ModelRateLimit,
} from "./graphql-stand-in.js";

export interface RecordedRequest {
  method: string;
  /** Path without the /api/v3 prefix and without the query, e.g. /repos/pytorch/pytorch/issues/1/labels. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
  /** The installation the token belongs to, when the request carried one. */
  installation?: number;
  at: number;
}

export interface Fault {
  method: string;
  /** Matched against the recorded path. */
  path: RegExp;
  /** Answer with this status (and body/headers); or `hang` to never answer. */
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  hang?: boolean;
  /** How many matching requests fail; default 1. */
  times?: number;
  /** Carry the request out first, then fail the answer: GitHub did it, the app does not know. */
  applied?: boolean;
  /** Answer normally, but only after this many milliseconds (to line up racing handlers). */
  delayMs?: number;
}

interface TimelineEvent {
  event: string;
  id?: number;
  [key: string]: unknown;
}

interface Thread {
  labels: string[];
  requestedUsers: string[];
  requestedTeams: string[];
  timeline: TimelineEvent[];
  comments: { id: number; body: string; byApp: boolean }[];
  files: { filename: string; previous_filename?: string; status: string }[];
  /** The pull request's author and head commit, for GET pulls/{n}. */
}

/** A pull request's own fields (GET pulls/{n}), for clients that read it: the online CLI, the sweep, the Action. */
export interface PullInfo {
  author: string;
  draft?: boolean;
  state?: "open" | "closed";
  headSha?: string;
  /** The pull request's commits, oldest first, the head last (GraphQL `commits`); default: the head commit alone. */
  commits?: string[];
  title?: string;
  body?: string;
  /** ISO time the pull request was opened. */
  createdAt?: string;
  /** ISO time it was merged (GraphQL's MERGED state); left out: not merged. */
  mergedAt?: string;
  /** ISO time it last changed (GraphQL's UPDATED_AT order); default: when it was merged. */
  updatedAt?: string;
}

interface Repo {
  defaultBranch: string;
  pulls: Map<number, PullInfo>;
  /** Files on the default branch (path → text), e.g. .github/review-router.yml. */
  files: Map<string, string>;
  /** Logins that may be asked to review; empty set: everyone may. */
  collaborators: Set<string>;
  /** Slugs of the organisation's teams with access to the repository: only they may be asked to review. */
  teams: Set<string>;
  /** Role names (admin, maintain, write, triage, read) by login (lower case); absent: read. */
  roles: Map<string, string>;
  /** The app's reactions on the repository's comments: "commentId:content" → reaction id. */
  reactions: Map<string, number>;
  threads: Map<number, Thread>;
  /** The default branch's commits, newest first (GraphQL's `Commit.history`). */
  commits: ModelCommit[];
  checkRuns: {
    id: number;
    head_sha: string;
    name: string;
    status: string;
    conclusion: string | null;
    external_id: string | null;
    output: { title: string; summary: string };
  }[];
}

/** A webhook delivery the stand-in sent to the app (GitHub's hook-delivery-item), with what it sent. */
export interface HookDeliveryRecord {
  id: number;
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  duration: number;
  status: string;
  status_code: number;
  event: string;
  action: string | null;
  installation_id: number | null;
  repository_id: number | null;
  body: string;
}

const PREFIX = "/api/v3";

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(text);
}

export class GitHubStandIn {
  readonly appId: number;
  readonly requests: RecordedRequest[] = [];
  private readonly repos = new Map<string, Repo>();
  private readonly faults: Fault[] = [];
  /** What the GraphQL endpoint answers: users' statuses and open review requests (see graphql-stand-in.ts). */
  readonly graphql = newGraphqlState();
  /** What GraphQL's `rateLimit` answers; each GraphQL request spends its cost. Unset: always a full hour's points. */
  graphqlRateLimit?: ModelRateLimit;
  private readonly hanging = new Set<ServerResponse>();
  /** Requests each installation's token made, for x-ratelimit-remaining as GitHub sends it. */
  private readonly used = new Map<number, number>();
  static readonly RATE_LIMIT = 5000;
  /** The app's slug: its bot is "review-router[bot]" in REST and `viewer`, "review-router" as a GraphQL Bot actor. */
  static readonly APP_SLUG = "review-router";
  /** The app's webhook, as GitHub holds it: where deliveries go and the secret that signs them. */
  readonly hook = { url: "", secret: "", deliveries: [] as HookDeliveryRecord[] };
  private server?: Server;
  private nextId = 1000;
  port = 0;

  constructor(appId: number) {
    this.appId = appId;
  }

  async start(): Promise<number> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => json(res, 500, { message: String(err) }));
    });
    // Connections stay open between requests, as GitHub's do (stop() closes them). Node's fetch
    // drops a connection whose server keeps it less than 2 s, so a shorter keep-alive (it was 1 s)
    // made every request of the app open a new connection: a CPU cost GitHub does not impose.
    this.server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  repo(fullName: string): Repo {
    let repo = this.repos.get(fullName.toLowerCase());
    if (!repo) {
      repo = {
        defaultBranch: "main",
        pulls: new Map(),
        files: new Map(),
        collaborators: new Set(),
        teams: new Set(),
        roles: new Map(),
        reactions: new Map(),
        threads: new Map(),
        commits: [],
        checkRuns: [],
      };
      this.repos.set(fullName.toLowerCase(), repo);
    }
    return repo;
  }

  thread(fullName: string, number: number): Thread {
    const repo = this.repo(fullName);
    let t = repo.threads.get(number);
    if (!t) {
      t = { labels: [], requestedUsers: [], requestedTeams: [], timeline: [], comments: [], files: [] };
      repo.threads.set(number, t);
    }
    return t;
  }

  /** Make a pull request's changed files known. */
  setPullFiles(fullName: string, number: number, files: string[]): void {
    this.thread(fullName, number).files = files.map((filename) => ({ filename, status: "modified" }));
  }

  /** Make a pull request readable (GET pulls/{n}, the open list, GET issues/{n}) with its changed files. */
  setPull(fullName: string, number: number, info: PullInfo, files: string[]): void {
    this.repo(fullName).pulls.set(number, info);
    this.setPullFiles(fullName, number, files);
  }

  /** A review request made at `at` (ISO) by someone other than review-router, as the timeline records it. */
  requestReview(fullName: string, number: number, login: string, at: string): void {
    const t = this.thread(fullName, number);
    if (!t.requestedUsers.some((u) => u.toLowerCase() === login.toLowerCase())) t.requestedUsers.push(login);
    t.timeline.push({
      event: "review_requested",
      id: this.nextId++,
      created_at: at,
      requested_reviewer: { login },
      actor: { login: "someone", type: "User" },
    });
  }

  /** An approving review of a pull request by `login` at `at` (ISO), as the timeline records it. */
  approve(fullName: string, number: number, login: string, at: string): void {
    this.thread(fullName, number).timeline.push({
      event: "reviewed",
      id: this.nextId++,
      state: "approved",
      submitted_at: at,
      user: { login, type: "User" },
    });
  }

  private pullJson(fullName: string, number: number, p: PullInfo): Record<string, unknown> {
    const t = this.thread(fullName, number);
    return {
      number,
      state: p.state ?? "open",
      draft: p.draft ?? false,
      title: p.title ?? `Pull request ${number}`,
      body: p.body ?? "",
      user: { login: p.author, type: "User" },
      head: { sha: p.headSha ?? `sha-${number}`, ref: `branch-${number}` },
      base: { ref: this.repo(fullName).defaultBranch },
      created_at: p.createdAt ?? "2026-01-05T09:00:00Z",
      changed_files: t.files.length,
      labels: t.labels.map((name) => ({ name })),
      requested_reviewers: t.requestedUsers.map((login) => ({ login, type: "User" })),
      requested_teams: t.requestedTeams.map((slug) => ({ slug })),
    };
  }

  /** What the GraphQL endpoint answers from: every repository's pull requests and check runs, the viewer, the signals. */
  graphqlModel(): GraphqlModel {
    return {
      appId: this.appId,
      viewerLogin: `${GitHubStandIn.APP_SLUG}[bot]`,
      signals: this.graphql,
      // Unless a test sets one, every request finds the hour's points untouched.
      rateLimit: this.graphqlRateLimit ?? { limit: 5000, remaining: 5000, resetAt: new Date(Date.now() + 3600_000).toISOString() },
      // Built when a query first reads a repository's pull requests or check runs: a query reads one
      // repository, and building every repository's for each request cost more CPU than the app under load.
      repositories: [...this.repos].map(([fullName, repo]) => {
        const [owner, name] = fullName.split("/") as [string, string];
        let pullRequests: ModelPullRequest[] | undefined;
        let checkRuns: ModelCheckRun[] | undefined;
        const pulls = () => (pullRequests ??= this.modelPullRequests(fullName, repo));
        const runs = () => (checkRuns ??= repo.checkRuns.map((r) => ({ ...r, appId: this.appId })));
        return {
          owner,
          name,
          commits: repo.commits,
          get pullRequests() {
            return pulls();
          },
          get checkRuns() {
            return runs();
          },
        };
      }),
    };
  }

  private modelPullRequests(fullName: string, repo: Repo): ModelPullRequest[] {
    // A pull request is known once set (setPull) or once it has a thread (files, labels, timeline), as REST knows it.
    const numbers = new Set([...repo.pulls.keys(), ...repo.threads.keys()]);
    return [...numbers].map((number): ModelPullRequest => {
      const t = this.thread(fullName, number);
      const info = repo.pulls.get(number);
      const headSha = info?.headSha ?? `sha-${number}`;
      return {
        number,
        headSha,
        commits: info?.commits ?? [headSha],
        files: t.files,
        labels: t.labels,
        requestedUsers: t.requestedUsers,
        requestedTeams: t.requestedTeams,
        timeline: t.timeline,
        ...(info ? { author: info.author } : {}),
        ...(info?.mergedAt ? { mergedAt: info.mergedAt } : {}),
        ...(info?.state === "closed" && !info.mergedAt ? { closed: true } : {}),
        ...(info?.updatedAt ? { updatedAt: info.updatedAt } : {}),
      };
    });
  }

  /**
   * Deliver a webhook to hook.url as GitHub does (signed, X-GitHub-Delivery), and record the
   * attempt: its status code, or 0 and "failed to connect" when nothing answered.
   */
  async sendHook(event: string, body: string, guid: string = randomUUID(), redelivery = false): Promise<HookDeliveryRecord> {
    const payload = JSON.parse(body) as { action?: string; installation?: { id?: number }; repository?: { id?: number } };
    const started = Date.now();
    let status_code = 0;
    let status = "failed to connect to host";
    try {
      const r = await fetch(this.hook.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": event,
          "x-github-delivery": guid,
          "x-hub-signature-256": `sha256=${createHmac("sha256", this.hook.secret).update(body).digest("hex")}`,
          "user-agent": "GitHub-Hookshot/stand-in",
        },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      await r.text();
      status_code = r.status;
      status = r.ok ? "OK" : `Invalid HTTP Response: ${r.status}`;
    } catch {
      // nothing listening, or no answer in 10 s: GitHub records a failed delivery
    }
    const record: HookDeliveryRecord = {
      id: this.nextId++,
      guid,
      delivered_at: new Date(started).toISOString(),
      redelivery,
      duration: (Date.now() - started) / 1000,
      status,
      status_code,
      event,
      action: payload.action ?? null,
      installation_id: payload.installation?.id ?? null,
      repository_id: payload.repository?.id ?? null,
      body,
    };
    this.hook.deliveries.push(record);
    return record;
  }

  fail(fault: Fault): void {
    this.faults.push({ times: 1, ...fault });
  }

  /** Requests other than token requests, i.e. the ones review-router makes about repositories. */
  repoRequests(fullName?: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path.startsWith(fullName ? `/repos/${fullName}/` : "/repos/"));
  }

  writes(fullName?: string): RecordedRequest[] {
    return this.repoRequests(fullName).filter((r) => r.method !== "GET" && r.status < 400);
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const i = this.faults.findIndex((f) => f.method === method && f.path.test(path));
    if (i < 0) return undefined;
    const fault = this.faults[i]!;
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) this.faults.splice(i, 1);
    return fault;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Stamped as the request arrives, before its body is read: reading takes turns of this
    // process's event loop, which a busy load test delays, bunching the stamps of paced writes.
    const arrived = Date.now();
    const url = new URL(req.url ?? "/", "http://stand-in");
    const method = req.method ?? "GET";
    const path = url.pathname.startsWith(PREFIX) ? url.pathname.slice(PREFIX.length) : url.pathname;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    const auth = req.headers.authorization ?? "";
    const token = /^token tok-(\d+)$/.exec(auth);
    const record: RecordedRequest = {
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      body,
      status: 0,
      ...(token ? { installation: Number(token[1]) } : {}),
      at: arrived,
    };
    this.requests.push(record);
    if (record.installation !== undefined) this.used.set(record.installation, (this.used.get(record.installation) ?? 0) + 1);
    const left = record.installation === undefined ? undefined : GitHubStandIn.RATE_LIMIT - this.used.get(record.installation)!;
    const rate: Record<string, string> =
      left === undefined
        ? {}
        : { "x-ratelimit-limit": String(GitHubStandIn.RATE_LIMIT), "x-ratelimit-remaining": String(left), "x-ratelimit-resource": "core" };
    let fault = this.takeFault(method, path);
    if (fault?.delayMs !== undefined) {
      await new Promise((r) => setTimeout(r, fault!.delayMs));
      fault = undefined;
    }
    const failWith = (f: Fault) => {
      if (f.hang) {
        record.status = -1;
        this.hanging.add(res);
        return;
      }
      record.status = f.status ?? 500;
      json(res, record.status, f.body ?? { message: "Injected fault" }, { ...rate, ...f.headers });
    };
    const reply = (status: number, data?: unknown, headers?: Record<string, string>) => {
      if (fault?.applied) return failWith(fault);
      record.status = status;
      json(res, status, data, { ...rate, ...headers });
    };
    if (fault && !fault.applied) return failWith(fault);

    const tokenMatch = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path);
    if (tokenMatch && method === "POST") {
      if (!/^bearer /i.test(auth)) return reply(401, { message: "A JSON web token could not be decoded" });
      const expires = new Date(Date.now() + 3600_000).toISOString();
      return reply(201, {
        token: `tok-${tokenMatch[1]}`,
        expires_at: expires,
        permissions: { checks: "write", contents: "read", issues: "write", pull_requests: "write", metadata: "read" },
        repository_selection: "all",
      });
    }
    // The app's webhook deliveries (app JWT): newest first, paged by a cursor in the Link header.
    if (path === "/app/hook/deliveries" && method === "GET") {
      if (!/^bearer /i.test(auth)) return reply(401, { message: "A JSON web token could not be decoded" });
      const all = [...this.hook.deliveries].reverse().map(({ body: _sent, ...item }) => item);
      const perPage = Math.min(Number(url.searchParams.get("per_page") ?? "30"), 100);
      const cursor = url.searchParams.get("cursor");
      const from = cursor === null ? 0 : all.findIndex((d) => String(d.id) === cursor);
      if (from < 0) return reply(422, { message: "Invalid cursor" });
      const page = all.slice(from, from + perPage);
      const next = all[from + perPage];
      const link = next
        ? { link: `<http://${this.host}${PREFIX}/app/hook/deliveries?per_page=${perPage}&cursor=${next.id}>; rel="next"` }
        : undefined;
      return reply(200, page, link);
    }
    const attempt = /^\/app\/hook\/deliveries\/(\d+)\/attempts$/.exec(path);
    if (attempt && method === "POST") {
      if (!/^bearer /i.test(auth)) return reply(401, { message: "A JSON web token could not be decoded" });
      const original = this.hook.deliveries.find((d) => d.id === Number(attempt[1]));
      if (!original) return reply(404, { message: "Not Found" });
      // Accepted now, sent just after, as GitHub does.
      setImmediate(() => void this.sendHook(original.event, original.body, original.guid, true));
      return reply(202, {});
    }
    if (!token) return reply(401, { message: "Bad credentials" });
    if (method === "POST" && (path === "/api/graphql" || path === "/graphql")) {
      // GitHub reports what is left after the query's own cost.
      const limit = this.graphqlRateLimit;
      if (limit) limit.remaining = Math.max(0, limit.remaining - (limit.cost ?? 1));
      const answer = answerGraphqlFrom(this.graphqlModel(), body);
      return reply(answer.status, answer.body);
    }

    const m = /^\/repos\/([^/]+)\/([^/]+)\/(.*)$/.exec(path);
    if (!m) return reply(404, { message: "Not Found" });
    const fullName = `${m[1]}/${m[2]}`;
    const rest = m[3]!;
    const repo = this.repo(fullName);
    const page = Number(url.searchParams.get("page") ?? "1");
    const perPage = Number(url.searchParams.get("per_page") ?? "30");
    const slice = <T>(items: T[]) => items.slice((page - 1) * perPage, page * perPage);
    const byApp = {
      performed_via_github_app: { id: this.appId, slug: "review-router" },
      actor: { login: "review-router[bot]", type: "Bot" },
    };
    let match: RegExpExecArray | null;

    if (method === "GET" && (match = /^contents\/(.+)$/.exec(rest))) {
      const file = decodeURIComponent(match[1]!);
      const ref = url.searchParams.get("ref");
      const text = !ref || ref === repo.defaultBranch ? repo.files.get(file) : undefined;
      if (text === undefined) return reply(404, { message: "Not Found" });
      if (/raw/.test(String(req.headers.accept ?? ""))) {
        record.status = 200;
        res.writeHead(200, { "content-type": "text/plain; charset=utf-8", ...rate });
        res.end(text);
        return;
      }
      // The JSON answer: GitHub sends the content (base64) only for files up to 1 MB.
      const size = Buffer.byteLength(text, "utf8");
      const content =
        size <= 1024 * 1024
          ? { encoding: "base64", content: Buffer.from(text, "utf8").toString("base64") }
          : { encoding: "none", content: "" };
      return reply(200, { type: "file", name: file.split("/").pop(), path: file, size, ...content });
    }
    if (method === "GET" && (match = /^issues\/(\d+)\/comments$/.exec(rest))) {
      const t = this.thread(fullName, Number(match[1]));
      return reply(
        200,
        slice(
          t.comments.map((c) => ({
            id: c.id,
            body: c.body,
            ...(c.byApp ? byApp : {}),
            user: { login: "review-router[bot]", type: "Bot" },
          })),
        ),
      );
    }
    if (method === "DELETE" && (match = /^issues\/comments\/(\d+)$/.exec(rest))) {
      for (const t of repo.threads.values()) {
        const at = t.comments.findIndex((x) => x.id === Number(match![1]));
        if (at >= 0) {
          const [gone] = t.comments.splice(at, 1);
          t.timeline = t.timeline.filter((e) => !(e.event === "commented" && e.id === gone!.id));
          record.status = 204;
          res.writeHead(204);
          res.end();
          return;
        }
      }
      return reply(404, { message: "Not Found" });
    }
    if (method === "GET" && (match = /^pulls\/(\d+)$/.exec(rest))) {
      const p = repo.pulls.get(Number(match[1]));
      if (!p) return reply(404, { message: "Not Found" });
      return reply(200, this.pullJson(fullName, Number(match[1]), p));
    }
    if (method === "GET" && rest === "pulls") {
      const state = url.searchParams.get("state") ?? "open";
      const open = [...repo.pulls.entries()]
        .filter(([, p]) => state === "all" || (p.state ?? "open") === state)
        .sort((a, b) => b[0] - a[0]);
      return reply(
        200,
        slice(
          open.map(([n, p]) => {
            const { changed_files: _omitted, ...listed } = this.pullJson(fullName, n, p); // the list has no file count
            return listed;
          }),
        ),
      );
    }
    if (method === "GET" && (match = /^issues\/(\d+)$/.exec(rest))) {
      const p = repo.pulls.get(Number(match[1]));
      if (!p) return reply(404, { message: "Not Found" });
      const pull = this.pullJson(fullName, Number(match[1]), p);
      return reply(200, { ...pull, pull_request: { url: `${PREFIX}/repos/${fullName}/pulls/${match[1]}` } });
    }
    if (method === "DELETE" && (match = /^pulls\/(\d+)\/requested_reviewers$/.exec(rest))) {
      const t = this.thread(fullName, Number(match[1]));
      const reviewers = (body as { reviewers?: string[] })?.reviewers ?? [];
      for (const login of reviewers) {
        const at = t.requestedUsers.findIndex((u) => u.toLowerCase() === login.toLowerCase());
        if (at < 0) continue;
        t.requestedUsers.splice(at, 1);
        t.timeline.push({
          event: "review_request_removed",
          id: this.nextId++,
          created_at: new Date().toISOString(),
          requested_reviewer: { login },
          ...byApp,
        });
      }
      return reply(200, { number: Number(match[1]), requested_reviewers: t.requestedUsers.map((login) => ({ login })) });
    }
    if (method === "GET" && (match = /^pulls\/(\d+)\/files$/.exec(rest))) {
      if (!repo.threads.has(Number(match[1]))) return reply(404, { message: "Not Found" });
      return reply(200, slice(this.thread(fullName, Number(match[1])).files));
    }
    if (method === "GET" && (match = /^issues\/(\d+)\/timeline$/.exec(rest))) {
      if (!repo.threads.has(Number(match[1]))) return reply(404, { message: "Not Found" });
      return reply(200, slice(this.thread(fullName, Number(match[1])).timeline));
    }
    if (method === "POST" && (match = /^issues\/(\d+)\/labels$/.exec(rest))) {
      const t = this.thread(fullName, Number(match[1]));
      const labels = ((body as { labels?: string[] })?.labels ?? []).filter((l) => !t.labels.includes(l));
      for (const name of labels) {
        t.labels.push(name);
        t.timeline.push({ event: "labeled", id: this.nextId++, created_at: new Date().toISOString(), label: { name }, ...byApp });
      }
      return reply(
        200,
        t.labels.map((name) => ({ name })),
      );
    }
    if (method === "DELETE" && (match = /^issues\/(\d+)\/labels\/(.+)$/.exec(rest))) {
      const t = this.thread(fullName, Number(match[1]));
      const name = decodeURIComponent(match[2]!);
      if (!t.labels.includes(name)) return reply(404, { message: "Label does not exist" });
      t.labels = t.labels.filter((l) => l !== name);
      t.timeline.push({ event: "unlabeled", id: this.nextId++, created_at: new Date().toISOString(), label: { name }, ...byApp });
      return reply(
        200,
        t.labels.map((l) => ({ name: l })),
      );
    }
    if (method === "POST" && (match = /^pulls\/(\d+)\/requested_reviewers$/.exec(rest))) {
      const t = this.thread(fullName, Number(match[1]));
      const reviewers = (body as { reviewers?: string[] })?.reviewers ?? [];
      const teams = (body as { team_reviewers?: string[] })?.team_reviewers ?? [];
      const outsiders = reviewers.filter((r) => repo.collaborators.size > 0 && !repo.collaborators.has(r.toLowerCase()));
      // A team without access to the repository fails the whole request, as a user who is no collaborator does.
      if (outsiders.length > 0 || teams.some((slug) => !repo.teams.has(slug.toLowerCase()))) {
        return reply(422, {
          message: `Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the ${fullName} repository.`,
        });
      }
      for (const login of reviewers) {
        if (t.requestedUsers.some((u) => u.toLowerCase() === login.toLowerCase())) continue;
        t.requestedUsers.push(login);
        t.timeline.push({
          event: "review_requested",
          id: this.nextId++,
          created_at: new Date().toISOString(),
          requested_reviewer: { login },
          review_requester: { login: "review-router[bot]" },
          ...byApp,
        });
      }
      for (const slug of teams) {
        if (t.requestedTeams.some((x) => x.toLowerCase() === slug.toLowerCase())) continue;
        t.requestedTeams.push(slug);
        const requester = { login: "review-router[bot]" };
        const team = { slug, name: slug };
        const at = new Date().toISOString();
        t.timeline.push({
          event: "review_requested",
          id: this.nextId++,
          created_at: at,
          requested_team: team,
          review_requester: requester,
          ...byApp,
        });
      }
      return reply(201, {
        number: Number(match[1]),
        requested_reviewers: t.requestedUsers.map((login) => ({ login })),
        requested_teams: t.requestedTeams.map((slug) => ({ slug, name: slug })),
      });
    }
    if (method === "GET" && (match = /^collaborators\/([^/]+)\/permission$/.exec(rest))) {
      const login = decodeURIComponent(match[1]!);
      const role = repo.roles.get(login.toLowerCase()) ?? "read";
      // `permission` is the older four-level name: maintain reads as write, triage as read.
      const permission = role === "maintain" ? "write" : role === "triage" ? "read" : role;
      return reply(200, { permission, role_name: role, user: { login, type: "User" } });
    }
    if (method === "POST" && (match = /^issues\/comments\/(\d+)\/reactions$/.exec(rest))) {
      // 201 when the app's reaction is new, 200 with the existing one when it is already there.
      const key = `${match[1]}:${(body as { content?: string })?.content ?? ""}`;
      const existing = repo.reactions.get(key);
      if (existing !== undefined) return reply(200, { id: existing, content: (body as { content: string }).content });
      const id = this.nextId++;
      repo.reactions.set(key, id);
      return reply(201, { id, content: (body as { content: string }).content });
    }
    if (method === "DELETE" && (match = /^issues\/comments\/(\d+)\/reactions\/(\d+)$/.exec(rest))) {
      for (const [key, id] of repo.reactions) if (id === Number(match![2])) repo.reactions.delete(key);
      return reply(204);
    }
    if (method === "GET" && (match = /^commits\/([^/]+)\/check-runs$/.exec(rest))) {
      const name = url.searchParams.get("check_name");
      const runs = repo.checkRuns.filter((r) => r.head_sha === match![1] && (!name || r.name === name)).reverse();
      return reply(200, { total_count: runs.length, check_runs: runs.map((r) => ({ ...r, app: { id: this.appId } })) });
    }
    if (method === "POST" && rest === "check-runs") {
      const b = body as {
        name: string;
        head_sha: string;
        status: string;
        conclusion: string;
        external_id?: string;
        output: { title: string; summary: string };
      };
      const run = {
        id: this.nextId++,
        name: b.name,
        head_sha: b.head_sha,
        status: b.status,
        conclusion: b.conclusion ?? null,
        external_id: b.external_id ?? null,
        output: b.output,
      };
      repo.checkRuns.push(run);
      return reply(201, { ...run, app: { id: this.appId } });
    }
    if (method === "PATCH" && (match = /^check-runs\/(\d+)$/.exec(rest))) {
      const run = repo.checkRuns.find((r) => r.id === Number(match![1]));
      if (!run) return reply(404, { message: "Not Found" });
      Object.assign(run, body as object);
      return reply(200, { ...run, app: { id: this.appId } });
    }
    if (method === "POST" && (match = /^issues\/(\d+)\/comments$/.exec(rest))) {
      const t = this.thread(fullName, Number(match[1]));
      const comment = { id: this.nextId++, body: (body as { body: string }).body, byApp: true };
      t.comments.push(comment);
      t.timeline.push({
        event: "commented",
        id: comment.id,
        created_at: new Date().toISOString(),
        body: comment.body,
        user: { login: "review-router[bot]", type: "Bot" },
        ...byApp,
      });
      return reply(201, { id: comment.id, body: comment.body });
    }
    if (method === "PATCH" && (match = /^issues\/comments\/(\d+)$/.exec(rest))) {
      for (const t of repo.threads.values()) {
        const c = t.comments.find((x) => x.id === Number(match![1]));
        if (c) {
          c.body = (body as { body: string }).body;
          const ev = t.timeline.find((e) => e.event === "commented" && e.id === c.id);
          if (ev) ev.body = c.body;
          return reply(200, { id: c.id, body: c.body });
        }
      }
      return reply(404, { message: "Not Found" });
    }
    return reply(404, { message: `Not Found (stand-in has no ${method} ${path})` });
  }
}
