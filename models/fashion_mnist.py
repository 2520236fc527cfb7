"""Fashion-MNIST's IDX files, as Debian's dataset-fashion-mnist installs them."""
import gzip
from pathlib import Path

import numpy as np

DATA = Path("/usr/share/datasets/fashion-mnist")


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)
