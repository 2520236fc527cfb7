"""The PyTorch eager peer of benchmarks/native/run-gpu.sh, and its bookkeeping.

  make     random open_clip weights of --arch (ViT-B-32 or RN50; seed 0) as safetensors, and
           check pixels
  time     open_clip's encode_image in eager PyTorch, timed as clip4j_native_bench times clip4j:
           pinned host pixels in, embeddings on the host out, one call per batch
  compare  clip4j's embeddings of the check pixels against a float64 CPU reference, beside
           eager PyTorch's in the same precision
  table    results.jsonl -> a Markdown table
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

ARCHS = ("ViT-B-32", "RN50")  # those clip4j_native_bench knows; both take 224 x 224 pixels
SIZE = 224
DTYPES = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}
START_OF_TEXT, END_OF_TEXT = 49406, 49407
PROMPT_LENGTHS = (3, 5, 7, 12, 20, 33, 50, 77)  # the text parity check's prompts, in tokens


def import_open_clip():
    try:
        import open_clip

        return open_clip
    except Exception:  # this repo's CPU machines: torchvision's CUDA ops need a workaround
        sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "models"))
        from reference import import_open_clip as workaround

        return workaround()


def load_model(directory, arch, device, dtype):
    open_clip = import_open_clip()
    from safetensors.torch import load_file

    model = open_clip.create_model(arch)
    model.load_state_dict(load_file(str(Path(directory) / "open_clip_model.safetensors")))
    return model.eval().requires_grad_(False).to(device=device, dtype=dtype)


def make(args):
    open_clip = import_open_clip()
    from safetensors.torch import save_file

    directory = Path(args.dir)
    directory.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    model = open_clip.create_model(args.arch)
    # A fresh model's norms are 1 and 0, which every dtype holds exactly: the parity check could
    # not tell float32 norm weights from rounded ones. Give them trained-like values.
    norms = torch.Generator().manual_seed(2)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.LayerNorm):
                module.weight.copy_(1 + 0.3 * torch.randn(module.weight.shape, generator=norms))
                module.bias.copy_(0.1 * torch.randn(module.bias.shape, generator=norms))
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(directory / "open_clip_model.safetensors"))
    config = open_clip.get_model_config(args.arch)
    (directory / "open_clip_config.json").write_text(json.dumps({"model_cfg": config}))
    generator = torch.Generator().manual_seed(1)
    pixels = torch.randn(args.check_images, 3, SIZE, SIZE, generator=generator)
    pixels.numpy().astype(np.float32).tofile(directory / "check-pixels.f32")
    # Prompts of 3 to 77 tokens: start of text, random words, end of text, zeros after it.
    context = config["text_cfg"]["context_length"]
    tokens = torch.zeros(len(PROMPT_LENGTHS), context, dtype=torch.int64)
    for row, length in enumerate(PROMPT_LENGTHS):
        tokens[row, 1 : length - 1] = torch.randint(256, START_OF_TEXT, (length - 2,), generator=generator)
        tokens[row, 0], tokens[row, length - 1] = START_OF_TEXT, END_OF_TEXT
    tokens.numpy().tofile(directory / "check-tokens.i64")


def time_eager(args):
    dtype = DTYPES[args.precision]
    model = load_model(args.dir, args.arch, "cuda", dtype)
    for batch in [int(b) for b in args.batches.split(",")]:
        # Four input sets in turn, as the native benchmark does.
        inputs = [torch.randn(batch, 3, SIZE, SIZE).pin_memory() for _ in range(4)]

        def call(i):
            x = inputs[i % 4].to("cuda", non_blocking=True).to(dtype)
            return model.encode_image(x).float().cpu()  # .cpu() waits for the GPU

        with torch.inference_mode():
            for i in range(args.warmup):
                call(i)
            millis = []
            start = time.perf_counter()
            i = 0
            while True:
                t0 = time.perf_counter()
                out = call(i)
                t1 = time.perf_counter()
                millis.append((t1 - t0) * 1000)
                i += 1
                if t1 - start >= args.seconds and len(millis) >= 10:
                    break
        assert torch.isfinite(out).all()
        millis.sort()
        p50 = millis[len(millis) // 2]
        print(
            json.dumps(
                {
                    "runtime": "pytorch-eager",
                    "arch": args.arch,
                    "device": "cuda",
                    "precision": args.precision,
                    "graphs": False,
                    "batch": batch,
                    "calls": len(millis),
                    "p50_ms": round(p50, 4),
                    "p90_ms": round(millis[int(0.9 * len(millis))], 4),
                    "p99_ms": round(millis[min(len(millis) - 1, int(0.99 * len(millis)))], 4),
                    "max_ms": round(millis[-1], 4),
                    "images_per_s_at_p50": round(batch / (p50 / 1000), 1),
                    "torch": torch.__version__,
                }
            ),
            flush=True,
        )


def relative_error(a, reference):
    return float(np.linalg.norm(a - reference) / np.linalg.norm(reference))


def compare(args):
    directory = Path(args.dir)
    if args.tower == "text":
        inputs = torch.from_numpy(np.fromfile(directory / "check-tokens.i64", dtype=np.int64))
        inputs = inputs.reshape(len(PROMPT_LENGTHS), -1)
        encode = lambda model, x: model.encode_text(x)  # noqa: E731
        cast = lambda x, dtype: x  # noqa: E731  token ids stay integers
    else:
        pixels = np.fromfile(directory / "check-pixels.f32", dtype=np.float32)
        inputs = torch.from_numpy(pixels.reshape(-1, 3, SIZE, SIZE))
        encode = lambda model, x: model.encode_image(x)  # noqa: E731
        cast = lambda x, dtype: x.to(dtype)  # noqa: E731
    with torch.inference_mode():
        reference = load_model(directory, args.arch, "cpu", torch.float64)
        expected = encode(reference, cast(inputs, torch.float64)).numpy()
        dtype = DTYPES[args.precision]
        eager = load_model(directory, args.arch, args.device, dtype)
        got_eager = encode(eager, cast(inputs.to(args.device), dtype))
        eager_error = relative_error(got_eager.double().cpu().numpy(), expected)
    result = {"check": f"{args.tower} embeddings vs float64 CPU", "arch": args.arch,
              "precision": args.precision, "inputs": len(inputs)}
    result["pytorch_eager_rel_error"] = eager_error
    ok = True
    found = False
    for mode in ("graphs", "eager"):
        path = Path(f"{args.clip4j}-{mode}")
        if not path.exists():
            continue
        found = True
        got = np.fromfile(path, dtype=np.float32).reshape(expected.shape)
        error = relative_error(got.astype(np.float64), expected)
        result[f"clip4j_{mode}_rel_error"] = error
        # Same precision, same math: clip4j may round differently, not worse in kind.
        ok = ok and np.isfinite(got).all() and error <= max(3 * eager_error, 1e-5)
    result["ok"] = bool(ok and found)
    print(json.dumps(result), flush=True)
    if not result["ok"]:
        sys.exit(1)


def table(args):
    rows = [json.loads(line) for line in Path(args.results).read_text().splitlines() if line.strip()]
    timed = [r for r in rows
             if "p50_ms" in r and r.get("tower", "image") == "image" and r.get("callers", 1) == 1]
    # clip4j's input in ordinary memory (copied into its pinned slot) or, with --input pinned, in
    # memory pinned with clip4j_pin_pixels: PyTorch's protocol, and the issue's.
    print("| precision | batch | clip4j graphs p50 ms | clip4j eager p50 ms | clip4j graphs, pinned "
          "input p50 ms | PyTorch eager p50 ms | clip4j graphs img/s | PyTorch eager img/s "
          "| speed-up vs PyTorch | pinned input: speed-up |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    keys = sorted({(r["precision"], r["batch"]) for r in timed}, key=lambda k: (k[0], k[1]))
    for precision, batch in keys:
        def find(runtime, graphs, pinned=False):
            for r in timed:
                if (r["runtime"], r["graphs"], r["precision"], r["batch"],
                        r.get("pinned_input", False)) == (runtime, graphs, precision, batch, pinned):
                    return r
            return None

        graphs, eager, torch_eager = find("clip4j-native", True), find("clip4j-native", False), find(
            "pytorch-eager", False)
        pinned = find("clip4j-native", True, pinned=True)
        cell = lambda r, key: f"{r[key]:.3f}" if r and key == "p50_ms" else (f"{r[key]:.0f}" if r else "-")
        speedup = lambda r: f"{torch_eager['p50_ms'] / r['p50_ms']:.2f}x" if r and torch_eager else "-"
        print(f"| {precision} | {batch} | {cell(graphs, 'p50_ms')} | {cell(eager, 'p50_ms')} | "
              f"{cell(pinned, 'p50_ms')} | {cell(torch_eager, 'p50_ms')} | "
              f"{cell(graphs, 'images_per_s_at_p50')} | {cell(torch_eager, 'images_per_s_at_p50')} | "
              f"{speedup(graphs)} | {speedup(pinned)} |")
    several = [r for r in rows if r.get("tower") == "image" and r.get("callers", 1) > 1]
    if several:
        print("\n| concurrent callers, precision | graphs | pinned input | callers | batch "
              "| p50 ms a call | images/s |")
        print("|---|---|---|---|---|---|---|")
        for r in several:
            print(f"| {r['precision']} | {r['graphs']} | {r.get('pinned_input', False)} | "
                  f"{r['callers']} | {r['batch']} | {r['p50_ms']:.3f} | {r['images_per_s_total']:.0f} |")
    text = [r for r in rows if r.get("tower") == "text"]
    if text:
        print("\n| text tower, precision | prompt tokens | callers | batch | clip4j p50 ms | prompts/s |")
        print("|---|---|---|---|---|---|")
        for r in text:  # one caller: the rate at the median call; several: their total
            rate = r.get("prompts_per_s_at_p50", r.get("prompts_per_s_total"))
            print(f"| {r['precision']} | {r['prompt_tokens']} | {r.get('callers', 1)} | {r['batch']} | "
                  f"{r['p50_ms']:.3f} | {rate:.0f} |")
    for r in rows:
        if "check" in r:
            print(f"\nparity {r['check'].split()[0]} {r['precision']}: " + ", ".join(
                f"{k} {v:.2e}" for k, v in r.items() if k.endswith("rel_error")) + f"; ok={r['ok']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("make")
    p.add_argument("--dir", required=True)
    p.add_argument("--arch", choices=ARCHS, default="ViT-B-32")
    p.add_argument("--check-images", type=int, default=8)
    p = commands.add_parser("time")
    p.add_argument("--dir", required=True)
    p.add_argument("--arch", choices=ARCHS, default="ViT-B-32")
    p.add_argument("--precision", choices=DTYPES, default="fp16")
    p.add_argument("--batches", default="1,256")
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--warmup", type=int, default=20)
    p = commands.add_parser("compare")
    p.add_argument("--dir", required=True)
    p.add_argument("--arch", choices=ARCHS, default="ViT-B-32")
    p.add_argument("--precision", choices=DTYPES, default="fp16")
    p.add_argument("--clip4j", required=True, help="prefix of clip4j_native_bench's --check-output")
    p.add_argument("--tower", choices=("image", "text"), default="image")
    p.add_argument("--device", default="cuda", help="where the eager peer runs (cpu for a dry run)")
    p = commands.add_parser("table")
    p.add_argument("--results", required=True)
    args = parser.parse_args()
    {"make": make, "time": time_eager, "compare": compare, "table": table}[args.command](args)


if __name__ == "__main__":
    main()
