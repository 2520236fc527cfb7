#include "modified_resnet.h"

#include <ATen/ATen.h>

#include "common/errors.h"

namespace clip4j {
namespace {

constexpr int64_t kExpansion = 4;

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
  r->k_proj_ = Linear::load(weights, prefix + ".attnpool.k_proj", features, features);
  r->v_proj_ = Linear::load(weights, prefix + ".attnpool.v_proj", features, features);
  r->c_proj_ = Linear::load(weights, prefix + ".attnpool.c_proj", features, embed_dim);
  return r;
}

// Multi-head attention of the mean token over [mean token, every position]; only the mean token's
// output is CLIP's embedding, so only its query is computed.
at::Tensor ModifiedResNet::attention_pool(const at::Tensor& features) const {
  const int64_t batch = features.size(0), channels = features.size(1);
  at::Tensor x = features.flatten(2).transpose(1, 2);  // [batch, HW, C]
  x = at::cat({x.mean(1, /*keepdim=*/true), x}, 1) + positional_embedding_;
  const int64_t tokens = x.size(1), head_dim = channels / heads_;
  const auto heads = [&](const at::Tensor& t, int64_t n) {
    return t.view({batch, n, heads_, head_dim}).transpose(1, 2);
  };
  const at::Tensor q = heads(q_proj_(x.slice(1, 0, 1)), 1);
  const at::Tensor k = heads(k_proj_(x), tokens);
  const at::Tensor v = heads(v_proj_(x), tokens);
  const at::Tensor attended = attend(q, k, v);
  return c_proj_(attended.transpose(1, 2).reshape({batch, channels}));
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
  for (const Linear* layer : {&q_proj_, &k_proj_, &v_proj_, &c_proj_}) count.add(*layer);
}

int64_t ModifiedResNet::largest_activation_per_image() const {
  return (image_size_ / 4) * (image_size_ / 4) * 4 * width_;
}

}  // namespace clip4j
