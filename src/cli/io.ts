// What a CLI command may touch: its arguments, standard input, and two output streams. Commands
// take this instead of `process` so that tests can run them in-process too.

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Reads all of standard input; resolves to "" when stdin is a terminal. */
  readStdin: () => Promise<string>;
  /** The working directory paths and the checkout are found from (default: process.cwd()). */
  cwd?: string;
}

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, problems: 1, usage: 2 } as const;

/**
 * A usage error: one line naming the command, the problem and where the help is, and exit code 2.
 * The help itself is not repeated: it would push the one line that matters off the screen.
 */
export function usageError(io: CliIO, command: string | undefined, message: string): number {
  const name = command ? `review-router ${command}` : "review-router";
  // node:util's parseArgs explains at length how to pass a positional starting with '-': not here.
  const unknown = /^Unknown option '([^']*)'/.exec(message);
  const text = (unknown ? `unknown option ${unknown[1]}` : message).replace(/\s*\n\s*/g, " ").replace(/\.$/, "");
  io.stderr(`${name}: ${text}; see \`${name} --help\`\n`);
  return EXIT.usage;
}
