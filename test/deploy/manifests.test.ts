// The Kubernetes manifests in deploy/, offline: every object validates against Kubernetes' schema
// (kubernetes-models), and the pieces fit together: the images, roles, probes, requests, Secret,
// the Redis address, and selectors that pick the pods they mean to.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";
import { Deployment, StatefulSet } from "kubernetes-models/apps/v1";
import { Service } from "kubernetes-models/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { describe, expect, it } from "vitest";
import { queueSettingsFromEnv } from "../../src/app/queue.js";

const DEPLOY = fileURLToPath(new URL("../../deploy/", import.meta.url));

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
}

const MODELS: Record<string, new (o: never) => { validate(): void }> = {
  "apps/v1/Deployment": Deployment,
  "apps/v1/StatefulSet": StatefulSet,
  "v1/Service": Service,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
};

const kustomization = yaml.load(readFileSync(join(DEPLOY, "kustomization.yaml"), "utf8")) as {
  resources: string[];
  images: { name: string }[];
};
const objects: (Manifest & { file: string })[] = kustomization.resources.flatMap((file) =>
  (yaml.loadAll(readFileSync(join(DEPLOY, file), "utf8")) as Manifest[]).map((o) => ({ ...o, file })),
);
const find = (kind: string, name: string) => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`deploy/ has no ${kind} ${name}`);
  return o;
};

type Container = {
  name: string;
  image: string;
  env?: { name: string; value?: string }[];
  envFrom?: { secretRef?: { name: string } }[];
  readinessProbe?: { httpGet?: { path: string; port: string } };
  livenessProbe?: { httpGet?: { path: string; port: string } };
  resources?: { requests?: { cpu?: string; memory?: string } };
};
type PodTemplate = { metadata: { labels: Record<string, string> }; spec: { containers: Container[] } };
const template = (o: Manifest) => o.spec.template as PodTemplate;
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe("deploy/ manifests", () => {
  it("are every file the kustomization lists, and each object validates against Kubernetes' schema", () => {
    expect(kustomization.resources.sort()).toEqual(["redis.yaml", "web.yaml", "worker.yaml"]);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      "Deployment/review-router-web",
      "Deployment/review-router-worker",
      "PodDisruptionBudget/review-router-web",
      "PodDisruptionBudget/review-router-worker",
      "Service/review-router",
      "Service/review-router-redis",
      "StatefulSet/review-router-redis",
    ]);
    for (const o of objects) {
      const Model = MODELS[`${o.apiVersion}/${o.kind}`];
      expect(Model, `${o.file}: ${o.apiVersion} ${o.kind}`).toBeDefined();
      expect(() => new Model!(o as never).validate(), `${o.file}: ${o.kind} ${o.metadata.name}`).not.toThrow();
    }
  });

  it("the schema check catches a broken object (a probe port that is neither a number nor a name)", () => {
    const broken = structuredClone(find("Deployment", "review-router-web"));
    (template(broken).spec.containers[0] as unknown as { ports: unknown }).ports = [{ containerPort: "three thousand" }];
    expect(() => new Deployment(broken as never).validate()).toThrow();
  });

  it("runs the project's image as web and worker, with probes, resource requests, the Secret and a valid queue setting", () => {
    for (const [name, role] of [
      ["review-router-web", "web"],
      ["review-router-worker", "worker"],
    ] as const) {
      const d = find("Deployment", name);
      expect(d.spec.replicas as number).toBeGreaterThanOrEqual(2);
      const [c] = template(d).spec.containers;
      expect(c!.image).toBe(kustomization.images[0]!.name);
      const env = Object.fromEntries((c!.env ?? []).map((e) => [e.name, e.value]));
      expect(queueSettingsFromEnv(env)).toMatchObject({ role, redisUrl: "redis://review-router-redis:6379" });
      expect(c!.envFrom).toEqual([{ secretRef: { name: "review-router" } }]);
      expect(c!.readinessProbe?.httpGet).toEqual({ path: "/ready", port: "http" });
      expect(c!.livenessProbe?.httpGet).toEqual({ path: "/ping", port: "http" });
      expect(c!.resources?.requests?.cpu).toBeTruthy();
      expect(c!.resources?.requests?.memory).toBeTruthy();
    }
  });

  it("points the Redis address at the Redis Service, and every selector at the pods it means", () => {
    const redisService = find("Service", "review-router-redis");
    expect((redisService.spec.ports as { port: number }[])[0]!.port).toBe(6379);
    const redis = find("StatefulSet", "review-router-redis");
    expect(matches(redisService.spec.selector as Record<string, string>, template(redis).metadata.labels)).toBe(true);
    expect(template(redis).spec.containers[0]!.readinessProbe).toBeDefined();
    const web = template(find("Deployment", "review-router-web")).metadata.labels;
    const worker = template(find("Deployment", "review-router-worker")).metadata.labels;
    const service = find("Service", "review-router").spec.selector as Record<string, string>;
    expect([matches(service, web), matches(service, worker)]).toEqual([true, false]);
    for (const [pdb, labels, other] of [
      ["review-router-web", web, worker],
      ["review-router-worker", worker, web],
    ] as const) {
      const selector = (find("PodDisruptionBudget", pdb).spec.selector as { matchLabels: Record<string, string> }).matchLabels;
      expect([matches(selector, labels), matches(selector, other)]).toEqual([true, false]);
    }
  });
});
