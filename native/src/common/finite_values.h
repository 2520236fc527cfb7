// NaN and infinity checks at the runner's edges. Inside a forward pass NaN does not always
// survive (oneDNN's fused ReLU turns it into 0), so a non-finite pixel would give a finite, wrong
// embedding; and an embedding that overflowed float16 would reach the caller's index as NaN.
#pragma once

#include <ATen/Tensor.h>

#include <cstdint>
#include <string>

namespace clip4j {

// Whether every value of a floating-point tensor is finite. On the CPU a float32, float16 or
// bfloat16 tensor is scanned in one vectorized pass over its bits (at::isfinite(t).all() took
// 0.4 s for ViT-B-32's 151 M weights, this pass is memory speed).
bool all_finite(const at::Tensor& tensor);

// The index of the first NaN or infinity among values[0, count), or -1 if all are finite.
int64_t find_non_finite(const float* values, int64_t count);

// Copies count floats from src to dst, in one pass that also checks them; returns the index of
// the first NaN or infinity (dst is then partly written), or -1 once all are copied. Both scans
// split large counts over libtorch's threads.
int64_t copy_checking_finite(float* dst, const float* src, int64_t count);

// Throws InvalidArgument naming the image and value if pixels[0, count * per_image) hold a NaN
// or infinity; `first` is the index of the first image, for the message.
void require_finite_pixels(const float* pixels, int64_t first, int64_t count, int64_t per_image);

// Throws NumericOverflow naming the input if an embedding in out[0, batch * dim) is not finite;
// `precision` is the model's weight type, for the message.
void require_finite_embeddings(const float* out, int64_t batch, int64_t dim,
                               at::ScalarType precision);

}  // namespace clip4j
