"""How far does rounding the layer norms' weights to the model's half dtype move the embeddings?

open_clip's half-precision models (precision="fp16"/"bf16") use LayerNormFp32: the input goes to
float32 and the norm's weights stay float32. On a GPU that is three kernels a norm (convert,
normalise, convert back); with the weights rounded to the model's dtype libtorch's CUDA norm is one
(it computes in float32 inside), which is what `model.to(dtype)` runs. clip4j's GPU path takes the
one kernel in float16 and not in bfloat16, on the strength of this check (CPU, ViT-B-32 random
weights with trained-like norms, 4 random inputs, relative error against float64), 2026-11-30:

    float16  LN weights float32 1.142e-03   rounded 1.145e-03
    bfloat16 LN weights float32 9.070e-03   rounded 9.418e-03

  env -u LD_LIBRARY_PATH models/.pyenv/bin/python models/half_norm_weights.py   (~2 minutes)
"""

import copy
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference import import_open_clip  # noqa: E402


def relative_error(got, reference):
    return ((got.double() - reference).norm() / reference.norm()).item()


def main():
    open_clip = import_open_clip()
    torch.manual_seed(0)
    model = open_clip.create_model("ViT-B-32").eval()
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.LayerNorm):  # a fresh model's 1 and 0 round exactly
                module.weight.normal_(1.0, 0.3)
                module.bias.normal_(0.0, 0.1)
    pixels = torch.randn(4, 3, 224, 224, generator=torch.Generator().manual_seed(1))
    originals = dict(model.named_modules())
    with torch.no_grad():
        reference = copy.deepcopy(model).double().encode_image(pixels.double())
        for dtype in (torch.float16, torch.bfloat16):
            errors = []
            for round_weights in (False, True):
                half = copy.deepcopy(model).to(dtype)
                for name, module in half.named_modules():
                    if not isinstance(module, torch.nn.LayerNorm):
                        continue
                    weight, bias = originals[name].weight.float(), originals[name].bias.float()
                    if round_weights:
                        weight, bias = weight.to(dtype).float(), bias.to(dtype).float()
                    # LayerNormFp32: float32 input and arithmetic, rounded once on the way out.
                    module.forward = lambda x, m=module, w=weight, b=bias: F.layer_norm(
                        x.float(), m.normalized_shape, w, b, m.eps
                    ).to(x.dtype)
                errors.append(relative_error(half.encode_image(pixels.to(dtype)), reference))
            print(f"{str(dtype):15} LN weights float32 {errors[0]:.3e}   rounded {errors[1]:.3e}")


if __name__ == "__main__":
    main()
