#include "modified_resnet.h"

#include <ATen/ATen.h>

#include "common/errors.h"

namespace clip4j {
namespace {

constexpr int64_t kExpansion = 4;

at::Tensor take_conv(StateDict& weights, const std::string& name, int64_t out, int64_t in,
                     int64_t kernel) {
  return weights.take(name, {out, in, kernel, kernel});
}

}  // namespace

BatchNorm BatchNorm::load(StateDict& weights, const std::string& prefix, int64_t channels) {
  weights.ignore(prefix + ".num_batches_tracked");  // a training counter
  return {weights.take(prefix + ".weight", {channels}), weights.take(prefix + ".bias", {channels}),
          weights.take(prefix + ".running_mean", {channels}),
          weights.take(prefix + ".running_var", {channels})};
}

at::Tensor BatchNorm::operator()(const at::Tensor& x) const {
  return at::batch_norm(x, weight, bias, running_mean, running_var, /*training=*/false,
                        /*momentum=*/0.1, /*eps=*/1e-5, /*cudnn_enabled=*/true);
}

Bottleneck Bottleneck::load(StateDict& weights, const std::string& prefix, int64_t inplanes,
                            int64_t planes, int64_t stride) {
  Bottleneck b;
  b.stride_ = stride;
  b.conv1_ = take_conv(weights, prefix + ".conv1.weight", planes, inplanes, 1);
  b.bn1_ = BatchNorm::load(weights, prefix + ".bn1", planes);
  b.conv2_ = take_conv(weights, prefix + ".conv2.weight", planes, planes, 3);
  b.bn2_ = BatchNorm::load(weights, prefix + ".bn2", planes);
  b.conv3_ = take_conv(weights, prefix + ".conv3.weight", planes * kExpansion, planes, 1);
  b.bn3_ = BatchNorm::load(weights, prefix + ".bn3", planes * kExpansion);
  if (stride > 1 || inplanes != planes * kExpansion) {
    b.downsample_conv_ =
        take_conv(weights, prefix + ".downsample.0.weight", planes * kExpansion, inplanes, 1);
    b.downsample_bn_ = BatchNorm::load(weights, prefix + ".downsample.1", planes * kExpansion);
  }
  return b;
}

at::Tensor Bottleneck::forward(const at::Tensor& x) const {
  at::Tensor out = at::relu(bn1_(at::conv2d(x, conv1_)));
  out = at::relu(bn2_(at::conv2d(out, conv2_, {}, 1, 1)));
  if (stride_ > 1) out = at::avg_pool2d(out, stride_);
  out = bn3_(at::conv2d(out, conv3_));
  at::Tensor identity = x;
  if (downsample_conv_.defined()) {
    identity = stride_ > 1 ? at::avg_pool2d(x, stride_) : x;
    identity = downsample_bn_(at::conv2d(identity, downsample_conv_));
  }
  return at::relu(out + identity);
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
  r->conv1_ = take_conv(weights, prefix + ".conv1.weight", width / 2, 3, 3);
  r->bn1_ = BatchNorm::load(weights, prefix + ".bn1", width / 2);
  r->conv2_ = take_conv(weights, prefix + ".conv2.weight", width / 2, width / 2, 3);
  r->bn2_ = BatchNorm::load(weights, prefix + ".bn2", width / 2);
  r->conv3_ = take_conv(weights, prefix + ".conv3.weight", width, width / 2, 3);
  r->bn3_ = BatchNorm::load(weights, prefix + ".bn3", width);
  int64_t inplanes = width;
  for (int stage = 0; stage < 4; stage++) {
    const int64_t planes = width << stage;
    for (int i = 0; i < config.resnet_layers[stage]; i++) {
      const std::string name = prefix + ".layer" + std::to_string(stage + 1) + "." + std::to_string(i);
      r->blocks_.push_back(
          Bottleneck::load(weights, name, inplanes, planes, i == 0 && stage > 0 ? 2 : 1));
      inplanes = planes * kExpansion;
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
  const at::Tensor attended = at::scaled_dot_product_attention(q, k, v);
  return c_proj_(attended.transpose(1, 2).reshape({batch, channels}));
}

at::Tensor ModifiedResNet::encode(const at::Tensor& pixels) const {
  at::Tensor x = at::relu(bn1_(at::conv2d(pixels, conv1_, {}, 2, 1)));
  x = at::relu(bn2_(at::conv2d(x, conv2_, {}, 1, 1)));
  x = at::relu(bn3_(at::conv2d(x, conv3_, {}, 1, 1)));
  x = at::avg_pool2d(x, 2);
  for (const auto& block : blocks_) x = block.forward(x);
  return attention_pool(x);
}

void ModifiedResNet::count_linear_layers(LinearLayerCount& count) const {
  for (const Linear* layer : {&q_proj_, &k_proj_, &v_proj_, &c_proj_}) count.add(*layer);
}

}  // namespace clip4j
