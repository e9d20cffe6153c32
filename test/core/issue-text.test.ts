import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/core/config.js";
import {
  apiCandidatePaths,
  describeEvidence,
  issueText,
  MAX_ISSUE_TEXT,
  repoPathFromToken,
  repoPathsFromUrl,
  routeIssue,
  type IssueDecision,
} from "../../src/core/issue-text.js";
import type { Registry } from "../../src/core/registry.js";
import { buildRouter, type Router } from "../../src/core/router.js";
import { BUNDLED_CONFIG, BUNDLED_REGISTRY, loadRouter } from "../../src/io/files.js";

// The mechanics of reading: every piece of evidence is enough (threshold 0.1, no cap), so these
// tests see what is found. Scoring is tested with the bundled settings further down.
const TRIAGE = `
triage:
  threshold: 0.1
  max_module_labels: 20
  repo_dirs: [torch, aten, c10, test, tools, docs, .github, .ci, third_party]
  api_prefixes: [torch]
  env_report_starts: ["Collecting environment information", "PyTorch version: "]
`;
/** The CPU module's oneDNN area, for the triage-settings routers. */
const ONEDNN_AREA = `    areas:
      - name: oneDNN
        label: "module: mkldnn"
        paths: [aten/src/ATen/native/mkldnn/**]
        keywords: [dnnl]
`;
const SETTINGS = { envReportStarts: ["Collecting environment information", "PyTorch version: "], ignoreLinePrefixes: [] };
const DIRS = new Set(["torch", "aten", "c10", "test", "tools", "docs", ".github", ".ci", "third_party"]);

const CONFIG = `${TRIAGE}
modules:
  - name: NN
    label: "module: nn"
    paths: [torch/nn/**]
    exclude: [torch/nn/parallel/**]
    keywords: [nn.Module]
    maintainers: [gchanan, albanD]
  - name: Optimizers
    label: "module: optimizer"
    paths: [torch/optim/**]
    maintainers: [janeyx99]
  - name: Linear Algebra
    label: "module: linear algebra"
    paths: [torch/linalg/**, aten/src/ATen/native/BatchLinearAlgebra.cpp]
  - name: Distributed
    label: "oncall: distributed"
    paths: [torch/distributed/**, torch/nn/parallel/**]
    keywords: [c10d, NCCL]
    areas:
      - name: DDP
        label: "module: ddp"
        paths: [torch/nn/parallel/**]
        keywords: [DistributedDataParallel]
  - name: FFT
    label: "module: fft"
    paths: [torch/fft/**]
  - name: Dynamo
    label: "module: dynamo"
    paths: [torch/_dynamo/**]
  - name: CUDA
    label: "module: cuda"
    paths: [torch/cuda/**, aten/src/ATen/native/cuda/**]
    areas:
      - name: ROCm
        label: "module: rocm"
        paths: [aten/src/ATen/hip/**]
        keywords: [ROCm]
  - name: MPS
    label: "module: mps"
    paths: [aten/src/ATen/native/mps/**]
    keywords: [MPS]
  - name: DataLoader
    label: "module: dataloader"
    paths: [torch/utils/data/**]
    keywords: [DataLoader]
  - name: ONNX
    label: "module: onnx"
    paths: [torch/onnx/**]
  - name: Functional
    label: "module: functional"
    paths: [torch/functional.py]
  - name: C++ Frontend
    label: "module: cpp"
    paths: [torch/csrc/api/**]
    keywords: ["c++", "C++ API"]
  - name: CI
    label: "module: ci"
    paths: [.github/**, .ci/**]
  - name: TorchVision
    repository: pytorch/vision
    keywords: [torchvision]
    maintainers: [NicolasHug]
`;

function makeRouter(text: string = CONFIG, registry: Registry = { entries: [] }): Router {
  const parsed = parseConfig(text, "test.yml");
  expect(parsed.problems.filter((p) => p.severity === "error")).toEqual([]);
  return buildRouter(parsed.config!, registry);
}

const ROUTER = makeRouter();

function issue(body: string, title = "", repository = "pytorch/pytorch"): IssueDecision {
  return routeIssue(ROUTER, { repository, title, body });
}

const names = (d: IssueDecision) => d.modules.map((m) => m.name);

