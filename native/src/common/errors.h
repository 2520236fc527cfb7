// The exception types the runner throws; the facade maps each to a clip4j_status.
#pragma once

#include <stdexcept>
#include <string>

namespace clip4j {

// The checkpoint is unreadable, or its tensors do not fit the architecture.
struct CheckpointError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A file could not be opened or read.
struct IoError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A well-formed request this build or model cannot serve.
struct Unsupported : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A result came out NaN or infinite from finite weights and inputs: the activations overflowed
// the model's precision (float16 stops at 65504).
struct NumericOverflow : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The GPU or its driver failed a request (CUDA's own error in the message).
struct DeviceError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The caller passed something invalid.
struct InvalidArgument : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

}  // namespace clip4j
