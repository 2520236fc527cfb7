#include "onednn_convolution.h"

#include <ATen/ATen.h>

#include <cstring>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "models/onednn_operator.h"

// libtorch's accessors for an MKLDNN tensor's buffer (ATen/native/mkldnn/MKLDNNCommon.h, which the
// wheel does not ship; libtorch_cpu exports them for AOTInductor). Weak: where they are missing,
// packs are simply not shared.
namespace at::native {
__attribute__((weak, visibility("default"))) void* data_ptr_from_mkldnn(const at::Tensor& tensor);
__attribute__((weak, visibility("default"))) int64_t nbytes_from_mkldnn(const at::Tensor& tensor);
}  // namespace at::native

namespace clip4j::onednn {
namespace {

// Whether two packs of one weight hold the same bytes, i.e. oneDNN chose one layout for both batch
// sizes. Sharing a pack is correct either way (it carries its own layout; a call wanting another
// one re-packs it), so this only decides memory and speed.
bool same_bytes(const at::Tensor& a, const at::Tensor& b) {
  if (at::native::data_ptr_from_mkldnn == nullptr || at::native::nbytes_from_mkldnn == nullptr) {
    return false;
  }
  const int64_t bytes = at::native::nbytes_from_mkldnn(a);
  return bytes == at::native::nbytes_from_mkldnn(b) &&
         std::memcmp(at::native::data_ptr_from_mkldnn(a), at::native::data_ptr_from_mkldnn(b),
                     bytes) == 0;
}

// mkldnn::_convolution_pointwise(X, W, B?, padding, stride, dilation, groups, attr, scalars,
// algorithm)
using Unary = at::Tensor(const at::Tensor&, const at::Tensor&, const std::optional<at::Tensor>&,
                         at::IntArrayRef, at::IntArrayRef, at::IntArrayRef, int64_t,
                         std::string_view, Scalars, std::optional<std::string_view>);
// mkldnn::_convolution_pointwise.binary(X, other, W, B?, padding, stride, dilation, groups,
// binary_attr, alpha, unary_attr, unary_scalars, unary_algorithm)
using Binary = at::Tensor(const at::Tensor&, const at::Tensor&, const at::Tensor&,
                          const std::optional<at::Tensor>&, at::IntArrayRef, at::IntArrayRef,
                          at::IntArrayRef, int64_t, std::string_view, std::optional<c10::Scalar>,
                          std::optional<std::string_view>, Scalars,
                          std::optional<std::string_view>);

std::optional<c10::OperatorHandle> find(const char* overload) {
  return find_operator("mkldnn::_convolution_pointwise", overload);
}

// Whether this libtorch has the fused operators (a libtorch built without oneDNN has not).
bool fused_convolution_available() {
  static const bool available = find("").has_value() && find("binary").has_value();
  return available;
}

const c10::TypedOperatorHandle<Unary>& unary() {
  static const auto op = find("")->typed<Unary>();
  return op;
}

const c10::TypedOperatorHandle<Binary>& binary() {
  static const auto op = find("binary")->typed<Binary>();
  return op;
}

}  // namespace

bool packs(at::ScalarType type) {
  return fused_convolution_available() &&
         (type == at::kFloat || (type == at::kBFloat16 && cpu_has_bf16()));
}

PackedConvolution::PackedConvolution(const at::Tensor& weight, at::Tensor bias, int64_t stride,
                                     int64_t input_size, const std::vector<int64_t>& batches)
    : bias_(std::move(bias)), stride_(stride), padding_(weight.size(2) / 2) {
  const at::Tensor blocked = weight.to_mkldnn();
  for (const int64_t batch : batches) {
    at::Tensor packed =
        at::mkldnn_reorder_conv2d_weight(blocked, {padding_, padding_}, {stride_, stride_}, {1, 1},
                                         1, {{batch, weight.size(1), input_size, input_size}});
    // A batch size oneDNN gives an earlier one's layout shares that pack: on the Xeon every RN50
    // convolution kept one layout for batch sizes 1 to 20 (its 3x3 weights are 45 MB a copy).
    for (const auto& [size, earlier] : packs_) {
      if (same_bytes(earlier, packed)) {
        packed = earlier;
        break;
      }
    }
    packs_.emplace_back(batch, std::move(packed));
  }
  if (packs_.empty()) throw std::logic_error("a packed convolution needs a batch size");
}

const at::Tensor& PackedConvolution::packed_for(int64_t batch) const {
  for (const auto& [size, packed] : packs_) {
    if (size == batch) return packed;
  }
  return packs_.front().second;
}

at::Tensor PackedConvolution::operator()(const at::Tensor& x, bool relu) const {
  return unary().call(x, packed_for(x.size(0)), bias_, {padding_, padding_}, {stride_, stride_},
                      {1, 1}, 1, relu ? "relu" : "none", Scalars(), std::nullopt);
}

at::Tensor PackedConvolution::add_relu(const at::Tensor& x, const at::Tensor& residual) const {
  return binary().call(x, residual, packed_for(x.size(0)), bias_, {padding_, padding_},
                       {stride_, stride_}, {1, 1}, 1, "add", std::nullopt, "relu", Scalars(),
                       std::nullopt);
}

}  // namespace clip4j::onednn
