#include "modified_resnet.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

#include <cmath>

#include "common/errors.h"
#include "common/finite_values.h"

namespace clip4j {
namespace {

constexpr int64_t kExpansion = 4;

// at::bmm of [heads, m, k] by [heads, k, n], the heads shared out between libtorch's threads. On
// the CPU at::bmm ran these matrix-vector products on one thread: W_k's 16 MB (RN50) took 1.9 ms
// at batch 1, where two threads stream it in ~0.9. (This file is compiled with -fopenmp, or
// at::parallel_for would run on the calling thread.)
at::Tensor per_head_products(const at::Tensor& a, const at::Tensor& b) {
  if (!a.device().is_cpu()) return at::bmm(a, b);
  at::Tensor out = at::empty({a.size(0), a.size(1), b.size(2)}, a.options());
  at::parallel_for(0, a.size(0), 1, [&](int64_t first, int64_t last) {
    // Thread-local, and libtorch's OpenMP workers do not inherit the caller's.
    c10::InferenceMode inference;
    for (int64_t h = first; h < last; h++) {
      at::Tensor head = out.select(0, h);
      at::mm_out(head, a.select(0, h), b.select(0, h));
    }
  });
  return out;
}

}  // namespace

ConvBatchNorm ConvBatchNorm::load(StateDict& weights, const std::string& conv_weight,
                                  const std::string& batch_norm, int64_t out, int64_t in,
                                  int64_t kernel, int64_t input_size, int64_t stride) {
  weights.ignore(batch_norm + ".num_batches_tracked");  // a training counter
  const at::Tensor w = weights.take_fp32(conv_weight, {out, in, kernel, kernel});
  const at::Tensor gamma = weights.take_fp32(batch_norm + ".weight", {out});
  const at::Tensor beta = weights.take_fp32(batch_norm + ".bias", {out});
  const at::Tensor mean = weights.take_fp32(batch_norm + ".running_mean", {out});
  const at::Tensor var = weights.take_fp32(batch_norm + ".running_var", {out});
  ConvBatchNorm c;
  c.stride = stride;
  c.padding = kernel / 2;
  c.input_size = input_size;
  // A missing or mis-shaped tensor comes back undefined; StateDict::finish() reports it.
  for (const at::Tensor* t : {&w, &gamma, &beta, &mean, &var}) {
    if (!t->defined()) return c;
  }
  const at::Tensor scale = gamma / at::sqrt(var + 1e-5);
  c.weight = (w * scale.view({out, 1, 1, 1})).to(weights.dtype()).contiguous();
  c.bias = (beta - mean * scale).to(weights.dtype());
  // Each tensor is finite (StateDict checks), but a negative running_var makes the fold NaN, and
  // a large scale can overflow float16: refuse here, rather than fail every call.
  if (!all_finite(c.weight) || !all_finite(c.bias)) {
    throw CheckpointError(conv_weight + " with " + batch_norm + " folded in is not finite: " +
                          (at::any(var + 1e-5 <= 0).item<bool>()
                               ? "the batch norm's running_var + 1e-5 is not positive"
                               : "the folded weights overflow the model's precision (float16 "
                                 "stops at 65504)"));
  }
  return c;
}

void ConvBatchNorm::pack(const std::vector<int64_t>& batches) {
  // A 1x1 convolution of stride 1 over channels-last [N, C, H, W] is [N·H·W, C]·Wᵀ: RN50 at batch 1
  // has 36 of them. On oneDNN's operator each call also paid ~0.1 ms of set-up around the
  // primitive (descriptors, caches, scratchpad; 55 calls a forward); the GEMM kernels have none,
  // and need no packing per batch size.
  const at::Tensor matrix =
      weight.size(2) == 1 && weight.size(3) == 1 && stride == 1 ? weight.flatten(1) : at::Tensor();
  if (matrix.defined() && kernels::can_pack(matrix)) {
    gemm = kernels::pack_weight(matrix);
  } else {
    packed = onednn::PackedConvolution(weight, bias, stride, input_size, batches);
  }
  weight = at::Tensor();
}

// The 1x1 convolution on the GEMM kernels: channels-last [N, C, H, W] is [N, H, W, C] in memory,
// and the product's [N, H, W, out] is again channels-last [N, out, H, W].
at::Tensor ConvBatchNorm::matrix_product(const at::Tensor& x, const at::Tensor& residual,
                                         bool relu) const {
  const at::Tensor y =
      kernels::packed_linear(x.permute({0, 2, 3, 1}), gemm, bias,
                             residual.defined() ? residual.permute({0, 2, 3, 1}) : residual,
                             relu ? Activation::Relu : Activation::Identity);
  return y.permute({0, 3, 1, 2});
}

at::Tensor ConvBatchNorm::operator()(const at::Tensor& x, bool relu) const {
  if (gemm.defined()) return matrix_product(x, at::Tensor(), relu);
  if (!weight.defined()) return packed(x, relu);
  at::Tensor y = at::conv2d(x, weight, bias, stride, padding);
  return relu ? y.relu_() : y;
}

at::Tensor ConvBatchNorm::add_relu(const at::Tensor& x, const at::Tensor& residual) const {
  if (gemm.defined()) return matrix_product(x, residual, true);
  if (!weight.defined()) return packed.add_relu(x, residual);
  at::Tensor y = at::conv2d(x, weight, bias, stride, padding);
  y += residual;
  return y.relu_();
}

Bottleneck Bottleneck::load(StateDict& weights, const std::string& prefix, int64_t inplanes,
                            int64_t planes, int64_t stride, int64_t input_size) {
  Bottleneck b;
  b.stride_ = stride;
  const int64_t output_size = input_size / stride;
  b.conv1_ = ConvBatchNorm::load(weights, prefix + ".conv1.weight", prefix + ".bn1", planes,
                                 inplanes, 1, input_size);
  b.conv2_ = ConvBatchNorm::load(weights, prefix + ".conv2.weight", prefix + ".bn2", planes, planes,
                                 3, input_size);
  // The strided path pools before conv3 and before the downsampling convolution.
  b.conv3_ = ConvBatchNorm::load(weights, prefix + ".conv3.weight", prefix + ".bn3",
                                 planes * kExpansion, planes, 1, output_size);
  if (stride > 1 || inplanes != planes * kExpansion) {
    b.downsample_ =
        ConvBatchNorm::load(weights, prefix + ".downsample.0.weight", prefix + ".downsample.1",
                            planes * kExpansion, inplanes, 1, output_size);
  }
  return b;
}

at::Tensor Bottleneck::forward(const at::Tensor& x) const {
  at::Tensor out = conv2_(conv1_(x, true), true);
  if (stride_ > 1) out = at::avg_pool2d(out, stride_);
  if (!downsample_) return conv3_.add_relu(out, x);
  return conv3_.add_relu(out, (*downsample_)(stride_ > 1 ? at::avg_pool2d(x, stride_) : x));
}

void Bottleneck::pack(const std::vector<int64_t>& batches) {
  for (ConvBatchNorm* conv : {&conv1_, &conv2_, &conv3_}) conv->pack(batches);
  if (downsample_) downsample_->pack(batches);
}

std::unique_ptr<ModifiedResNet> ModifiedResNet::load(StateDict& weights, const std::string& prefix,
                                                     const clip4j_vision_config& config,
                                                     int64_t embed_dim) {
  if (config.image_size % 32 != 0) {
    throw InvalidArgument("ResNet image_size " + std::to_string(config.image_size) +
                          " is not a multiple of 32");
  }
  auto r = std::make_unique<ModifiedResNet>();
  const int64_t width = config.width;
  r->heads_ = config.heads;
  r->width_ = width;
  r->image_size_ = config.image_size;
  const int64_t size = config.image_size;
  r->conv1_ = ConvBatchNorm::load(weights, prefix + ".conv1.weight", prefix + ".bn1", width / 2, 3,
                                  3, size, /*stride=*/2);
  r->conv2_ = ConvBatchNorm::load(weights, prefix + ".conv2.weight", prefix + ".bn2", width / 2,
                                  width / 2, 3, size / 2);
  r->conv3_ = ConvBatchNorm::load(weights, prefix + ".conv3.weight", prefix + ".bn3", width,
                                  width / 2, 3, size / 2);
  int64_t inplanes = width;
  int64_t input_size = size / 4;  // after the stem's average pool
  for (int stage = 0; stage < 4; stage++) {
    const int64_t planes = width << stage;
    for (int i = 0; i < config.resnet_layers[stage]; i++) {
      const std::string name =
          prefix + ".layer" + std::to_string(stage + 1) + "." + std::to_string(i);
      const int64_t stride = i == 0 && stage > 0 ? 2 : 1;
      r->blocks_.push_back(Bottleneck::load(weights, name, inplanes, planes, stride, input_size));
      inplanes = planes * kExpansion;
      input_size /= stride;
    }
  }
  const int64_t features = width * 32;
  const int64_t spatial = config.image_size / 32;
  r->positional_embedding_ =
      weights.take(prefix + ".attnpool.positional_embedding", {spatial * spatial + 1, features});
  r->q_proj_ = Linear::load(weights, prefix + ".attnpool.q_proj", features, features);
  const int64_t head_dim = features / config.heads;
  const auto per_head = [&](const std::string& name) {
    const at::Tensor w = weights.take(name, {features, features});
    return w.defined() ? w.view({config.heads, head_dim, features}) : w;
  };
  r->key_weight_ = per_head(prefix + ".attnpool.k_proj.weight");
  // The key bias adds q·b_k to every score of a head: softmax cancels it (it is still checked).
  weights.take(prefix + ".attnpool.k_proj.bias", {features});
  r->value_weight_ = per_head(prefix + ".attnpool.v_proj.weight");
  r->value_bias_ = weights.take(prefix + ".attnpool.v_proj.bias", {features});
  r->c_proj_ = Linear::load(weights, prefix + ".attnpool.c_proj", features, embed_dim);
  return r;
}

// Multi-head attention of the mean token over [mean token, every position]; only the mean token's
// output is CLIP's embedding, so only its query is computed. The key and value projections are
// moved to the other side of the products: per head h, with q scaled by 1/sqrt(head_dim),
//   score_j = q·(W_k x_j + b_k) = (W_kᵀ q)·x_j + q·b_k   (q·b_k is the same for every j),
//   output  = Σ_j p_j (W_v x_j + b_v) = W_v (Σ_j p_j x_j) + b_v   (the p_j sum to 1),
// so each image multiplies W_k and W_v by one vector per head instead of by all 50 positions
// (RN50: 17 MFLOP instead of 860). In open_clip's torch, 8.7 ms became 2.1 at batch 1, equal to
// open_clip's AttentionPool2d within 3e-7.
at::Tensor ModifiedResNet::attention_pool(const at::Tensor& features) const {
  const int64_t batch = features.size(0), channels = features.size(1);
  at::Tensor x = features.flatten(2).transpose(1, 2);                        // [batch, HW, C]
  x = at::cat({x.mean(1, /*keepdim=*/true), x}, 1) + positional_embedding_;  // [batch, T, C]
  const int64_t head_dim = channels / heads_;
  const at::Tensor q = q_proj_(x.select(1, 0)) * (1.0 / std::sqrt(double(head_dim)));
  // [heads, batch, head_dim] x [heads, head_dim, C] -> [batch, heads, C]
  const at::Tensor key_query =
      per_head_products(q.view({batch, heads_, head_dim}).transpose(0, 1), key_weight_)
          .transpose(0, 1);
  const at::Tensor scores = at::bmm(key_query, x.transpose(1, 2));  // [batch, heads, T]
  const at::Tensor p = scores.to(at::kFloat).softmax(-1).to(x.scalar_type());
  const at::Tensor pooled = at::bmm(p, x);  // [batch, heads, C]: Σ_j p_j x_j per head
  // [heads, batch, C] x [heads, C, head_dim] -> [batch, heads, head_dim]
  const at::Tensor values =
      per_head_products(pooled.transpose(0, 1), value_weight_.transpose(1, 2)).transpose(0, 1);
  return c_proj_(values.reshape({batch, channels}) + value_bias_);
}

at::Tensor ModifiedResNet::encode(const at::Tensor& pixels) const {
  // Packed, the activations stay channels-last from the stem to the attention pool, where
  // [batch, channels, h, w] flattened and transposed is then [batch, hw, channels], contiguous.
  at::Tensor x = packed_ ? pixels.contiguous(at::MemoryFormat::ChannelsLast) : pixels;
  x = conv3_(conv2_(conv1_(x, true), true), true);
  x = at::avg_pool2d(x, 2);
  for (const auto& block : blocks_) x = block.forward(x);
  return attention_pool(x);
}

void ModifiedResNet::prepare_batch_sizes(const std::vector<int64_t>& batches) {
  if (batches.empty() || !conv1_.weight.defined() || !conv1_.weight.device().is_cpu() ||
      !onednn::packs(conv1_.weight.scalar_type())) {
    return;
  }
  for (ConvBatchNorm* conv : {&conv1_, &conv2_, &conv3_}) conv->pack(batches);
  for (auto& block : blocks_) block.pack(batches);
  packed_ = true;
}

void ModifiedResNet::count_linear_layers(LinearLayerCount& count) const {
  for (const Linear* layer : {&q_proj_, &c_proj_}) count.add(*layer);
}

int64_t ModifiedResNet::largest_activation_per_image() const {
  return (image_size_ / 4) * (image_size_ / 4) * 4 * width_;
}

}  // namespace clip4j
