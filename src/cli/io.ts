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