describe("routeIssue: file paths", () => {
  it("routes a Unix traceback through site-packages to NN", () => {
    const d = issue(`Traceback (most recent call last):
  File "/home/me/train.py", line 12, in <module>
    out = model(x)
  File "/usr/lib/python3/site-packages/torch/nn/modules/module.py", line 1501, in _call_impl
    return forward_call(*args, **kwargs)
RuntimeError: boom`);
    expect(names(d)).toEqual(["NN"]);
    expect(d.labels).toEqual(["module: nn"]);
    expect(d.modules[0]!.evidence).toEqual([
      {
        signal: "frame_innermost",
        kind: "path",
        text: "/usr/lib/python3/site-packages/torch/nn/modules/module.py",
        path: "torch/nn/modules/module.py",
        weight: 3,
      },
    ]);
    expect(d.modules[0]!.maintainers).toEqual(["gchanan", "albanD"]);
  });

  it("routes Windows tracebacks, with single and doubled backslashes", () => {
    const single = issue(`  File "C:\\Python311\\Lib\\site-packages\\torch\\nn\\modules\\linear.py", line 114, in forward`);
    expect(names(single)).toEqual(["NN"]);
    expect(single.modules[0]!.evidence[0]!.path).toBe("torch/nn/modules/linear.py");
    const doubled = issue(
      `File "C:\\\\Users\\\\me\\\\AppData\\\\Local\\\\Programs\\\\Python\\\\Python311\\\\Lib\\\\site-packages\\\\torch\\\\optim\\\\adam.py"`,
    );
    expect(names(doubled)).toEqual(["Optimizers"]);
    // A space in the directory name splits the token; the part after it still holds site-packages.
    const spaced = issue(`File "C:\\Program Files\\Python311\\Lib\\site-packages\\torch\\nn\\functional.py", line 1`);
    expect(names(spaced)).toEqual(["NN"]);
  });

  it("routes conda and dist-packages paths", () => {
    expect(
      names(issue(`File "/home/me/miniconda3/envs/py310/lib/python3.10/site-packages/torch/distributed/distributed_c10d.py", line 2`)),
    ).toEqual(["Distributed"]);
    expect(names(issue(`/usr/local/lib/python3.8/dist-packages/torch/utils/data/dataloader.py:633`))).toEqual(["DataLoader"]);
  });

  it("reads tracebacks inside fenced and indented code blocks", () => {
    const fenced = issue(
      'Here is the error:\n\n```python\nTraceback (most recent call last):\n  File "/opt/conda/lib/python3.11/site-packages/torch/_dynamo/eval_frame.py", line 328, in _fn\n```\n',
    );
    expect(names(fenced)).toEqual(["Dynamo"]);
    const indented = issue('Error:\n\n    File "/venv/lib/python3.12/site-packages/torch/fft/__init__.py", line 3\n');
    expect(names(indented)).toEqual(["FFT"]);
  });

  it("cuts absolute source-checkout paths at the last repository directory", () => {
    const d = issue(`/home/me/src/pytorch/aten/src/ATen/native/cuda/Blas.cpp:123:45: error: no matching function
In file included from /home/me/src/pytorch/torch/nn/modules/conv.py`);
    expect(names(d)).toEqual(["NN", "CUDA"]);
    expect(d.modules[1]!.evidence[0]).toEqual({
      signal: "prose_path",
      weight: 3,
      kind: "path",
      text: "/home/me/src/pytorch/aten/src/ATen/native/cuda/Blas.cpp:123:45",
      path: "aten/src/ATen/native/cuda/Blas.cpp",
    });
  });

  it("takes plain repository paths, with line numbers, pytest ids and ./ or ../ prefixes", () => {
    expect(names(issue("The bug is in `torch/optim/adam.py`."))).toEqual(["Optimizers"]);
    expect(names(issue("see aten/src/ATen/native/cuda/Blas.cpp:88"))).toEqual(["CUDA"]);
    expect(names(issue("FAILED torch/linalg/test_x.py::TestLinalg::test_solve - AssertionError"))).toEqual(["Linear Algebra"]);
    expect(names(issue("../aten/src/ATen/native/mps/OperationUtils.mm:12:3: warning"))).toEqual(["MPS"]);
    expect(names(issue("edit .github/workflows/pull.yml please"))).toEqual(["CI"]);
  });

  it("takes directory mentions under a repository directory", () => {
    expect(names(issue("Everything under torch/distributed/ is slow"))).toEqual(["Distributed"]);
  });

  it("applies excludes and areas as for pull requests, but an area's path is evidence for the area only", () => {
    const d = issue("torch/nn/parallel/distributed.py");
    expect(names(d)).toEqual(["Distributed"]);
    expect(d.labels).toEqual(["module: ddp"]);
    expect(d.modules[0]!.areas).toEqual(["DDP"]);
  });

  it("lists a path once however often it appears", () => {
    const frame = `  File "/x/site-packages/torch/nn/modules/module.py", line 1501, in _call_impl\n`;
    const d = issue(frame.repeat(20) + `  File "/y/site-packages/torch/nn/modules/module.py", line 1520`);
    // Once as an outer frame, once as the innermost one.
    expect(d.modules[0]!.evidence.map((e) => e.signal)).toEqual(["frame_innermost", "frame_outer"]);
  });
});

describe("routeIssue: GitHub links", () => {
  it("takes the path of a blob link into the issue's repository", () => {
    const d = issue("See https://github.com/pytorch/pytorch/blob/main/torch/optim/adam.py#L120-L130");
    expect(names(d)).toEqual(["Optimizers"]);
    expect(d.modules[0]!.evidence).toEqual([
      {
        signal: "prose_path",
        kind: "path",
        text: "https://github.com/pytorch/pytorch/blob/main/torch/optim/adam.py#L120-L130",
        path: "torch/optim/adam.py",
        weight: 3,
      },
    ]);
  });

  it("handles permalinks, Markdown links, tree links and refs with slashes", () => {
    expect(
      names(issue("[here](https://github.com/pytorch/pytorch/blob/0123456789abcdef0123456789abcdef01234567/torch/fft/__init__.py)")),
    ).toEqual(["FFT"]);
    expect(names(issue("https://github.com/pytorch/pytorch/tree/main/torch/onnx"))).toEqual(["ONNX"]);
    expect(names(issue("https://github.com/pytorch/pytorch/blob/release/2.1/torch/optim/sgd.py"))).toEqual(["Optimizers"]);
    expect(names(issue("github.com/PyTorch/PyTorch/blob/main/torch/cuda/__init__.py?plain=1"))).toEqual(["CUDA"]);
  });

  it("ignores links into other repositories and every other URL", () => {
    expect(issue("https://github.com/someone/fork/blob/main/torch/optim/adam.py").modules).toEqual([]);
    expect(issue("http://example.com/torch/nn").modules).toEqual([]);
    expect(issue("https://example.com/site-packages/torch/nn/modules/module.py").modules).toEqual([]);
    expect(issue("www.example.com/torch/optim/adam.py").modules).toEqual([]);
    expect(issue("https://pytorch.org/docs/stable/generated/torch.optim.Adam.html").modules).toEqual([]);
    expect(issue("https://github.com/pytorch/pytorch/issues/12345").modules).toEqual([]);
  });

  it("repoPathsFromUrl offers later starts for refs that contain slashes", () => {
    expect(repoPathsFromUrl("https://github.com/pytorch/pytorch/blob/gh/me/1/head/torch/nn/x.py", "pytorch/pytorch", DIRS)).toEqual([
      "me/1/head/torch/nn/x.py",
      "1/head/torch/nn/x.py",
      "head/torch/nn/x.py",
      "torch/nn/x.py",
    ]);
    expect(repoPathsFromUrl("https://github.com/pytorch/pytorch/blob/main/torch%2Foptim/adam.py", "pytorch/pytorch", DIRS)[0]).toBe(
      "torch/optim/adam.py",
    );
  });
});

describe("routeIssue: dotted API names", () => {
  const cases: [string, string][] = [
    ["torch.optim.Adam", "Optimizers"],
    ["torch.linalg.solve", "Linear Algebra"],
    ["torch.distributed.init_process_group", "Distributed"],
    ["torch.nn.functional.relu", "NN"],
    ["torch.fft.rfft", "FFT"],
    ["torch._dynamo.optimize", "Dynamo"],
    ["torch.cuda.synchronize", "CUDA"],
    ["torch.utils.data.DataLoader", "DataLoader"],
    ["torch.onnx.export", "ONNX"],
  ];
  for (const [api, module] of cases) {
    it(`maps ${api} to ${module}`, () => {
      const d = issue(`Calling ${api}(x) fails.`);
      expect(names(d)).toEqual([module]);
      expect(d.modules[0]!.evidence.find((e) => e.kind === "api")).toMatchObject({ kind: "api", text: api });
    });
  }

  it("maps bare torch names to nothing unless the router owns them", () => {
    expect(issue("torch.tensor([1]) and torch.Tensor.add_ and torch.zeros(3) and torch.float16").modules).toEqual([]);
    const d = issue("torch.functional.einsum is slow");
    expect(names(d)).toEqual(["Functional"]);
    expect(d.modules[0]!.evidence).toEqual([
      { signal: "prose_api", kind: "api", text: "torch.functional.einsum", path: "torch/functional.py", weight: 2 },
    ]);
  });

  it("does not guess at short forms or names inside other names", () => {
    expect(issue("nn.Linear and F.relu and optim.Adam").modules).toEqual([]);
    expect(issue("mytorch.optim.Adam and foo.torch.optim.Adam").modules).toEqual([]);
  });

  it("finds names inside calls and code", () => {
    const d = issue("```python\nopt = torch.optim.SGD(model.parameters())\ny = x.to(torch.float16)+torch.fft.fft(x)\n```");
    expect(names(d)).toEqual(["Optimizers", "FFT"]);
  });

  it("tries the longest prefix first", () => {
    expect(apiCandidatePaths("torch.a.b.c")).toEqual([
      "torch/a/b/c.py",
      "torch/a/b/c/__init__.py",
      "torch/a/b.py",
      "torch/a/b/__init__.py",
      "torch/a.py",
      "torch/a/__init__.py",
    ]);
  });
});

