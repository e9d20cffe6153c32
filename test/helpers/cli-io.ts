// A CliIO that records what a command writes, for tests of the command line.

import type { CliIO } from "../../src/cli/io.js";

export function captureIO(): CliIO & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
    readStdin: async () => "",
  };
  return io;
}
