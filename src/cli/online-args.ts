// Whether `route` was asked for its online form; kept apart from src/cli/online.ts so that the
// offline `route` decides this without loading the GitHub client.

/** A URL argument, or --online. */
export function wantsOnline(args: readonly string[]): boolean {
  return args.some((a) => a === "--online" || /^https?:\/\//i.test(a));
}