describe("routeIssue: keywords", () => {
  it("matches whole words in any case", () => {
    expect(names(issue("Fails on rocm 6.0"))).toEqual(["CUDA"]);
    expect(names(issue("Fails on ROCM"))).toEqual(["CUDA"]);
    expect(names(issue("Apple MPS backend crashes"))).toEqual(["MPS"]);
    expect(names(issue("mpsx and rocm6 and my_dataloader"))).toEqual([]);
  });

  it("adds an area's label for the area's keyword", () => {
    const d = issue("DistributedDataParallel hangs");
    expect(d.labels).toEqual(["module: ddp"]);
    expect(d.modules[0]!.areas).toEqual(["DDP"]);
    expect(d.modules[0]!.evidence).toEqual([{ signal: "prose_keyword", kind: "keyword", text: "DistributedDataParallel", weight: 2 }]);
  });

  it("handles keywords with non-word characters", () => {
    expect(names(issue("subclassing nn.Module breaks"))).toEqual(["NN"]);
    expect(names(issue("torch.nn.Module breaks"))).toEqual(["NN"]);
    expect(names(issue("nnXModule breaks"))).toEqual([]);
    expect(names(issue("My C++ extension"))).toEqual(["C++ Frontend"]);
    expect(names(issue("build with c++17"))).toEqual(["C++ Frontend"]);
    expect(names(issue("abc++ is not a language"))).toEqual([]);
    expect(issue("The C++\n  API is odd").modules[0]!.evidence.map((e) => e.text)).toEqual(["c++", "C++ API"]);
  });

  it("reads a keyword inside another part's longer keyword as that part's only", () => {
    const router = makeRouter(`${TRIAGE}
modules:
  - name: Autograd
    label: "module: autograd"
    paths: [torch/autograd/**]
    keywords: [autograd, grad mode]
    areas:
      - name: Compiled autograd
        label: "module: compiled autograd"
        paths: [torch/_dynamo/compiled_autograd.py]
        keywords: [compiled autograd, Compiled Autograd engine]
`);
    const labels = (title: string, body = "") => routeIssue(router, { repository: "pytorch/pytorch", title, body }).labels;
    expect(labels("Compiled autograd fails on hooks")).toEqual(["module: compiled autograd"]);
    expect(labels("", "The compiled  autograd engine fails")).toEqual(["module: compiled autograd"]);
    expect(labels("Compiled autograd differs from eager autograd")).toEqual(["module: autograd", "module: compiled autograd"]);
    // Keywords of one part never hide each other: both count for it.
    const d = routeIssue(router, { repository: "pytorch/pytorch", title: "", body: "the Compiled Autograd engine" });
    expect(d.scores[0]!.evidence.map((e) => e.text)).toEqual(["compiled autograd", "Compiled Autograd engine"]);
  });

  it("gives an API named for another part's keyword to that part, not to the part whose package defines it", () => {
    const router = makeRouter(`${TRIAGE}
modules:
  - name: PT2
    label: "oncall: pt2"
    paths: [torch/compiler/**]
    areas:
      - name: Inductor
        label: "module: inductor"
        paths: [torch/_inductor/**]
        keywords: [Inductor]
      - name: AOTInductor
        label: "module: aotinductor"
        paths: [torch/_inductor/codegen/aoti_runtime/**]
        keywords: [aoti_compile_and_package, aot_compile]
      - name: Export
        label: "oncall: export"
        paths: [torch/_export/**]
        keywords: [torch._export]
  - name: CUDA
    label: "module: cuda"
    paths: [torch/cuda/**]
    keywords: [cudagraphs]
`);
    const triage = (title: string) => routeIssue(router, { repository: "pytorch/pytorch", title, body: "" });
    // AOTInductor's entry point lives in torch/_inductor/__init__.py: its name, not its file, says the part.
    const d = triage("torch._inductor.aoti_compile_and_package fails");
    expect(d.labels).toEqual(["module: aotinductor"]);
    expect(d.scores.map((s) => s.label)).toEqual(["module: aotinductor"]);
    // Nor does the package prefix that is another part's keyword: torch._export.aot_compile is AOTInductor's.
    expect(triage("torch._export.aot_compile fails").scores.map((s) => s.label)).toEqual(["module: aotinductor"]);
    expect(triage("torch._export.export fails").labels).toEqual(["oncall: export"]);
    // Another module's keyword leaves the API with the module whose file defines it.
    expect(triage("torch._inductor.config.triton.cudagraphs hangs").labels.sort()).toEqual(["module: cuda", "module: inductor"]);
  });

  it("counts one call of a dotted name once, for the longest keyword that names it", () => {
    const router = makeRouter(`${TRIAGE}
modules:
  - name: Export
    label: "oncall: export"
    paths: [torch/export/**]
    keywords: [torch.export, torch.export.export]
`);
    const keywords = (body: string) =>
      routeIssue(router, { repository: "pytorch/pytorch", title: "", body })
        .scores[0]!.evidence.filter((e) => e.kind === "keyword")
        .map((e) => e.text);
    expect(keywords("Calling torch.export.export(m, args) fails")).toEqual(["torch.export.export"]);
    expect(keywords("Calling torch.export.save(ep) fails")).toEqual(["torch.export"]);
  });

  it("does not read module names or prose as keywords", () => {
    expect(issue("the distributed system is slow; linear algebra is hard").modules).toEqual([]);
  });

  it("adds nothing for the keyword of a module without a label in this repository", () => {
    const d = issue("torchvision transforms are slow");
    expect(d.modules).toEqual([]);
    expect(d.labels).toEqual([]);
  });
});

