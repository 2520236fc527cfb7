#include "state_dict.h"

#include <ATen/ATen.h>

#include <sstream>

#include "common/errors.h"
#include "common/finite_values.h"

namespace clip4j {
namespace {

std::string shape_string(at::IntArrayRef shape) {
  std::ostringstream out;
  out << '[';
  for (size_t i = 0; i < shape.size(); i++) out << (i ? ", " : "") << shape[i];
  out << ']';
  return out.str();
}

std::string dtype_name(at::ScalarType dtype) {
  switch (dtype) {
    case at::kHalf:
      return "float16";
    case at::kBFloat16:
      return "bfloat16";
    case at::kFloat:
      return "float32";
    default:
      return c10::toString(dtype);
  }
}

std::string join(const std::vector<std::string>& items, size_t limit = 10) {
  std::ostringstream out;
  for (size_t i = 0; i < items.size() && i < limit; i++) out << (i ? ", " : "") << items[i];
  if (items.size() > limit) out << " and " << (items.size() - limit) << " more";
  return out.str();
}

}  // namespace

StateDict::StateDict(std::map<std::string, at::Tensor> tensors, c10::TensorOptions options)
    : tensors_(std::move(tensors)), options_(options) {}

at::Tensor StateDict::take(const std::string& name, std::vector<int64_t> shape) {
  return take_as(name, shape, false, false);
}

at::Tensor StateDict::take_fp32(const std::string& name, std::vector<int64_t> shape) {
  return take_as(name, shape, true, false);
}

std::optional<at::Tensor> StateDict::take_optional(const std::string& name,
                                                   std::vector<int64_t> shape) {
  if (!contains(name)) return std::nullopt;
  return take_as(name, shape, false, true);
}

at::Tensor StateDict::take_as(const std::string& name, const std::vector<int64_t>& shape,
                              bool keep_fp32, bool optional) {
  const auto it = tensors_.find(name);
  if (it == tensors_.end()) {
    if (!optional) missing_.push_back(name + " " + shape_string(shape));
    return at::Tensor();
  }
  used_.insert(name);
  const at::Tensor& stored = it->second;
  if (stored.sizes() != at::IntArrayRef(shape)) {
    misshaped_.push_back(name + " is " + shape_string(stored.sizes()) + ", expected " +
                         shape_string(shape));
    return at::Tensor();
  }
  if (!at::isFloatingType(stored.scalar_type())) {
    misshaped_.push_back(name + " has non-floating dtype " +
                         std::string(c10::toString(stored.scalar_type())));
    return at::Tensor();
  }
  parameter_count_ += stored.numel();
  const auto dtype = keep_fp32 ? at::kFloat : options_.dtype().toScalarType();
  at::Tensor weight =
      stored.to(options_.device(), dtype, /*non_blocking=*/false, /*copy=*/true).contiguous();
  // A NaN or infinite weight (a diverged run, a damaged file) would not always give a NaN
  // embedding: oneDNN's fused ReLU turns NaN into 0, and the answer comes out finite and wrong.
  // Checked after the conversion, which can itself overflow (float16 stops at 65504).
  if (!all_finite(weight)) {
    const int64_t bad = stored.numel() - at::isfinite(stored).sum().item<int64_t>();
    non_finite_.push_back(bad > 0 ? name + " (" + std::to_string(bad) + " of " +
                                        std::to_string(stored.numel()) + " values)"
                                  : name + " (finite as stored, beyond " + dtype_name(dtype) +
                                        "'s range once converted)");
    return at::Tensor();
  }
  return weight;
}

void StateDict::finish() const {
  std::vector<std::string> unexpected;
  for (const auto& [name, tensor] : tensors_) {
    if (!used_.count(name)) unexpected.push_back(name);
  }
  if (missing_.empty() && misshaped_.empty() && non_finite_.empty() && unexpected.empty()) return;
  std::ostringstream message;
  const bool fits = missing_.empty() && misshaped_.empty() && unexpected.empty();
  message << (fits ? "checkpoint holds weights that are not finite:"
                   : "checkpoint does not fit the architecture:");
  if (!missing_.empty())
    message << " missing " << missing_.size() << " tensors (" << join(missing_) << ");";
  if (!misshaped_.empty()) message << " wrong shape or dtype (" << join(misshaped_) << ");";
  if (!non_finite_.empty())
    message << " NaN or infinity in " << non_finite_.size() << " tensors (" << join(non_finite_)
            << ");";
  if (!unexpected.empty()) {
    message << " " << unexpected.size() << " unexpected tensors (" << join(unexpected) << ");";
  }
  std::string text = message.str();
  text.pop_back();
  throw CheckpointError(text);
}

}  // namespace clip4j
