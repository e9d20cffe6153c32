import { describe, expect, it } from "vitest";
import { parseRemoteUrl } from "../../src/cli/remote.js";

describe("parseRemoteUrl", () => {
  it("reads GitHub's https and ssh forms, with or without .git", () => {
    for (const url of [
      "https://github.com/me/proj.git",
      "https://github.com/me/proj",
      "https://github.com/me/proj/",
      "https://user:token@github.com/me/proj.git",
      "git@github.com:me/proj.git",
      "git@github.com:me/proj",
      "ssh://git@github.com/me/proj.git",
      "ssh://git@github.com:22/me/proj.git",
      "git://github.com/me/proj.git",
    ]) {
      expect(parseRemoteUrl(url), url).toEqual({ host: "github.com", repository: "me/proj" });
    }
  });

  it("reads GitHub Enterprise Server hosts, keeping names with dots, dashes and underscores", () => {
    expect(parseRemoteUrl("https://GHE.example.com/my-org/my_repo.js.git")).toEqual({
      host: "ghe.example.com",
      repository: "my-org/my_repo.js",
    });
    expect(parseRemoteUrl("git@ghe.corp:team/tool.git")).toEqual({ host: "ghe.corp", repository: "team/tool" });
  });

  it("refuses what is not OWNER/NAME on a host", () => {
    for (const url of [
      "",
      "/home/me/proj",
      "../proj",
      "file:///srv/git/proj.git",
      "https://github.com/me",
      "https://github.com/a/b/c",
      "git@github.com:me",
    ]) {
      expect(parseRemoteUrl(url), url).toBeUndefined();
    }
  });
});
