"""Shared set-up for the Python reference scripts: importing open_clip on a CPU-only torch.

The pip mirror's torchvision is a CUDA build whose compiled operators cannot load here, and
torchvision registers fake kernels for two of them at import time. Defining the two operator
schemas first lets that registration succeed; open_clip uses none of torchvision's compiled ops.
"""
import torch

_lib = None


def import_open_clip():
    global _lib
    if _lib is None:
        try:
            _lib = torch.library.Library("torchvision", "DEF")
            _lib.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
            _lib.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
        except RuntimeError:
            pass  # a working torchvision already defined them
    import open_clip

    return open_clip
