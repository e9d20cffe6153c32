// The bundled PyTorch configuration (config/pytorch/review-router.yml + registry.yml): real
// pytorch/pytorch paths must reach the modules (and labels) the PyTorch sources give them.
// Each group names the source line that backs it: CO = CODEOWNERS, LB = labeler.yml,
// MR = merge_rules.yaml, ALB = autoLabelBot, INF = this configuration's own inference.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { route } from "../../src/core/route.js";
import { loadRouter } from "../../src/io/files.js";

const FIXTURE = (name: string) => fileURLToPath(new URL(`../fixtures/pytorch/${name}`, import.meta.url));
const tree = readFileSync(FIXTURE("tree.txt"), "utf8").split("\n").filter(Boolean);

const { router, loaded } = loadRouter();

const NN = "NN APIs (torch.nn)";
const OPTIM = "Optimizers (torch.optim)";
const AUTOGRAD = "Autograd (torch.autograd)";
const COMPILERS = "Compilers (JIT / TorchScript / FX / TorchDynamo)";
const DISTRIBUTIONS = "Distributions & RNG";
const DISTRIBUTED = "Distributed";
const DATA = "Multiprocessing and DataLoaders";
const LINALG = "Linear Algebra (torch.linalg)";
const SPARSE = "Sparse (torch.sparse)";
const NESTED = "NestedTensor (torch.nested)";
const MASKED = "MaskedTensor (torch.masked)";
const FFT = "Fast Fourier Transform (torch.fft)";
const CPU = "CPU Performance (Torch Inductor / MKLDNN)";
const GPU = "GPU Performance (Torch Inductor / Triton / CUDA)";
const NVFUSER = "NVFuser";
const ROCM = "AMD/ROCm/HIP";
const CI = "Build + CI";
const PERF = "Performance Tools";
const CPP = "C++ API";
const C10 = "C10 utils and operator dispatch";
const ONNX = "ONNX exporter";
const MOBILE = "Mobile / Edge";
const QUANT = "Model Compression & Optimization";
const WINDOWS = "Windows";
const MPS = "Apple M1/MPS";
const POWER = "PowerPC";
const DOCS = "Docs / Tutorials";
const XLA = "XLA";
const SERVE = "TorchServe";
const VISION = "TorchVision";
const TEXT = "TorchText";
const AUDIO = "TorchAudio";
const TORCHREC = "TorchRec";
const TORCHX = "TorchX";
const TORCHDATA = "TorchData / TorchArrow";

const MODULE_LEVEL = [
  NN,
  OPTIM,
  AUTOGRAD,
  COMPILERS,
  DISTRIBUTIONS,
  DISTRIBUTED,
  DATA,
  LINALG,
  SPARSE,
  NESTED,
  MASKED,
  FFT,
  CPU,
  GPU,
  NVFUSER,
  ROCM,
  CI,
  PERF,
  CPP,
  C10,
  ONNX,
  MOBILE,
  QUANT,
  WINDOWS,
  MPS,
  POWER,
  DOCS,
];
const LIBRARY_LEVEL = [XLA, SERVE, VISION, TEXT, AUDIO, TORCHREC, TORCHX, TORCHDATA];

function routeFile(path: string, repository = "pytorch/pytorch") {
  return route(router, { repository, prNumber: 1, author: "octocat", files: [{ path }] });
}
const modulesOf = (path: string, repository?: string) =>
  routeFile(path, repository)
    .modules.map((m) => m.name)
    .sort();
const labelsOf = (path: string, repository?: string) => [...routeFile(path, repository).labels].sort();

interface Case {
  path: string;
  modules: string[];
  labels?: string[];
}

function check(cases: Case[]) {
  it.each(cases)("$path", ({ path, modules, labels }) => {
    expect(modulesOf(path), path).toEqual([...modules].sort());
    if (labels) expect(labelsOf(path), path).toEqual([...labels].sort());
  });
}