describe("routeIssue: what is not read", () => {
  it("ignores quoted lines but keeps Python prompts", () => {
    expect(issue(`> File "/x/site-packages/torch/nn/modules/module.py", line 1\n> torch.optim.Adam\nThanks`).modules).toEqual([]);
    expect(issue(`  > DataLoader is slow`).modules).toEqual([]);
    expect(names(issue(">>> torch.linalg.solve(A, b)\nRuntimeError"))).toEqual(["Linear Algebra"]);
  });

  it("keeps quote-like lines inside code blocks", () => {
    expect(names(issue("```\n> torch/optim/adam.py\n```"))).toEqual(["Optimizers"]);
  });

  it("ignores HTML comments, on one line or several, closed or not", () => {
    expect(issue("<!-- e.g. torch.optim.Adam or DataLoader -->\nMy bug").modules).toEqual([]);
    expect(names(issue("before <!-- torch.optim.Adam --> torch.fft.rfft <!-- DataLoader -->"))).toEqual(["FFT"]);
    expect(names(issue("<!--\nA template:\n```\ntorch/optim/adam.py\n```\n-->\nROCm"))).toEqual(["CUDA"]);
    expect(issue("text <!-- unclosed\nDataLoader\ntorch/optim/adam.py").modules).toEqual([]);
  });

  it("does not take prose with slashes for paths", () => {
    expect(issue("We ran a/b testing on input/output and/or read/write; see example.com/torch/nn/functional.py").modules).toEqual([]);
    expect(repoPathFromToken("a/b", DIRS)).toBeUndefined();
    expect(repoPathFromToken("1/2", DIRS)).toBeUndefined();
    expect(repoPathFromToken("/home/me/project/model.py", DIRS)).toBeUndefined();
    expect(repoPathFromToken("/usr/lib/python3/site-packages/six.py", DIRS)).toBeUndefined();
  });

  it("reads the title", () => {
    expect(names(issue("", "torch.onnx.export fails for LSTM"))).toEqual(["ONNX"]);
  });

  it("issueText drops quotes and comments but keeps code", () => {
    expect(issueText("T", "a <!-- b --> c\n> quoted\n```\n> code <!-- kept -->\n```", SETTINGS)).toBe("T\na   c\n> code <!-- kept -->");
  });
});

describe("routeIssue: decisions", () => {
  it("orders modules by configuration and labels by score, equal scores by configuration", () => {
    const d = issue("DataLoader then torch.fft.rfft then torch/nn/modules/module.py");
    expect(names(d)).toEqual(["NN", "FFT", "DataLoader"]);
    expect(d.labels).toEqual(["module: nn", "module: fft", "module: dataloader"]);
    expect(d.scores.map((s) => s.score)).toEqual([3, 2, 2]);
  });

  it("lists each piece of evidence once: links, then paths and names as they appear, then keywords", () => {
    const d = issue(
      "DataLoader torch.utils.data.DataLoader dataloader torch/utils/data/dataloader.py torch.utils.data.DataLoader " +
        "https://github.com/pytorch/pytorch/blob/main/torch/utils/data/sampler.py",
    );
    // Strongest first: paths (3), then the API name and the keyword (2).
    expect(d.modules[0]!.evidence).toEqual([
      {
        signal: "prose_path",
        kind: "path",
        text: "https://github.com/pytorch/pytorch/blob/main/torch/utils/data/sampler.py",
        path: "torch/utils/data/sampler.py",
        weight: 3,
      },
      { signal: "prose_path", kind: "path", text: "torch/utils/data/dataloader.py", path: "torch/utils/data/dataloader.py", weight: 3 },
      { signal: "prose_api", kind: "api", text: "torch.utils.data.DataLoader", path: "torch/utils/data/DataLoader.py", weight: 2 },
      { signal: "prose_keyword", kind: "keyword", text: "DataLoader", weight: 2 },
    ]);
  });

  it("lists only active maintainers", () => {
    const router = makeRouter(`${TRIAGE}modules:\n  - name: NN\n    label: "module: nn"\n    paths: [torch/nn/**]\n`, {
      entries: [
        {
          name: "NN",
          level: "module",
          maintainers: [
            { login: "gchanan", name: "Greg", emeritus: false },
            { login: "colesbury", name: "Sam", emeritus: true },
            { login: "albanD", name: "Alban", emeritus: false },
            { login: "alband", name: "Alban", emeritus: false },
          ],
        },
      ],
    });
    const d = routeIssue(router, { repository: "pytorch/pytorch", title: "", body: "torch.nn.Linear" });
    expect(d.modules[0]!.maintainers).toEqual(["gchanan", "albanD"]);
  });

  it("gives an owned repository's issues to the owner, with no labels and no text read", () => {
    const d = issue("torch.optim.Adam and DataLoader", "", "pytorch/vision");
    expect(d).toEqual({
      labels: [],
      modules: [{ name: "TorchVision", labels: [], areas: [], evidence: [], why: "owns the repository", maintainers: ["NicolasHug"] }],
      scores: [],
    });
  });

  it("returns nothing for nothing", () => {
    expect(issue("")).toEqual({ labels: [], modules: [], scores: [] });
  });
});

describe("routeIssue: bounded work", () => {
  it("reads only the first 64 KiB of a 2 MB body, quickly", () => {
    const frame = `  File "/x/site-packages/torch/nn/modules/module.py", line 1501, in _call_impl\n    torch.nn.functional.relu(a/b)\n`;
    const body = frame.repeat(Math.ceil((2 * 1024 * 1024) / frame.length)) + "\nDataLoader torch/optim/adam.py";
    expect(body.length).toBeGreaterThan(2 * 1024 * 1024);
    const start = performance.now();
    const d = issue(body);
    expect(performance.now() - start).toBeLessThan(2000);
    expect(names(d)).toEqual(["NN"]);
    expect(issueText("", body, SETTINGS).length).toBeLessThanOrEqual(MAX_ISSUE_TEXT);
  });

  it("stops looking up candidates after the cap", () => {
    const noise = Array.from({ length: 3000 }, (_, i) => `x/f${i}.py`).join(" ");
    expect(noise.length).toBeLessThan(MAX_ISSUE_TEXT - 100);
    expect(issue(`${noise} torch/optim/adam.py`).modules).toEqual([]);
    // Keywords are not candidates and are still found.
    expect(names(issue(`${noise} DataLoader`))).toEqual(["DataLoader"]);
  });

  it("survives a body of one huge token and of many comment openers", () => {
    expect(issue(`torch/${"a".repeat(200_000)}.py`).modules).toEqual([]);
    expect(issue("<!--".repeat(50_000)).modules).toEqual([]);
    expect(issue("torch." + "a.".repeat(40_000) + "b").modules).toEqual([]);
  });
});

const BUNDLED = existsSync(BUNDLED_CONFIG) && existsSync(BUNDLED_REGISTRY);

