"""open_clip side of the benchmarks, run as a subprocess by the Java harness (benchmarks/src).

    models/.pyenv/bin/python benchmarks/peers/openclip_peer.py --model FOLDER --image JPEG \
        --threads N [--precision fp32|fp16|bf16] [--device cpu|cuda] --batches 1,4 \
        [--cases image-model,image-e2e,text-model,text-e2e] \
        [--warmup-seconds 2] [--seconds 5] [--min-iterations 5] [--max-iterations 200] [--print-embedding] \
        [--floor]

The model's weights and the image cases' pixels are cast to --precision (default fp32), as
model.to(dtype) does: the same precision clip4j runs in. With --device cuda (beside clip4j on a GPU)
the model runs on the GPU where this torch has CUDA, as PyTorch eager would serve it: inputs from
pinned host memory, copied with non_blocking, results copied back to the host inside the timed call
(benchmarks/native/pytorch_eager.py's protocol). Where it has none, it runs on the CPU in fp32 (a
half precision on a CPU would only be slow) and says so. "versions" records the device and
precision it ran in.
Cases, for each batch size B, under torch.inference_mode():
  image-model  model.encode_image on the preprocessed image repeated B times (prepared untimed)
  image-e2e    B x (PIL.Image.open(JPEG bytes in memory) -> preprocess), stack, encode_image
  text-model   model.encode_text on the B prompts "a photo of a {i}", tokenized untimed
  text-e2e     tokenizer(B prompts "a photo of a {i}") then encode_text
Each case warms up for --warmup-seconds (at least one call), then records the wall time of each call
(time.perf_counter_ns) until --seconds have passed or --max-iterations calls, and at least
--min-iterations calls. Prints one JSON object on stdout; progress goes to stderr:
  {"runtime": "open_clip", "versions": {...}, "threads": N,
   "results": [{"case": "image-model", "batch": 1, "samples_ns": [...]}, ...]}
--print-embedding adds "image_embedding": encode_image of the preprocessed image (not normalised).
--floor adds "floor": the matmul floor of issue 6, measured in this torch with the same threads and
protocol: "matmul_samples_ns" of a 1024x1024 by 1024x1024 float32 product, and "image_flop", the
floating-point operations of one encode_image as open_clip runs it (torch.utils.flop_counter):
  {"matmul_n": 1024, "matmul_samples_ns": [...], "image_flop": 8817623040}
"""
import argparse
import io
import json
import platform
import sys
import time
from pathlib import Path

import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "models"))
from reference import import_open_clip  # noqa: E402

open_clip = import_open_clip()

CASES = ["image-model", "image-e2e", "text-model", "text-e2e"]
MATMUL_N = 1024
DTYPES = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}


def image_flop(model, one):
    """Multiply-adds x 2 of one encode_image, as open_clip runs it (its full last block included).

    The counter sees through nn.MultiheadAttention only off its fused fast path, and has no formula
    for the CPU's flash attention op, so both are arranged for the count alone.
    """
    from torch.utils import flop_counter

    cpu_flash = torch.ops.aten._scaled_dot_product_flash_attention_for_cpu
    if cpu_flash not in flop_counter.flop_registry:
        @flop_counter.register_flop_formula(cpu_flash)
        def _cpu_flash_flop(query, key, value, *args, out_shape=None, **kwargs):
            return flop_counter.sdpa_flop_count(query, key, value)

    fastpath = torch.backends.mha.get_fastpath_enabled()
    torch.backends.mha.set_fastpath_enabled(False)
    try:
        with flop_counter.FlopCounterMode(display=False) as counter:
            model.encode_image(one)
        return counter.get_total_flops()
    finally:
        torch.backends.mha.set_fastpath_enabled(fastpath)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="open_clip folder (open_clip_config.json + weights)")
    parser.add_argument("--image", required=True, help="JPEG file")
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--precision", choices=sorted(DTYPES), default="fp32")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--batches", default="1", help="comma list of batch sizes")
    parser.add_argument("--cases", default=",".join(CASES), help="comma list of " + ",".join(CASES))
    parser.add_argument("--warmup-seconds", type=float, default=2.0)
    parser.add_argument("--seconds", type=float, default=5.0, help="measuring time budget per case and batch")
    parser.add_argument("--min-iterations", type=int, default=5)
    parser.add_argument("--max-iterations", type=int, default=200)
    parser.add_argument("--print-embedding", action="store_true")
    parser.add_argument("--floor", action="store_true", help="measure the matmul floor too")
    args = parser.parse_args()
    args.batches = [int(b) for b in args.batches.split(",")]
    args.cases = args.cases.split(",")
    unknown = set(args.cases) - set(CASES)
    if unknown:
        parser.error(f"unknown cases {sorted(unknown)}; known: {CASES}")
    return args


