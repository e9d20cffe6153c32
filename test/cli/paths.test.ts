import { describe, expect, it } from "vitest";
import { normalisePath, nulRecords, printable, quoted, parseChangedLine, readChangedPaths } from "../../src/cli/paths.js";

describe("parseChangedLine", () => {
  it("reads plain paths and OLD => NEW", () => {
    expect(parseChangedLine("  torch/nn/a.py ")).toEqual({ path: "torch/nn/a.py" });
    expect(parseChangedLine("torch/old.py => torch/new.py")).toEqual({ path: "torch/new.py", previousPath: "torch/old.py" });
  });

  it("reads git's brace rename form, one side possibly empty", () => {
    expect(parseChangedLine("torch/{nn => optim}/f.py")).toEqual({ path: "torch/optim/f.py", previousPath: "torch/nn/f.py" });
    expect(parseChangedLine("a/{ => b}/f.py")).toEqual({ path: "a/b/f.py", previousPath: "a/f.py" });
    expect(parseChangedLine("a/{b => }/f.py")).toEqual({ path: "a/f.py", previousPath: "a/b/f.py" });
    expect(parseChangedLine("{old.py => new.py}")).toEqual({ path: "new.py", previousPath: "old.py" });
  });

  it("reads --name-status lines", () => {
    expect(parseChangedLine("M\ttorch/nn/a.py")).toEqual({ path: "torch/nn/a.py" });
    expect(parseChangedLine("A\tdocs/new.md")).toEqual({ path: "docs/new.md" });
    expect(parseChangedLine("D\tdocs/gone.md")).toEqual({ path: "docs/gone.md" });
    expect(parseChangedLine("R100\ttorch/nn/a.py\ttorch/optim/a.py")).toEqual({ path: "torch/optim/a.py", previousPath: "torch/nn/a.py" });
    expect(parseChangedLine("R087\told name.py\tnew name.py")).toEqual({ path: "new name.py", previousPath: "old name.py" });
    expect(parseChangedLine("C75\tsrc/a.py\tsrc/b.py")).toEqual({ path: "src/b.py" });
  });

  it("keeps a path that only looks like a status letter", () => {
    expect(parseChangedLine("M")).toEqual({ path: "M" });
    expect(parseChangedLine("Makefile")).toEqual({ path: "Makefile" });
  });
});

describe("normalisePath", () => {
  const inCheckout = { cwd: "/src/proj/torch/nn", root: "/src/proj" };

  it("reads plain paths from the root, as git prints them, and ./ or ../ from the working directory", () => {
    expect(normalisePath("torch/nn/a.py", inCheckout)).toEqual({ path: "torch/nn/a.py" });
    expect(normalisePath("./modules/linear.py", inCheckout)).toEqual({ path: "torch/nn/modules/linear.py" });
    expect(normalisePath("../optim/adam.py", inCheckout)).toEqual({ path: "torch/optim/adam.py" });
    expect(normalisePath("torch//nn/./a.py", inCheckout)).toEqual({ path: "torch/nn/a.py" });
    expect(normalisePath("docs/", inCheckout)).toEqual({ path: "docs" });
  });

  it("makes absolute paths inside the checkout relative to its root", () => {
    expect(normalisePath("/src/proj/torch/nn/a.py", inCheckout)).toEqual({ path: "torch/nn/a.py" });
  });

  it("refuses what it cannot read, saying why", () => {
    expect(normalisePath("", inCheckout)).toEqual({ problem: "empty path" });
    expect(normalisePath("/etc/passwd", inCheckout)).toEqual({ problem: "outside the checkout /src/proj" });
    expect(normalisePath("/src/proj", inCheckout)).toEqual({ problem: "outside the checkout /src/proj" });
    expect(normalisePath("../../../x.py", inCheckout)).toEqual({ problem: "outside the checkout /src/proj" });
    expect(normalisePath("a/../../x.py", inCheckout)).toEqual({ problem: "leaves the repository root (`..`)" });
    expect(normalisePath("/tmp/a.py", { cwd: "/tmp" })).toEqual({
      problem: "an absolute path needs a git checkout to be read from; run inside the checkout or give the path from the repository root",
    });
  });

  it("outside a checkout, reads ./ paths from the working directory", () => {
    expect(normalisePath("./torch/a.py", { cwd: "/tmp/x" })).toEqual({ path: "torch/a.py" });
    expect(normalisePath("../a.py", { cwd: "/tmp/x" })).toEqual({ problem: "outside the working directory" });
  });
});

describe("readChangedPaths", () => {
  it("keeps the good paths and reports the rest with their input", () => {
    const ctx = { cwd: "/r/sub", root: "/r" };
    expect(readChangedPaths(["R100\t./a.py\tsub/b.py", "/elsewhere/c.py", "x => ../../y"], ctx)).toEqual({
      files: [{ path: "sub/b.py", previousPath: "sub/a.py" }],
      problems: [
        { input: "/elsewhere/c.py", message: "outside the checkout /r" },
        { input: "x => ../../y", message: "outside the checkout /r" },
      ],
    });
  });
});

describe("NUL-separated input and control characters", () => {
  it("reads git's -z records, path by path, or status then paths", () => {
    expect(nulRecords("a b.py\0c\n.py\0")).toEqual(["a b.py", "c\n.py"]);
    expect(nulRecords("M\0x.py\0R100\0old.py\0new.py\0C75\0src.py\0copy.py\0D\0gone.py\0")).toEqual([
      "M\tx.py",
      "R100\told.py\tnew.py",
      "C75\tsrc.py\tcopy.py",
      "D\tgone.py",
    ]);
    expect(nulRecords("")).toEqual([]);
    const { files } = readChangedPaths(nulRecords("R100\0old.py\0new.py\0"), { cwd: "/r", root: "/r" });
    expect(files).toEqual([{ path: "new.py", previousPath: "old.py" }]);
  });

  it("refuses a path with a control character, and escapes it when printed", () => {
    expect(normalisePath("a\u001b[2Jb.py", { cwd: "/r" })).toEqual({
      problem: "contains the control character U+001B; no repository path does",
    });
    expect(normalisePath("a\u009bb.py", { cwd: "/r" })).toEqual({
      problem: "contains the control character U+009B; no repository path does",
    });
    expect(quoted('a\u001b[2J"b\\\n')).toBe('"a\\u001b[2J\\"b\\\\\\u000a"');
    expect(quoted("torch/nn/é.py")).toBe('"torch/nn/é.py"');
  });
});

describe("printable", () => {
  it("leaves an ordinary path alone and quotes one with a control character", () => {
    expect(printable("docs/a b.md")).toBe("docs/a b.md");
    expect(printable("docs/\u001b[31m.md")).toBe('"docs/\\u001b[31m.md"');
  });
});