describe.skipIf(!BUNDLED)("routeIssue with the bundled PyTorch configuration", () => {
  let bundled: Router | undefined;
  const route = (body: string) => {
    bundled ??= loadRouter().router;
    return routeIssue(bundled, { repository: "pytorch/pytorch", title: "", body }).modules.map((m) => m.name);
  };

  it("routes Unix and Windows tracebacks by the frame that raised", () => {
    expect(route(`File "/usr/lib/python3/site-packages/torch/optim/adam.py", line 150, in step`)).toContain("Optimizers (torch.optim)");
    const windows = `File "C:\\Python311\\Lib\\site-packages\\torch\\utils\\data\\dataloader.py", line 114`;
    expect(route(windows)).toContain("Multiprocessing and DataLoaders");
  });

  it("passes over nn's module and functional frames: what raises there is the op", () => {
    expect(route(`File "/usr/lib/python3/site-packages/torch/nn/modules/module.py", line 1501, in _call_impl`)).toEqual([]);
  });

  it("routes API names and keywords of the title", () => {
    const title = (t: string) => {
      bundled ??= loadRouter().router;
      return routeIssue(bundled, { repository: "pytorch/pytorch", title: t, body: "" }).modules.map((m) => m.name);
    };
    expect(title("torch.optim.Adam")).toContain("Optimizers (torch.optim)");
    expect(title("torch.linalg.solve")).toContain("Linear Algebra (torch.linalg)");
    expect(title("torch.distributed.init_process_group")).toContain("Distributed");
    expect(title("my DataLoader hangs")).toContain("Multiprocessing and DataLoaders");
  });

  it("maps bare torch names and prose to nothing", () => {
    expect(route("torch.tensor and torch.zeros and torch.Tensor")).toEqual([]);
    expect(route("the distributed system uses a/b testing")).toEqual([]);
  });
});

describe("environment reports", () => {
  const ROUTER_TEXT = `${TRIAGE}modules:
  - name: ROCm
    label: "module: rocm"
    maintainers: [jeffdaily]
    keywords: [ROCm, MIOpen, HIP]
  - name: ONNX
    label: "module: onnx"
    maintainers: [BowenBao]
    keywords: [ONNX]
  - name: Distributed
    label: "oncall: distributed"
    maintainers: [mrshenli]
    keywords: [NCCL]
  - name: Linear Algebra
    label: "module: linear algebra"
    maintainers: [lezcano]
    paths: [torch/linalg/**]
    keywords: [cumsum]
`;
  const router = buildRouter(parseConfig(ROUTER_TEXT, "test.yml").config!, { entries: [] });
  const REPORT = [
    "Collecting environment information...",
    "PyTorch version: 2.5.1+cu124",
    "Is debug build: False",
    "ROCM used to build PyTorch: N/A",
    "HIP runtime version: N/A",
    "MIOpen runtime version: N/A",
    "Versions of relevant libraries:",
    "[pip3] nvidia-nccl-cu12==2.21.5",
    "[pip3] onnx==1.17.0",
  ].join("\n");

  it("ignores collect_env output inside a code block, and reads what follows it", () => {
    const body = `### 🐛 Describe the bug\n\ncumsum is wrong\n\n### Versions\n\n\`\`\`\n${REPORT}\n\`\`\`\n\nAlso seen with ROCm.\n`;
    const d = routeIssue(router, { repository: "pytorch/pytorch", title: "cumsum bug", body });
    expect(d.labels).toEqual(["module: linear algebra", "module: rocm"]);
    const rocm = d.modules.find((m) => m.name === "ROCm")!;
    expect(rocm.evidence).toEqual([{ signal: "prose_keyword", kind: "keyword", text: "ROCm", weight: 2 }]);
  });

  it("ignores collect_env output pasted without a code block, up to the next heading", () => {
    const body = `cumsum is wrong\n\n### Versions\n${REPORT}\n### Other\nnothing`;
    expect(routeIssue(router, { repository: "pytorch/pytorch", title: "bug", body }).labels).toEqual(["module: linear algebra"]);
  });
});

