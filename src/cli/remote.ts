// The repository (OWNER/NAME) a git remote URL points at, in the forms git accepts for GitHub and
// GitHub Enterprise Server: https://host/owner/name(.git), ssh://git@host[:port]/owner/name.git,
// git@host:owner/name.git, git://host/owner/name.git. Pure.

export interface RemoteRepository {
  host: string;
  repository: string;
}

const NAME = /^[A-Za-z0-9_.-]+$/;

function fromPath(host: string, path: string): RemoteRepository | undefined {
  const parts = path
    .replace(/^\/+/, "")
    .replace(/\/+$/, "")
    .replace(/\.git$/, "")
    .split("/");
  if (parts.length !== 2 || !parts.every((p) => NAME.test(p) && p !== "." && p !== "..")) return undefined;
  return { host: host.toLowerCase(), repository: `${parts[0]}/${parts[1]}` };
}

export function parseRemoteUrl(url: string): RemoteRepository | undefined {
  const text = url.trim();
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/)(.+)$/.exec(text);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return fromPath(scp[1]!, scp[2]!);
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return undefined;
  }
  if (!["https:", "http:", "ssh:", "git:", "git+ssh:", "ssh+git:"].includes(parsed.protocol) || parsed.hostname === "") return undefined;
  return fromPath(parsed.hostname, decodeURIComponent(parsed.pathname));
}