describe("the bundled PyTorch configuration", () => {
  it("loads with its registry and reports no error", () => {
    expect(loaded.problems.filter((p) => p.severity === "error")).toEqual([]);
    expect(loaded.registryFile.endsWith("config/pytorch/registry.yml")).toBe(true);
  });

  it("has one module per module-level and library-level entry of the maintainers page, and no other", () => {
    const names = router.modules.map((m) => m.spec.name);
    expect(MODULE_LEVEL).toHaveLength(27);
    expect(LIBRARY_LEVEL).toHaveLength(8);
    expect([...names].sort()).toEqual([...MODULE_LEVEL, ...LIBRARY_LEVEL].sort());
    expect(names).not.toContain("Core Maintainers");
    expect(names).not.toContain("Lead Core Maintainer (BDFL)");
  });

  it("uses the page's headings exactly (checked against the seed page itself)", () => {
    const page = readFileSync(FIXTURE("pytorch-governance-maintainers.txt"), "utf8");
    const start = page.indexOf("## Module-level maintainers");
    const headings = [...page.slice(start).matchAll(/^### (.+?)¶?$/gm)].map((m) => m[1]!.trim());
    expect(headings).toHaveLength(35);
    expect([...headings].sort()).toEqual([...MODULE_LEVEL, ...LIBRARY_LEVEL].sort());
  });

  it("resolves every module to its registry entry by name, with maintainers", () => {
    for (const m of router.modules) {
      expect(m.maintainersFrom, m.spec.name).toBe(m.spec.name);
      expect(m.maintainers.length, m.spec.name).toBeGreaterThan(0);
    }
  });

  it("writes the reviewer policy out with its defaults", () => {
    expect(loaded.config.policy).toEqual({
      reviewersPerModule: 1,
      maxReviewers: 3,
      fallbackReviewers: [],
      unavailable: [],
      ignoreAuthors: ["pytorchbot", "pytorchmergebot", "*[bot]"],
      defaultReviewers: [],
      defaultReviewersEntry: "Core Maintainers",
      maxOpenReviews: 15,
      expertiseWindowDays: 180,
      expertiseHalfLifeDays: 30,
      widenToRecentApprovers: true,
      widenMinApprovals: 2,
    });
  });

  it("asks one of the core maintainers for the files no module owns", () => {
    const d = route(router, { repository: "pytorch/pytorch", prNumber: 5, author: "someone", files: [{ path: "CONTRIBUTING.md" }] });
    expect(d.unmatched).toEqual(["CONTRIBUTING.md"]);
    const core = ["soumith", "ezyang", "gchanan", "dzhulgakov", "malfet"];
    expect(d.reviewers).toHaveLength(1);
    expect(core).toContain(d.reviewers[0]);
    expect(d.unownedReviewers).toEqual(d.reviewers);
  });

  it("labels bot pull requests but requests no review for them", () => {
    for (const author of ["pytorchbot", "pytorchmergebot", "dependabot[bot]"]) {
      const d = route(router, { repository: "pytorch/pytorch", prNumber: 2, author, files: [{ path: "torch/optim/adam.py" }] });
      expect(d.labels, author).toEqual(["module: optimizer"]);
      expect(d.reviewers, author).toEqual([]);
    }
    const human = route(router, {
      repository: "pytorch/pytorch",
      prNumber: 2,
      author: "octocat",
      files: [{ path: "torch/optim/adam.py" }],
    });
    expect(human.reviewers).toHaveLength(1);
  });

  it("gives each library its repository", () => {
    const repos = Object.fromEntries(router.modules.map((m) => [m.spec.name, m.spec.repositories]));
    expect(repos[XLA]).toEqual(["pytorch/xla"]);
    expect(repos[SERVE]).toEqual(["pytorch/serve"]);
    expect(repos[VISION]).toEqual(["pytorch/vision"]);
    expect(repos[TEXT]).toEqual(["pytorch/text"]);
    expect(repos[AUDIO]).toEqual(["pytorch/audio"]);
    expect(repos[TORCHREC]).toEqual(["pytorch/torchrec"]);
    expect(repos[TORCHX]).toEqual(["pytorch/torchx"]);
    expect(repos[TORCHDATA]).toEqual(["pytorch/data", "pytorch/torcharrow"]);
    for (const name of MODULE_LEVEL) expect(repos[name], name).toEqual([]);
  });

  it("carries the issue keywords that name modules unambiguously", () => {
    const kw = (name: string) => {
      const m = router.modules.find((x) => x.spec.name === name)!.spec;
      return [...m.keywords, ...m.areas.flatMap((a) => a.keywords)].map((k) => k.toLowerCase());
    };
    expect(kw(DATA)).toContain("dataloader");
    expect(kw(ONNX)).toContain("onnx");
    expect(kw(MPS)).toContain("mps");
    expect(kw(ROCM)).toEqual(expect.arrayContaining(["rocm", "hip", "miopen"]));
    expect(kw(NESTED)).toContain("nestedtensor");
    expect(kw(FFT)).toContain("fft");
    expect(kw(WINDOWS)).toContain("windows");
    expect(kw(COMPILERS)).toEqual(expect.arrayContaining(["torchscript", "torchdynamo", "torchinductor"]));
    expect(kw(QUANT)).toContain("quantization");
    expect(kw(MOBILE)).toEqual(expect.arrayContaining(["android", "ios"]));
    expect(kw(DISTRIBUTED)).toEqual(expect.arrayContaining(["ddp", "fsdp", "nccl"]));
    expect(kw(PERF)).toContain("profiler");
    expect(kw(NVFUSER)).toContain("nvfuser");
    expect(kw(POWER)).toContain("ppc64le");
    // Keywords are whole words or phrases; none is a word that every bug report contains.
    for (const m of router.modules)
      for (const k of [...m.spec.keywords, ...m.spec.areas.flatMap((a) => a.keywords)]) {
        expect(["cuda", "gpu", "torch", "python", "error", "model", "tensor", "nn", "nn.module", "bug"], m.spec.name).not.toContain(
          k.toLowerCase(),
        );
      }
  });
});

describe("paths of pytorch/pytorch", () => {
  describe("NN (CO [python_nn_api] /torch/nn/; ALB test_nn.py)", () => {
    check([
      { path: "torch/nn/modules/conv.py", modules: [NN], labels: ["module: nn"] },
      { path: "test/test_nn.py", modules: [NN], labels: ["module: nn"] },
      // CO "# label: module: nn, module: nn.utils.parametrize"
      { path: "torch/nn/utils/parametrize.py", modules: [NN], labels: ["module: nn", "module: nn.utils.parametrize"] },
      // CO "# label: module: flex attention" /torch/nn/attention/flex_attention.py; its kernels are CO "oncall: pt2, ..., module: flex attention"
      { path: "torch/nn/attention/flex_attention.py", modules: [NN], labels: ["module: nn", "module: flex attention", "oncall: pt2"] },
      // module-paths.md: NN's "module: rnn" sublabel names the RNN kernels
      { path: "aten/src/ATen/native/RNN.cpp", modules: [NN], labels: ["module: nn"] },
    ]);
  });

  describe("torch/nn/parallel is Distributed, not NN (LB oncall: distributed; CO 'module: ddp' /torch/nn/parallel/)", () => {
    check([
      { path: "torch/nn/parallel/distributed.py", modules: [DISTRIBUTED], labels: ["oncall: distributed", "module: ddp"] },
      { path: "torch/nn/parallel/data_parallel.py", modules: [DISTRIBUTED], labels: ["oncall: distributed", "module: ddp"] },
    ]);
  });

  describe("quantized nn modules are quantization, not NN (ALB release notes: quantization; CO torch/ao/nn/quantized)", () => {
    check([{ path: "torch/nn/quantized/modules/linear.py", modules: [QUANT], labels: ["oncall: quantization"] }]);
  });

  describe("Optimizers (CO [core_aten_optimizers]: /torch/optim/, Fused*, Foreach* = module: mta)", () => {
    check([
      { path: "torch/optim/adam.py", modules: [OPTIM], labels: ["module: optimizer"] },
      { path: "test/test_optim.py", modules: [OPTIM], labels: ["module: optimizer"] },
      { path: "aten/src/ATen/native/ForeachOpsKernels.cpp", modules: [OPTIM], labels: ["module: optimizer", "module: mta"] },
      // MR 'Sparse' also claims torch/optim/sparse* (SparseAdam)
      { path: "torch/optim/sparse_adam.py", modules: [OPTIM, SPARSE], labels: ["module: optimizer", "module: sparse"] },
      // INF aten/src/ATen/native/**/Fused* + CO [backend_mps] /aten/src/ATen/native/mps/
      {
        path: "aten/src/ATen/native/mps/operations/FusedAdamKernel.mm",
        modules: [OPTIM, MPS],
        labels: ["module: optimizer", "module: mps"],
      },
    ]);
  });

  describe("Autograd (CO [autograd]; [infra_codegen] 'module: codegen, module: autograd' /tools/autograd/)", () => {
    check([
      { path: "torch/autograd/function.py", modules: [AUTOGRAD], labels: ["module: autograd"] },
      { path: "torch/csrc/autograd/engine.cpp", modules: [AUTOGRAD], labels: ["module: autograd"] },
      // a file of three modules: MR 'OSS CI' tools/** too, and CO's "module: codegen" puts it in C10's Codegen area
      // (whose module label comes with it, as for torchgen/)
      {
        path: "tools/autograd/derivatives.yaml",
        modules: [AUTOGRAD, CI, C10],
        labels: ["module: autograd", "module: ci", "module: dispatch", "module: codegen"],
      },
      // LBn "module: compiled autograd" torch/_dynamo/compiled_autograd.py, also LB "module: dynamo"
      {
        path: "torch/_dynamo/compiled_autograd.py",
        modules: [AUTOGRAD, COMPILERS],
        labels: ["module: autograd", "module: compiled autograd", "module: dynamo", "oncall: pt2"], // CO "oncall: pt2, module: compiled autograd"
      },
    ]);
  });

  describe("the profiler under torch/autograd is Performance Tools (CO [profiler] /torch/autograd/profiler*, later rule wins)", () => {
    check([
      { path: "torch/autograd/profiler.py", modules: [PERF], labels: ["oncall: profiler"] },
      { path: "torch/autograd/profiler_util.py", modules: [PERF], labels: ["oncall: profiler"] },
      { path: "torch/csrc/autograd/profiler_kineto.cpp", modules: [PERF], labels: ["oncall: profiler"] },
      { path: "torch/profiler/profiler.py", modules: [PERF], labels: ["oncall: profiler"] },
    ]);
  });

  describe("Compilers: one label per area, and oncall: pt2 for the compile stack (CO '# label: oncall: pt2, ...' lines)", () => {
    check([
      // CO [compiler_dynamo] "oncall: pt2, module: dynamo"
      { path: "torch/_dynamo/variables/builder.py", modules: [COMPILERS], labels: ["module: dynamo", "oncall: pt2"] },
      { path: "torch/fx/graph.py", modules: [COMPILERS], labels: ["module: fx"] },
      { path: "test/test_fx.py", modules: [COMPILERS], labels: ["module: fx"] },
      // CO [compiler_inductor] "oncall: pt2, module: inductor"
      { path: "torch/_inductor/codegen/common.py", modules: [COMPILERS], labels: ["module: inductor", "oncall: pt2"] },
      { path: "torch/jit/_script.py", modules: [COMPILERS], labels: ["oncall: jit"] },
      { path: "torch/csrc/jit/ir/ir.cpp", modules: [COMPILERS], labels: ["oncall: jit"] },
      // LB "NNC": torch/csrc/jit/tensorexpr/** (kept out of the JIT area)
      { path: "torch/csrc/jit/tensorexpr/kernel.cpp", modules: [COMPILERS], labels: ["NNC"] },
      // CO "oncall: export"; triagers queue export in pt2 too
      { path: "torch/_export/serde/schema.py", modules: [COMPILERS], labels: ["oncall: export", "oncall: pt2"] },
      // CO "oncall: pt2, module: aotdispatch" (kept out of the functorch area)
      { path: "torch/_functorch/aot_autograd.py", modules: [COMPILERS], labels: ["module: aotdispatch", "oncall: pt2"] },
      {
        path: "torch/_functorch/_aot_autograd/complex_decomposition.py",
        modules: [COMPILERS],
        labels: ["module: aotdispatch", "oncall: pt2"],
      },
      { path: "torch/_functorch/compilers.py", modules: [COMPILERS], labels: ["module: aotdispatch", "oncall: pt2"] },
      { path: "torch/_functorch/vmap.py", modules: [COMPILERS], labels: ["module: functorch"] },
      // CO "oncall: pt2, module: fakeTensor"; the shared compile-stack area
      { path: "torch/_subclasses/fake_tensor.py", modules: [COMPILERS], labels: ["module: pt2-dispatcher", "oncall: pt2"] },
      { path: "torch/_subclasses/meta_utils.py", modules: [COMPILERS], labels: ["oncall: pt2"] },
      // Outside the compile stack: no oncall: pt2
      { path: "torch/fx/proxy.py", modules: [COMPILERS], labels: ["module: fx"] },
      { path: "torch/package/package_exporter.py", modules: [COMPILERS], labels: ["oncall: package/deploy"] },
      // CO "oncall: pt2, module: dynamic shapes": not "module: fx" although it is under torch/fx
      { path: "torch/fx/experimental/symbolic_shapes.py", modules: [COMPILERS], labels: ["module: dynamic shapes", "oncall: pt2"] },
      // CO "module: higher order operators"; L2L -> module: pt2-dispatcher
      { path: "torch/_higher_order_ops/flex_attention.py", modules: [COMPILERS], labels: ["module: pt2-dispatcher", "oncall: pt2"] },
      // LBn "release notes: inductor (aoti)" torch/_inductor/codegen/aoti_runtime/**, inside LB torch/_inductor/**
      {
        path: "torch/_inductor/codegen/aoti_runtime/interface.cpp",
        modules: [COMPILERS],
        labels: ["module: inductor", "module: aotinductor", "oncall: pt2"],
      },
      // CO "oncall: pt2, module: dynamo, module: onnx"
      { path: "torch/_dynamo/backends/onnxrt.py", modules: [COMPILERS, ONNX], labels: ["module: dynamo", "module: onnx", "oncall: pt2"] },
    ]);
  });

  describe("compiler files owned elsewhere: ONNX passes (CO [onnx_export]), NVFuser (MR), mobile (CO [mobile_runtime])", () => {
    check([
      { path: "torch/csrc/jit/passes/onnx/peephole.cpp", modules: [ONNX], labels: ["module: onnx"] },
      { path: "torch/csrc/jit/passes/onnx.cpp", modules: [ONNX], labels: ["module: onnx"] },
      { path: "torch/csrc/jit/codegen/cuda/fusion.cpp", modules: [NVFUSER], labels: ["module: nvfuser"] },
      { path: "test/test_jit_cuda_fuser.py", modules: [NVFUSER], labels: ["module: nvfuser"] },
      { path: "torch/csrc/jit/mobile/import.cpp", modules: [MOBILE], labels: ["oncall: mobile"] },
      // CO [mobile_runtime] names this one file of test/cpp/jit/ (the rest stays TorchScript)
      { path: "test/cpp/jit/test_mobile_type_parser.cpp", modules: [MOBILE], labels: ["oncall: mobile"] },
      { path: "test/cpp/jit/test_alias_analysis.cpp", modules: [COMPILERS], labels: ["oncall: jit"] },
      // INF: TorchScript graph-mode quantization is both
      {
        path: "torch/csrc/jit/passes/quantization/finalize.cpp",
        modules: [COMPILERS, QUANT],
        labels: ["oncall: jit", "oncall: quantization"],
      },
    ]);
  });

  describe("Inductor backends (INF from the CPU / GPU Performance headings) and MPS (LBn ciflow/mps)", () => {
    check([
      { path: "torch/_inductor/codegen/cpp.py", modules: [COMPILERS, CPU], labels: ["module: inductor", "module: cpu", "oncall: pt2"] },
      {
        path: "torch/_inductor/codegen/cuda/gemm_template.py",
        modules: [COMPILERS, GPU],
        labels: ["module: inductor", "module: cuda", "oncall: pt2"],
      },
      { path: "torch/_inductor/codegen/mps.py", modules: [COMPILERS, MPS], labels: ["module: inductor", "module: mps", "oncall: pt2"] },
    ]);
  });

  describe("Distributed (LB oncall: distributed; CO c10d / dtensor lines; MR benchmarks/distributed)", () => {
    check([
      { path: "torch/distributed/distributed_c10d.py", modules: [DISTRIBUTED], labels: ["oncall: distributed", "module: c10d"] },
      { path: "torch/csrc/distributed/c10d/init.cpp", modules: [DISTRIBUTED], labels: ["oncall: distributed", "module: c10d"] },
      { path: "torch/lib/c10d/ProcessGroupNCCL.cpp", modules: [DISTRIBUTED], labels: ["oncall: distributed", "module: c10d"] },
      {
        path: "torch/distributed/tensor/placement_types.py",
        modules: [DISTRIBUTED],
        labels: ["oncall: distributed", "module: dtensor"],
      },
      {
        path: "torch/distributed/elastic/multiprocessing/errors/error_handler.py",
        modules: [DISTRIBUTED],
        labels: ["oncall: distributed"],
      },
      // a file of two modules: CO [benchmark_*] /benchmarks/ too
      {
        path: "benchmarks/distributed/ddp/benchmark.py",
        modules: [DISTRIBUTED, PERF],
        labels: ["oncall: distributed", "oncall: profiler", "module: benchmark"],
      },
    ]);
  });

  describe("DataLoader and multiprocessing (CO [python_data_api] /torch/utils/data/; INF torch/multiprocessing)", () => {
    check([
      { path: "torch/utils/data/dataloader.py", modules: [DATA], labels: ["module: dataloader"] },
      { path: "test/test_dataloader.py", modules: [DATA], labels: ["module: dataloader"] },
      { path: "torch/multiprocessing/reductions.py", modules: [DATA], labels: ["module: dataloader", "module: multiprocessing"] },
      // INF: DataPipes were the in-core part of TorchData
      {
        path: "torch/utils/data/datapipes/iter/grouping.py",
        modules: [DATA, TORCHDATA],
        labels: ["module: dataloader", "module: data"],
      },
    ]);
  });

  describe("Linear algebra, sparse, nested, masked, FFT (CO [core_aten_linalg], [sparse]; MR Linear Algebra, FFT, Sparse)", () => {
    check([
      { path: "aten/src/ATen/native/BatchLinearAlgebra.cpp", modules: [LINALG], labels: ["module: linear algebra"] },
      {
        path: "aten/src/ATen/native/cuda/BatchLinearAlgebra.cu",
        modules: [LINALG, GPU],
        labels: ["module: linear algebra", "module: cuda"],
      },
      { path: "test/test_linalg.py", modules: [LINALG] },
      // CO [core_aten_linalg] "# label: module: linear algebra" lines (commented), and the float8 one
      { path: "test/test_matmul_cuda.py", modules: [LINALG], labels: ["module: linear algebra"] },
      { path: "test/test_scaled_matmul_cuda.py", modules: [LINALG], labels: ["module: linear algebra"] },
      // MR Sparse names it; C10 owns c10/ whole
      { path: "c10/util/sparse_bitset.h", modules: [SPARSE, C10], labels: ["module: sparse", "module: dispatch"] },
      { path: "aten/src/ATen/native/sparse/SparseTensor.cpp", modules: [SPARSE], labels: ["module: sparse"] },
      { path: "aten/src/ATen/SparseCsrTensorImpl.cpp", modules: [SPARSE], labels: ["module: sparse"] },
      { path: "test/test_sparse.py", modules: [SPARSE] },
      // CO "# label: oncall: quantization" /aten/src/ATen/native/ao_sparse/ (not in tree.txt: a current path)
      { path: "aten/src/ATen/native/ao_sparse/quantized/cpu/fbgemm_utils.cpp", modules: [QUANT], labels: ["oncall: quantization"] },
      { path: "aten/src/ATen/NestedTensorImpl.cpp", modules: [NESTED], labels: ["module: nestedtensor"] },
      { path: "test/test_maskedtensor.py", modules: [MASKED], labels: ["module: masked operators"] },
      { path: "aten/src/ATen/native/SpectralOps.cpp", modules: [FFT], labels: ["module: fft"] },
      { path: "aten/src/ATen/native/cuda/SpectralOps.cu", modules: [FFT, GPU], labels: ["module: fft", "module: cuda"] },
    ]);
  });

  describe("CPU (LB module: cpu, module: mkldnn; MR CPU ATen backend)", () => {
    check([
      { path: "aten/src/ATen/native/cpu/Activation.cpp", modules: [CPU], labels: ["module: cpu"] },
      { path: "aten/src/ATen/native/mkldnn/Conv.cpp", modules: [CPU], labels: ["module: cpu", "module: mkldnn"] },
      { path: "test/test_jit_llga_fuser.py", modules: [CPU], labels: ["module: cpu", "module: mkldnn"] },
      // LB module: cpu aten/src/ATen/native/quantized/cpu/** + CO [quantization]
      { path: "aten/src/ATen/native/quantized/cpu/qconv.cpp", modules: [CPU, QUANT], labels: ["module: cpu", "oncall: quantization"] },
      // INF: PowerPC VSX kernels are also CPU vectorization
      { path: "aten/src/ATen/cpu/vec256/vsx/vsx_helpers.h", modules: [CPU, POWER], labels: ["module: cpu", "module: POWER"] },
    ]);
  });

  describe("GPU / CUDA (CO [backend_cuda] incl. /c10/cuda/ and cudnn lines)", () => {
    check([
      { path: "aten/src/ATen/cuda/CUDAContext.cpp", modules: [GPU], labels: ["module: cuda"] },
      // not C10 dispatch: the C10 module excludes c10/cuda/**
      { path: "c10/cuda/CUDAStream.cpp", modules: [GPU], labels: ["module: cuda"] },
      { path: "torch/backends/cudnn/rnn.py", modules: [GPU], labels: ["module: cuda", "module: cudnn"] },
      { path: "test/test_cuda.py", modules: [GPU] },
    ]);
  });

  describe("ROCm (CO [backend_rocm], /tools/amd_build/, /torch/utils/hipify/; MR '**rocm**', '**hip**')", () => {
    check([
      { path: "torch/utils/hipify/hipify_python.py", modules: [ROCM], labels: ["module: rocm"] },
      { path: "aten/src/ATen/native/miopen/Conv_miopen.cpp", modules: [ROCM], labels: ["module: rocm"] },
      { path: "c10/hip/CMakeLists.txt", modules: [ROCM], labels: ["module: rocm"] },
      { path: "aten/src/ATen/native/cuda/ROCmLoops.cuh", modules: [GPU, ROCM], labels: ["module: cuda", "module: rocm"] },
      { path: "tools/amd_build/build_amd.py", modules: [CI, ROCM], labels: ["module: ci", "module: rocm"] },
      { path: ".circleci/docker/common/install_rocm.sh", modules: [CI, ROCM] },
    ]);
  });

  describe("Build + CI (CO [infra_ci], [infra_github_automation], [infra_build_packaging], [infra_linting], [third_party_*]; MR OSS CI)", () => {
    check([
      { path: ".github/workflows/lint.yml", modules: [CI], labels: ["module: ci", "module: lint"] },
      { path: "CMakeLists.txt", modules: [CI], labels: ["module: ci", "module: build"] },
      { path: "setup.py", modules: [CI], labels: ["module: ci", "module: build"] },
      { path: "third_party/fbgemm", modules: [CI], labels: ["module: ci", "module: third_party"] },
      { path: ".circleci/config.yml", modules: [CI], labels: ["module: ci"] },
      // MR 'OSS CI' tools/** + INF: tools/codegen is torchgen's 2021 location (CO "module: codegen" /torchgen/)
      { path: "tools/codegen/gen.py", modules: [CI, C10], labels: ["module: ci", "module: dispatch", "module: codegen"] },
      // CO "oncall: pt2, module: ci, module: inductor"
      // CO "oncall: pt2, module: ci, module: inductor"
      { path: ".ci/docker/ci_commit_pins/triton.txt", modules: [CI, COMPILERS], labels: ["module: ci", "module: inductor", "oncall: pt2"] },
    ]);
  });

  describe("C++ API, C10 and dispatch (ALB release notes: cpp; CO [cpp_api_custom_ops], [core_c10_dispatch])", () => {
    check([
      { path: "torch/csrc/api/include/torch/nn/modules/linear.h", modules: [CPP], labels: ["module: cpp"] },
      { path: "torch/csrc/api/include/torch/fft.h", modules: [CPP, FFT], labels: ["module: cpp", "module: fft"] },
      { path: "torch/utils/cpp_extension.py", modules: [CPP], labels: ["module: cpp", "module: cpp-extensions"] },
      { path: "c10/core/TensorImpl.h", modules: [C10], labels: ["module: dispatch"] },
      { path: "torch/_ops.py", modules: [C10], labels: ["module: dispatch"] },
      // CO [infra_codegen] "module: codegen" /torchgen/ (not in tree.txt: its current location)
      { path: "torchgen/gen.py", modules: [C10], labels: ["module: dispatch", "module: codegen"] },
      // ...except the AOTI shim generator (LBn "release notes: inductor (aoti)")
      { path: "torchgen/gen_aoti_c_shim.py", modules: [COMPILERS], labels: ["module: aotinductor", "oncall: pt2"] },
      // MR 'MPS' lists native_functions.yaml for approvals only: it must not route every edit to MPS
      { path: "aten/src/ATen/native/native_functions.yaml", modules: [C10], labels: ["module: dispatch"] },
    ]);
  });

  describe("ONNX, mobile, quantization, Windows, MPS, docs (CO onnx_export, mobile_*, quantization, backend_mps, docs; MR Documentation; INF Windows)", () => {
    check([
      { path: "torch/onnx/utils.py", modules: [ONNX], labels: ["module: onnx"] },
      { path: "test/onnx/test_utility_funs.py", modules: [ONNX] },
      { path: "android/pytorch_android/build.gradle", modules: [MOBILE], labels: ["oncall: mobile", "module: android"] },
      { path: "aten/src/ATen/native/vulkan/ops/Pool.cpp", modules: [MOBILE], labels: ["oncall: mobile", "module: vulkan"] },
      { path: "ios/TestApp/benchmark/trace_model.py", modules: [MOBILE], labels: ["oncall: mobile"] },
      { path: "torch/quantization/observer.py", modules: [QUANT], labels: ["oncall: quantization"] },
      { path: "torch/csrc/WindowsTorchApiMacro.h", modules: [WINDOWS], labels: ["module: windows"] },
      { path: ".jenkins/pytorch/win-build.sh", modules: [CI, WINDOWS], labels: ["module: ci", "module: windows"] },
      { path: "docs/source/notes/windows.rst", modules: [DOCS, WINDOWS], labels: ["module: docs", "module: windows"] },
      { path: "aten/src/ATen/native/mps/operations/SoftMax.mm", modules: [MPS], labels: ["module: mps"] },
      { path: "test/test_mps.py", modules: [MPS], labels: ["module: mps"] },
      { path: "docs/source/conf.py", modules: [DOCS], labels: ["module: docs"] },
      { path: "torch/_torch_docs.py", modules: [DOCS], labels: ["module: docs"] },
    ]);
  });

  describe("library pins and integration code in pytorch/pytorch (MR OSS CI / pytorchbot (/ XLA), Lazy Tensor)", () => {
    check([
      { path: ".github/ci_commit_pins/xla.txt", modules: [CI, XLA], labels: ["module: ci", "module: xla"] },
      { path: ".github/ci_commit_pins/vision.txt", modules: [CI, VISION], labels: ["module: ci", "module: vision"] },
      { path: "torchgen/gen_lazy_tensor.py", modules: [XLA], labels: ["module: xla"] },
      // not in tree.txt (2021): the current lazy tensor core; CO [core_lazy_runtime] "module: lazy"
      { path: "torch/csrc/lazy/core/tensor.cpp", modules: [XLA], labels: ["module: xla", "module: lazy"] },
    ]);
  });

  describe("paths no module owns (CO [docs_general] before its first label line; [core_aten_native_ops]; caffe2)", () => {
    check([
      { path: "README.md", modules: [], labels: [] },
      { path: "CONTRIBUTING.md", modules: [], labels: [] },
      { path: "aten/src/ATen/native/Activation.cpp", modules: [], labels: [] },
      { path: "caffe2/operators/abs_op.cc", modules: [], labels: [] },
    ]);

    it("lists them as unmatched", () => {
      expect(routeFile("README.md").unmatched).toEqual(["README.md"]);
    });
  });
});

describe("repositories a library owns whole", () => {
  const OWNERS: [string, string][] = [
    ["pytorch/xla", XLA],
    ["pytorch/serve", SERVE],
    ["pytorch/vision", VISION],
    ["pytorch/text", TEXT],
    ["pytorch/audio", AUDIO],
    ["pytorch/torchrec", TORCHREC],
    ["pytorch/torchx", TORCHX],
    ["pytorch/data", TORCHDATA],
    ["pytorch/torcharrow", TORCHDATA],
  ];

  it.each(OWNERS)("%s -> %s, for any path, with no label", (repository, owner) => {
    for (const path of ["README.md", "setup.py", "torch/nn/modules/conv.py", "test/test_models.py", ".github/workflows/lint.yml"]) {
      const d = routeFile(path, repository);
      expect(
        d.modules.map((m) => m.name),
        `${repository}: ${path}`,
      ).toEqual([owner]);
      expect(d.labels, `${repository}: ${path}`).toEqual([]);
      expect(d.unmatched).toEqual([]);
    }
  });

  it("matches the repository name in any letter case", () => {
    expect(modulesOf("torchvision/models/resnet.py", "PyTorch/Vision")).toEqual([VISION]);
  });
});

describe("the whole of tree.txt", () => {
  const hits = new Map<string, string[]>();
  for (const path of tree) {
    for (const m of routeFile(path).modules) {
      const list = hits.get(m.name) ?? [];
      list.push(path);
      hits.set(m.name, list);
    }
  }

  it("has its 9,018 paths", () => {
    expect(tree.length).toBe(9018);
  });

  it("lets no module claim more than 15% of the tree (a runaway glob fails here)", () => {
    for (const [name, paths] of hits) {
      expect(paths.length / tree.length, `${name}: ${paths.length} paths`).toBeLessThan(0.15);
    }
  });

  it("gives every module-level module at least one real path", () => {
    for (const name of MODULE_LEVEL) expect(hits.get(name)?.length ?? 0, name).toBeGreaterThan(0);
  });

  it("gives ROCm no path that only contains 'hip' inside a word like ship, chip or relationship", () => {
    const rocm = hits.get(ROCM) ?? [];
    expect(rocm.length).toBeGreaterThan(40);
    expect(rocm.filter((p) => /ship|chip/i.test(p))).toEqual([]);
    // tree.txt happens to have no such path: try some.
    for (const path of [
      "torch/utils/relationship.py",
      "docs/source/community/membership.md",
      "aten/src/ATen/native/chip_info.h",
      "test/test_ownership.py",
      "tools/shipit/release.py",
      "benchmarks/whip/run.py",
    ]) {
      expect(modulesOf(path), path).not.toContain(ROCM);
    }
  });

  it("does not route native_functions.yaml or the MPS-free tree to MPS", () => {
    const mps = hits.get(MPS) ?? [];
    expect(
      mps.every((p) => /mps|metal/i.test(p)),
      mps.filter((p) => !/mps|metal/i.test(p)).join(", "),
    ).toBe(true);
  });

  it("keeps owned caffe2 paths to the few that sources give (ideep, HIP/MIOpen, ONNX)", () => {
    const caffe2 = [...new Set([...hits.values()].flat().filter((p) => p.startsWith("caffe2/")))];
    expect(
      caffe2.every((p) => /ideep|hip|miopen|onnx/.test(p)),
      caffe2.filter((p) => !/ideep|hip|miopen|onnx/.test(p)).join(", "),
    ).toBe(true);
  });
});

describe("oncall: pt2 on every path CODEOWNERS labels so (its '# label: oncall: pt2, ...' lines)", () => {
  // A `# label:` line applies to the path lines after it (listed or commented out) up to the next label or section.
  const owners = readFileSync(FIXTURE("CODEOWNERS"), "utf8").split("\n");
  const pt2: string[] = [];
  let labels: string[] = [];
  for (const line of owners) {
    const label = /^# label:\s*(.+)$/.exec(line);
    if (label) labels = label[1]!.split(",").map((l) => l.trim());
    else if (/^#\s*\[/.test(line) || line.trim() === "#") labels = [];
    else {
      const path = /^(?:#\s*)?\/(\S+)/.exec(line);
      if (path && labels.includes("oncall: pt2")) {
        // A directory stands for a file in it, a glob for one file it matches.
        pt2.push(path[1]!.replace(/\/$/, "/x.py").replace(/\*\*?/g, "x"));
      }
    }
  }
  it("finds the compile stack's paths", () => expect(pt2.length).toBeGreaterThan(30));
  it.each(pt2)("%s", (path) => expect(labelsOf(path)).toContain("oncall: pt2"));
});