describe.skipIf(!BUNDLED)("weighted triage with the bundled PyTorch configuration", () => {
  let bundled: Router | undefined;
  const triage = (title: string, body = "") => {
    bundled ??= loadRouter().router;
    return routeIssue(bundled, { repository: "pytorch/pytorch", title, body });
  };
  const frames = (...paths: string[]) =>
    "```\nTraceback (most recent call last):\n" +
    paths.map((p) => `  File "/opt/conda/lib/python3.11/site-packages/${p}", line 10, in f\n    g()\n`).join("") +
    "RuntimeError: failed\n```";

  it("reads a traceback innermost-first: through dynamo, raised in inductor, is pt2; inductor needs the reporter to name it twice", () => {
    const trace = frames(
      "torch/_dynamo/eval_frame.py",
      "torch/_dynamo/convert_frame.py",
      "torch/_inductor/compile_fx.py",
      "torch/_inductor/graph.py",
      "torch/_inductor/scheduler.py",
      "torch/_inductor/lowering.py",
    );
    expect(triage("[inductor] Model fails", `Inductor's lowering raises.\n${trace}`).labels).toEqual(["oncall: pt2", "module: inductor"]);
    // Named once, in the title: below the label's own threshold (5), whatever the frames say.
    expect(triage("[inductor] Model fails", trace).scores.find((s) => s.label === "module: inductor")).toMatchObject({
      added: false,
      dropped: "no evidence of its own",
      score: 9,
      threshold: 5,
    });
    const d = triage("Model fails", trace);
    expect(d.labels).toEqual(["oncall: pt2"]);
    expect(d.scores.find((s) => s.label === "module: inductor")).toMatchObject({
      added: false,
      dropped: "no evidence of its own",
      score: 5,
    });
    expect(d.scores.find((s) => s.label === "module: dynamo")).toMatchObject({ added: false, dropped: "below threshold", score: 1.5 });
    expect(d.scores.find((s) => s.label === "module: inductor")!.evidence[0]).toEqual({
      signal: "frame_innermost",
      kind: "path",
      text: "/opt/conda/lib/python3.11/site-packages/torch/_inductor/lowering.py",
      path: "torch/_inductor/lowering.py",
      weight: 3,
    });
  });

  it("gives oncall: pt2 to a torch.compile title with no sub-area evidence, and reads title tags", () => {
    expect(triage("torch.compile output differs from eager").labels).toEqual(["oncall: pt2"]);
    expect(triage("[export] strict mode fails on a dict input").labels.sort()).toEqual(["oncall: export", "oncall: pt2"]);
    expect(triage("ONNX export fails for aten::unflatten").labels).toEqual(["module: onnx"]);
  });

  it("reads repro code as weak evidence: the same API names count in the title", () => {
    const repro =
      "```python\nimport torch.nn as nn\nfrom torch.autograd import Variable\nm = nn.Linear(3, 4)\ntorch.cuda.synchronize()\n```";
    expect(triage("Wrong output", repro).labels).toEqual([]);
    expect(triage("nn.Linear gives wrong output", repro).labels).toEqual(["module: nn"]);
  });

  it("counts an entry point called in a repro (torch.compile, torch.jit.script), not the training loop around it", () => {
    const loop = "```python\nopt = torch.optim.AdamW(model.parameters())\nloss = F.cross_entropy(model(x), y)\nloss.backward()\n```";
    expect(triage("Loss is NaN", loop).labels).toEqual([]);
    const compiled = "```python\ncm = torch.compile(model)\nprint((cm(x) - model(x)).abs().max())\n```";
    const d = triage("Outputs differ after upgrading", compiled);
    expect(d.labels).toEqual(["oncall: pt2"]);
    expect(d.scores[0]!.evidence).toEqual([{ signal: "code_entry_point", kind: "keyword", text: "torch.compile", weight: 3 }]);
  });

  it("takes no keyword from inside a path: a conda env named onnx, another library's profiler/ folder", () => {
    expect(
      triage("Crash", 'File "/home/u/miniconda3/envs/onnx/lib/python3.10/site-packages/mylib/profiler/hooks.py", line 3').labels,
    ).toEqual([]);
  });

  it("reads a build log's paths as weak evidence, and its markers as a build problem", () => {
    const log =
      "```\n[1/2] Building CXX object caffe2/CMakeFiles/torch_cpu.dir/__/torch/csrc/autograd/engine.cpp.o\n" +
      "/home/u/src/pytorch/torch/csrc/autograd/engine.cpp:120:5: error: 'x' was not declared in this scope\n" +
      "ninja: build stopped: subcommand failed.\n```";
    const d = triage("Cannot build from source on Ubuntu", log);
    expect(d.labels).toEqual(["module: build"]);
    expect(d.scores.find((s) => s.label === "module: autograd")).toMatchObject({ added: false, score: 0.25 });
  });

  it("ignores the Platforms line of DISABLED issues and maps the test to its module", () => {
    const d = triage("DISABLED test_foo_cuda (__main__.TestCudaMallocAsync)", "Platforms: rocm, linux\n\nTest file path: `test_cuda.py`");
    expect(d.labels).toEqual(["module: cuda"]);
    expect(triage("DISABLED test_x (__main__.TestSomethingElse)", "Platforms: rocm").labels).toEqual([]);
    expect(triage("DISABLED test_x (inductor.test_torchinductor.CpuTests)", "").labels.sort()).toEqual(["module: inductor", "oncall: pt2"]);
    // A sample error's frames outside the tests say nothing; the test file's own path does.
    const sample =
      "Sample error message\n```\nTraceback (most recent call last):\n" +
      '  File "/var/lib/jenkins/workspace/test/distributed/test_c10d_gloo.py", line 3, in test_x\n' +
      '  File "/opt/conda/lib/python3.10/site-packages/torch/_dynamo/utils.py", line 2, in f\n```';
    expect(triage("DISABLED test_x (__main__.ProcessGroupGlooTest)", sample).labels).toEqual(["oncall: distributed"]);
  });

  it("skips the environment report, whatever libraries it lists", () => {
    const env =
      "```\nCollecting environment information...\nPyTorch version: 2.5.0\nROCM used to build PyTorch: 6.2\nMIOpen runtime version: 3.2\n[pip3] onnx==1.16\n[conda] nccl 2.21\n```";
    expect(triage("torch.cat is slow", env).labels).toEqual([]);
  });

  it("does not add a module's label for evidence of one of its areas: oneDNN is mkldnn, not cpu", () => {
    const d = triage(
      "Slow conv",
      "```\nRuntimeError: could not create a primitive descriptor for a convolution forward propagation primitive\n```",
    );
    expect(d.labels).toEqual(["module: mkldnn"]);
    expect(d.scores.map((s) => s.label)).not.toContain("module: cpu");
  });

  it("labels CUDA out-of-memory reports and Windows DLL load failures", () => {
    expect(triage("OOM", "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB").labels).toEqual(["module: cuda"]);
    expect(
      triage("import fails", "ImportError: DLL load failed while importing _C: The specified module could not be found.").labels,
    ).toEqual(["module: windows"]);
  });

  it("adds at most two module labels, best first, but every oncall label that reaches the threshold", () => {
    const d = triage("DataLoader, Adam and FFT on Windows", "");
    expect(d.labels).toHaveLength(2);
    expect(d.scores.filter((s) => s.dropped === "over the cap").length).toBe(2);
    const pt2 = triage("[inductor] FSDP with torch.compile on Windows hangs in DataLoader", "");
    expect(pt2.labels.filter((l) => !l.startsWith("oncall:"))).toHaveLength(2);
    expect(pt2.labels).toContain("oncall: pt2");
    expect(pt2.labels).toContain("oncall: distributed");
  });

  it("describes each piece of evidence briefly", () => {
    const d = triage("torch.compile fails in Inductor", `Inductor raises.\n${frames("torch/_inductor/lowering.py")}`);
    expect(d.modules.find((m) => m.name.startsWith("Compilers"))!.why).toBe(
      'oncall: pt2 (title "Inductor" +4; title "torch.compile" +4), module: inductor (title "Inductor" +4; innermost frame torch/_inductor/lowering.py +3)',
    );
    expect(describeEvidence({ signal: "code_api", kind: "api", text: "torch.nn.Linear", path: "torch/nn/__init__.py", weight: 0.5 })).toBe(
      "API in code torch.nn.Linear +0.5",
    );
  });
});

