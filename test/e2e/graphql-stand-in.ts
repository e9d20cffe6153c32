// The stand-in's GraphQL endpoint, for the candidates' availability and load: every incoming
// query is validated against GitHub's public schema (a query GitHub would refuse fails here too),
// then the `user(login:) { status }` and `search(query:, type: ISSUE) { issueCount }` fields are
// answered from what the test set. Other fields are refused, as the app asks for nothing else.

import { validate } from "@octokit/graphql-schema";
import { Kind, parse, type FieldNode, type ValueNode } from "graphql";

export interface StandInStatus {
  indicatesLimitedAvailability: boolean;
  expiresAt?: string | null;
  message?: string | null;
}

export interface GraphqlState {
  /** login (lower case) → status; absent: no status set; null: no such user. */
  statuses: Map<string, StandInStatus | null>;
  /** "owner/name\0login" (lower case) → open pull requests awaiting the login's review. */
  openReviews: Map<string, number>;
}

export function newGraphqlState(): GraphqlState {
  return { statuses: new Map(), openReviews: new Map() };
}

function argValue(node: ValueNode | undefined, variables: Record<string, unknown>): unknown {
  if (!node) return undefined;
  if (node.kind === Kind.VARIABLE) return variables[node.name.value];
  if (node.kind === Kind.STRING || node.kind === Kind.ENUM) return node.value;
  return undefined;
}

/** The HTTP status and body GitHub would send for a GraphQL request `body`. */
export function answerGraphql(state: GraphqlState, body: unknown): { status: number; body: unknown } {
  const request = body as { query?: unknown; variables?: Record<string, unknown> } | undefined;
  if (typeof request?.query !== "string") return { status: 400, body: { message: "Problems parsing JSON" } };
  const problems = validate(request.query);
  if (problems.length > 0) return { status: 200, body: { errors: problems.map((p) => ({ message: p.message })) } };
  const variables = request.variables ?? {};
  const data: Record<string, unknown> = {};
  const errors: { type: string; path: string[]; message: string }[] = [];
  const operation = parse(request.query).definitions[0]!;
  if (operation.kind !== Kind.OPERATION_DEFINITION) return { status: 400, body: { message: "expected one operation" } };
  for (const selection of operation.selectionSet.selections) {
    const field = selection as FieldNode;
    const alias = field.alias?.value ?? field.name.value;
    const arg = (name: string) => argValue(field.arguments?.find((a) => a.name.value === name)?.value, variables);
    if (field.name.value === "user") {
      const login = String(arg("login"));
      const status = state.statuses.get(login.toLowerCase());
      if (status === null) {
        data[alias] = null;
        errors.push({ type: "NOT_FOUND", path: [alias], message: `Could not resolve to a User with the login of '${login}'.` });
      } else {
        data[alias] = { status: status ? { expiresAt: null, message: null, ...status } : null };
      }
    } else if (field.name.value === "search" && arg("type") === "ISSUE") {
      // Only the query the app makes is understood: is:pr is:open review-requested:LOGIN repo:OWNER/NAME.
      const m = /^is:pr is:open review-requested:(\S+) repo:(\S+)$/.exec(String(arg("query")));
      if (!m) return { status: 200, body: { errors: [{ message: `the stand-in does not answer the search "${String(arg("query"))}"` }] } };
      data[alias] = { issueCount: state.openReviews.get(`${m[2]!.toLowerCase()}\u0000${m[1]!.toLowerCase()}`) ?? 0 };
    } else {
      return { status: 200, body: { errors: [{ message: `the stand-in does not answer the field ${field.name.value}` }] } };
    }
  }
  return { status: 200, body: errors.length > 0 ? { data, errors } : { data } };
}