def measure(fn, args):
    start = time.perf_counter()
    fn()
    while time.perf_counter() - start < args.warmup_seconds:
        fn()
    samples = []
    start = time.perf_counter()
    while len(samples) < args.min_iterations or (
            len(samples) < args.max_iterations and time.perf_counter() - start < args.seconds):
        t = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - t)
    return samples


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    if args.device == "cuda" and not torch.cuda.is_available():
        print(f"open_clip: torch {torch.__version__} has no usable CUDA here: it runs on the CPU, "
              "in fp32", file=sys.stderr)
        args.device, args.precision = "cpu", "fp32"
    device = torch.device(args.device)
    gpu = device.type == "cuda"
    model, _, preprocess = open_clip.create_model_and_transforms("local-dir:" + args.model)
    dtype = DTYPES[args.precision]
    model = model.eval().to(device, dtype)
    tokenizer = open_clip.get_tokenizer("local-dir:" + args.model)
    jpeg = Path(args.image).read_bytes()
    one = preprocess(Image.open(io.BytesIO(jpeg))).unsqueeze(0).to(dtype)

    def to_device(t):
        # On a GPU the host tensor is pinned (pixels and ids prepared untimed), copied asynchronously.
        return t.to(device, non_blocking=True) if gpu else t

    def to_host(t):
        return t.cpu() if gpu else t  # .cpu() waits for the GPU: the call's time includes the work

    def image_e2e(b):
        pixels = torch.stack([preprocess(Image.open(io.BytesIO(jpeg))) for _ in range(b)])
        return to_host(model.encode_image(to_device(pixels.to(dtype))))

    def prompts(b):
        # The same prompts as the Java harness (BenchCommand.PROMPT): a different number per row.
        return [f"a photo of a {i}" for i in range(b)]

    def text_e2e(b):
        return to_host(model.encode_text(to_device(tokenizer(prompts(b)))))

    def pinned(t):
        return t.pin_memory() if gpu else t

    versions = {"open_clip": open_clip.__version__, "torch": torch.__version__,
                "python": platform.python_version(), "device": str(device),
                "precision": args.precision}
    if gpu:
        versions["gpu"] = torch.cuda.get_device_name(device)
    out = {"runtime": "open_clip",
           "versions": versions,
           "threads": args.threads, "results": []}
    with torch.inference_mode():
        if args.print_embedding:
            out["image_embedding"] = model.encode_image(one.to(device))[0].float().cpu().tolist()
        if args.floor and not gpu:
            a, b = torch.randn(MATMUL_N, MATMUL_N), torch.randn(MATMUL_N, MATMUL_N)
            samples = measure(lambda: torch.mm(a, b), args)
            median = sorted(samples)[len(samples) // 2]
            print(f"matmul {MATMUL_N}^3: {len(samples)} calls, median {median / 1e6:.2f} ms, "
                  f"{2 * MATMUL_N ** 3 / median:.0f} GFLOP/s", file=sys.stderr)
            try:
                flop = image_flop(model, one)
            except Exception as e:  # a model the counter cannot follow: the cases still run
                print(f"matmul floor left out: counting encode_image's FLOPs failed: {e!r}", file=sys.stderr)
            else:
                out["floor"] = {"matmul_n": MATMUL_N, "matmul_samples_ns": samples, "image_flop": flop}
        for case in args.cases:
            for b in args.batches:
                if case == "image-model":
                    pixels = pinned(one.repeat(b, 1, 1, 1))
                    fn = lambda: to_host(model.encode_image(to_device(pixels)))  # noqa: E731
                elif case == "image-e2e":
                    fn = lambda: image_e2e(b)  # noqa: E731
                elif case == "text-model":
                    tokens = pinned(tokenizer(prompts(b)))
                    fn = lambda: to_host(model.encode_text(to_device(tokens)))  # noqa: E731
                else:
                    fn = lambda: text_e2e(b)  # noqa: E731
                samples = measure(fn, args)
                median = sorted(samples)[len(samples) // 2] / 1e6
                print(f"{case} batch {b}: {len(samples)} calls, median {median:.1f} ms", file=sys.stderr)
                out["results"].append({"case": case, "batch": b, "samples_ns": samples})
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