describe("triage settings", () => {
  const base = `${TRIAGE.replace("threshold: 0.1", "threshold: 3").replace("max_module_labels: 20", "max_module_labels: 1")}
  weights: {prose_keyword: 2, title: 3}
modules:
  - name: A
    label: "module: a"
    keywords: [alpha]
  - name: B
    label: "module: b"
    keywords: [beta]
  - name: C
    label: "oncall: c"
    keywords: [gamma]
`;
  const router = makeRouter(base);
  const labels = (title: string, body: string) => routeIssue(router, { repository: "o/r", title, body }).labels;

  it("adds a label at the threshold: one prose keyword (2) is not enough, two mentions of one are not either", () => {
    expect(labels("", "alpha")).toEqual([]);
    expect(labels("", "alpha and alpha")).toEqual([]);
    expect(labels("alpha", "")).toEqual(["module: a"]);
    expect(labels("", "alpha\n```\nalpha\n```\nalpha")).toEqual([]); // 2 + 0.5
  });

  it("caps module labels but not the uncapped prefixes", () => {
    expect(labels("beta alpha gamma", "beta")).toEqual(["module: b", "oncall: c"]);
  });

  describe("thresholds per label, passing mentions, sub-labels, native frames", () => {
    const rules = makeRouter(`${TRIAGE.replace("threshold: 0.1", "threshold: 3").replace("max_module_labels: 20", "max_module_labels: 5")}
  weights: {prose_keyword: 2, title: 4, native_frame: 3}
  label_thresholds: [{label: "module: nn", threshold: 5}]
  passing_threshold: 6
  sub_labels_need_own_evidence: true
modules:
  - name: NN
    label: "module: nn"
    keywords: [Conv2d]
  - name: Optim
    label: "module: optimizer"
    keywords: [Adam, SGD]
  - name: CUDA
    label: "module: cuda"
    keywords: [CUDA error]
  - name: Compilers
    areas:
      - name: Inductor
        label: "module: inductor"
        labels: ["oncall: pt2"]
        paths: [torch/_inductor/**]
        keywords: [Inductor]
  - name: CPU
    label: "module: cpu"
${ONEDNN_AREA}`);
    const decide = (title: string, body: string) => routeIssue(rules, { repository: "o/r", title, body });
    const score = (d: IssueDecision, label: string) => d.scores.find((s) => s.label === label);

    it("a label with its own threshold needs that score, and says so", () => {
      const d = decide("Conv2d gives NaN", "");
      expect(d.labels).toEqual([]);
      expect(score(d, "module: nn")).toMatchObject({ score: 4, threshold: 5, added: false, dropped: "below threshold" });
      expect(decide("Conv2d gives NaN", "Conv2d again, a Conv2d with stride").labels).toEqual(["module: nn"]); // 4 + 2
    });

    it("a module named in passing does not join the subject: it needs passing_threshold", () => {
      const prose = "Training with SGD and then Adam, momentum 0.9.";
      const d = decide("RuntimeError: CUDA error: an illegal memory access was encountered", prose);
      expect(d.labels).toEqual(["module: cuda"]);
      expect(score(d, "module: optimizer")).toMatchObject({ score: 3, added: false, dropped: "a passing mention" });
      // Without a subject, the same mentions reach the ordinary threshold.
      expect(decide("Training diverges", prose).labels).toEqual(["module: optimizer"]);
      // Named in passing often enough, it is a second subject.
      expect(decide("CUDA error: launch failure", `${prose} SGD, Adam, SGD.\n\nAdam is in the title of my notes too: Adam`).labels).toEqual(
        ["module: cuda"],
      );
    });

    it("a sub-label needs evidence the reporter wrote that reaches its threshold alone, not frames; its area label keeps the frames", () => {
      const trace =
        'Traceback (most recent call last):\n  File "/x/site-packages/torch/_inductor/graph.py", line 3, in run\n' +
        '  File "/x/site-packages/torch/_inductor/lowering.py", line 9, in full\nAssertionError: bad';
      const d = decide("Model fails", trace);
      expect(d.labels).toEqual(["oncall: pt2"]);
      expect(score(d, "module: inductor")).toMatchObject({ added: false, dropped: "no evidence of its own" });
      expect(decide("Inductor: model fails", trace).labels).toEqual(["module: inductor", "oncall: pt2"]);
      // Named in passing (a prose keyword, 2) beside the frames: its own evidence does not reach the threshold alone.
      const passing = decide("Model fails", `I compile with the default Inductor backend.\n\n${trace}`);
      expect(passing.labels).toEqual(["oncall: pt2"]);
      expect(score(passing, "module: inductor")).toMatchObject({ score: 6, added: false, dropped: "no evidence of its own" });
    });

    it("reads keywords in a native backtrace as the part that failed", () => {
      const gdb =
        "```\n#10 0x00007fd2 in dnnl::impl::cpu::x64::brgemm_kernel_create() from libtorch_cpu.so\n#11 0x00007fd3 in main ()\n```";
      const d = decide("Segfault in conv3d", gdb);
      expect(d.labels).toEqual(["module: mkldnn"]);
      expect(score(d, "module: mkldnn")!.evidence).toEqual([{ signal: "native_frame", kind: "keyword", text: "dnnl", weight: 3 }]);
      // The same words in ordinary code are weak.
      expect(decide("Segfault in conv3d", "```\nx = dnnl.run()\n```").labels).toEqual([]);
    });
  });

  describe("a label beside the issue's subject: broad labels and a second capped label", () => {
    const beside = makeRouter(`${TRIAGE.replace("threshold: 0.1", "threshold: 3").replace("max_module_labels: 20", "max_module_labels: 5")}
  weights: {prose_keyword: 2, title: 4}
  broad_labels: ["module: nn", "module: cpu"]
  broad_label_threshold: 8
  second_label_share: 0.5
modules:
  - name: NN
    label: "module: nn"
    keywords: [Conv2d, Conv1d]
  - name: Sparse
    label: "module: sparse"
    keywords: [CSR, COO]
  - name: Optim
    label: "module: optimizer"
    keywords: [Adam, SGD]
  - name: CPU
    label: "module: cpu"
    keywords: [CPU kernel]
${ONEDNN_AREA}`);
    const decide = (title: string, body = "") => routeIssue(beside, { repository: "o/r", title, body });
    const score = (d: IssueDecision, label: string) => d.scores.find((s) => s.label === label);

    it("a broad label beside a specific label of another module needs broad_label_threshold, and says so", () => {
      const d = decide("Conv2d on a CSR tensor fails");
      expect(d.labels).toEqual(["module: sparse"]);
      expect(score(d, "module: nn")).toMatchObject({
        score: 4,
        threshold: 8,
        added: false,
        dropped: "a broad label beside a specific one",
      });
      // Alone, it is the subject: the ordinary threshold.
      expect(decide("Conv2d gives NaN").labels).toEqual(["module: nn"]);
      // Named as much as the other part, it is a second subject.
      expect(decide("Conv2d and Conv1d on a CSR tensor fail", "Conv2d.").labels).toEqual(["module: nn", "module: sparse"]);
    });

    it("a broad label keeps the ordinary threshold beside a part of its own module", () => {
      expect(decide("dnnl primitive fails in the CPU kernel").labels).toEqual(["module: cpu", "module: mkldnn"]);
    });

    it("a capped label after the first needs second_label_share of the first one's score, and says so", () => {
      const d = decide("CSR to COO conversion fails with Adam", "The CSR and COO layouts.");
      expect(d.labels).toEqual(["module: sparse"]);
      expect(score(d, "module: sparse")!.score).toBe(9);
      expect(score(d, "module: optimizer")).toMatchObject({ score: 4, threshold: 4.5, added: false, dropped: "far below the first label" });
      expect(decide("CSR to COO conversion fails with Adam and SGD", "The CSR and COO layouts.").labels).toEqual([
        "module: sparse",
        "module: optimizer",
      ]);
    });
  });

  describe("yields_to: a queue that takes an issue whole", () => {
    const queues = makeRouter(`${TRIAGE.replace("threshold: 0.1", "threshold: 3").replace("max_module_labels: 20", "max_module_labels: 5")}
  weights: {prose_keyword: 2, title: 4, code_keyword: 0.5}
  yields_to:
    - {to: "module: exporter", labels: ["module: compiler", "module: nn"]}
modules:
  - name: Exporter
    label: "module: exporter"
    keywords: [exporter]
  - name: Compiler
    label: "module: compiler"
    keywords: [compiler]
  - name: NN
    label: "module: nn"
    keywords: [Conv2d]
`);
    const decide = (title: string, body = "") => routeIssue(queues, { repository: "o/r", title, body });

    it("drops a listed label beside the queue's label when the title names the queue, and says which", () => {
      const d = decide("exporter fails on a compiler graph with Conv2d", "The compiler and Conv2d again.");
      expect(d.labels).toEqual(["module: exporter"]);
      for (const label of ["module: compiler", "module: nn"]) {
        expect(
          d.scores.find((s) => s.label === label),
          label,
        ).toMatchObject({
          added: false,
          dropped: "yields to another label",
          yieldedTo: "module: exporter",
        });
      }
    });

    it("a label yields to the queue that keeps the issue when its own queue yields too", () => {
      const chained = makeRouter(`${TRIAGE.replace("threshold: 0.1", "threshold: 3")}
  weights: {title: 4}
  yields_to:
    - {to: "module: compiler", labels: ["module: nn"]}
    - {to: "module: exporter", labels: ["module: compiler", "module: nn"]}
modules:
  - {name: Exporter, label: "module: exporter", keywords: [exporter]}
  - {name: Compiler, label: "module: compiler", keywords: [compiler]}
  - {name: NN, label: "module: nn", keywords: [Conv2d]}
`);
      const d = routeIssue(chained, { repository: "o/r", title: "exporter and compiler fail on Conv2d", body: "" });
      expect(d.labels).toEqual(["module: exporter"]);
      expect(d.scores.find((s) => s.label === "module: nn")).toMatchObject({ yieldedTo: "module: exporter" });
      // Without the exporter, the compiler keeps the issue and nn yields to it.
      const c = routeIssue(chained, { repository: "o/r", title: "compiler fails on Conv2d", body: "" });
      expect(c.labels).toEqual(["module: compiler"]);
      expect(c.scores.find((s) => s.label === "module: nn")).toMatchObject({ yieldedTo: "module: compiler" });
    });

    it("keeps them when the queue is only named in passing, or not at all", () => {
      // The exporter in a code block only: not the subject, so the compiler keeps its label.
      expect(decide("compiler fails", "```\nrun(exporter)\n```").labels).toEqual(["module: compiler"]);
      expect(decide("compiler fails on Conv2d").labels).toEqual(["module: compiler", "module: nn"]);
    });
  });

  describe("a keyword with a leading *: the end of a longer word", () => {
    const kernels = makeRouter(`${TRIAGE.replace("threshold: 0.1", "threshold: 3")}
  weights: {title: 4, error: 3, prose_keyword: 2}
modules:
  - {name: GPU, label: "module: gpu", keywords: ['*_gpu" not implemented for']}
`);
    const labels = (title: string, body = "") => routeIssue(kernels, { repository: "o/r", title, body }).labels;

    it("matches any kernel name ending so, and only at the end of a word", () => {
      expect(labels("RuntimeError: \"erfinv_gpu\" not implemented for 'BFloat16'")).toEqual(["module: gpu"]);
      expect(labels("", "```\nRuntimeError: \"pad1d_gpu\" not implemented for 'Half'\n```")).toEqual(["module: gpu"]);
      // The bare suffix, or the words without the quote, are not the error.
      expect(labels('"_gpu" not implemented for Half')).toEqual([]);
      expect(labels("erfinv_gpu not implemented for Half")).toEqual([]);
    });
  });

  describe("title_keywords: a word that names a module only in the title", () => {
    const devices = makeRouter(`${TRIAGE.replace("threshold: 0.1", "threshold: 3").replace("max_module_labels: 20", "max_module_labels: 5")}
  weights: {prose_keyword: 2, title: 4, title_keyword: 3.5}
  passing_threshold: 6
modules:
  - name: GPU
    label: "module: gpu"
    keywords: [illegal memory access]
    title_keywords: [GPU]
  - name: FFT
    label: "module: fft"
    keywords: [fftn, rfftn]
`);
    const decide = (title: string, body = "") => routeIssue(devices, { repository: "o/r", title, body });

    it("labels an issue whose title names it, with its own signal", () => {
      const d = decide("median differs between CPU and GPU");
      expect(d.labels).toEqual(["module: gpu"]);
      expect(d.scores[0]!.evidence).toEqual([{ signal: "title_keyword", kind: "keyword", text: "GPU", weight: 3.5 }]);
    });

    it("counts nowhere but the title", () => {
      expect(decide("median gives a wrong value", "On my GPU the median is wrong.\n```\nx = x.to('gpu')\n```").labels).toEqual([]);
    });

    it("is not the subject beside another label's: that one keeps the issue", () => {
      // fftn in prose (2) alone is below the threshold; the title's GPU does not make it a passing mention.
      expect(decide("fftn is wrong on a GPU", "").labels).toEqual(["module: fft"]);
      const d = decide("wrong results on a GPU", "torch.fft.fftn gives wrong values.\n\nRuntimeError: illegal memory access");
      expect(d.labels).toEqual(["module: gpu"]);
      // Beside a subject named in the title, the title keyword alone is a passing mention.
      const beside = decide("fftn returns NaN on GPU", "");
      expect(beside.labels).toEqual(["module: fft"]);
      expect(beside.scores.find((s) => s.label === "module: gpu")).toMatchObject({ added: false, dropped: "a passing mention" });
    });

    it("names a module only where nothing else is named", () => {
      // fftn and rfftn in prose (2 + 1) reach the threshold without being the subject: the title's GPU gives way to them.
      const d = decide("wrong values on a GPU", "Both fftn and rfftn give wrong values here.");
      expect(d.labels).toEqual(["module: fft"]);
      expect(d.scores.find((s) => s.label === "module: gpu")).toMatchObject({
        added: false,
        dropped: "a title keyword beside another label",
      });
      // With an error of its own, the GPU label stands on more than the title keyword, and the error makes it the subject.
      const own = decide("wrong values on a GPU", "Both fftn and rfftn fail.\n\nRuntimeError: illegal memory access");
      expect(own.labels).toEqual(["module: gpu"]);
      expect(own.scores.find((s) => s.label === "module: fft")).toMatchObject({ added: false, dropped: "a passing mention" });
    });
  });
});
