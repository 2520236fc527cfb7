// How every image and text path hands embeddings back to the caller: float32, L2-normalised per
// row when asked (as open_clip's F.normalize), copied into the caller's host buffer. Compiled into
// libclip4j and libclip4j_cuda both, so the two paths cannot drift apart.
#pragma once

#include <ATen/Tensor.h>

namespace clip4j {

void write_embeddings(at::Tensor embeddings, bool normalize, float* out);

}  // namespace clip4j
