import { describe, expect, it } from "vitest";
import { escapeRegExp, httpStatus, isPlainObject, plural } from "../../src/core/util.js";

describe("util", () => {
  it.each([
    [{}, true],
    [{ a: 1 }, true],
    [[], false],
    [null, false],
    [undefined, false],
    ["text", false],
    [3, false],
  ])("isPlainObject(%j) is %s", (value, want) => {
    expect(isPlainObject(value)).toBe(want);
  });

  it("counts a noun in the singular only for one", () => {
    expect([0, 1, 2].map((n) => plural(n, "error"))).toEqual(["0 errors", "1 error", "2 errors"]);
  });

  it("escapes every character a regular expression treats specially", () => {
    const text = "a.b*c+d?e^f$g{h}i(j)k|l[m]n\\o";
    expect(new RegExp(`^${escapeRegExp(text)}$`).test(text)).toBe(true);
    expect(new RegExp(`^${escapeRegExp("a.c")}$`).test("abc")).toBe(false);
  });

  it("reads an HTTP status from an error, and nothing else", () => {
    expect(httpStatus(Object.assign(new Error("x"), { status: 422 }))).toBe(422);
    expect(httpStatus({ status: "422" })).toBeUndefined();
    expect(httpStatus(new Error("x"))).toBeUndefined();
    expect(httpStatus(null)).toBeUndefined();
    expect(httpStatus("boom")).toBeUndefined();
  });
});
