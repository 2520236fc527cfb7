// Every facade function runs its body through guarded(): each exception the runner, libtorch or
// the standard library may throw becomes one clip4j_status and a message, so nothing escapes
// into the JVM. Its own header so that native/tests/guarded_test.cpp can check the mapping.
#pragma once

#include <c10/util/Exception.h>

#include <cstdio>
#include <new>
#include <stdexcept>
#include <string>

#include "clip4j.h"
#include "common/errors.h"
#include "preprocessing/image_decode.h"

namespace clip4j::facade {

inline void write_error(char* error, size_t capacity, const char* message) {
  if (error == nullptr || capacity == 0) return;
  std::snprintf(error, capacity, "%s", message);
}

inline bool looks_like_out_of_memory(const std::string& message) {
  return message.find("out of memory") != std::string::npos ||
         message.find("not enough memory") != std::string::npos ||
         message.find("can't allocate memory") != std::string::npos;
}

// Runs `body`, mapping every exception to a status.
template <typename Body>
clip4j_status guarded(char* error, size_t capacity, Body&& body) {
  try {
    body();
    if (error != nullptr && capacity > 0) error[0] = '\0';
    return CLIP4J_OK;
  } catch (const InvalidArgument& e) {
    write_error(error, capacity, e.what());
    return CLIP4J_INVALID_ARGUMENT;
  } catch (const IoError& e) {
    write_error(error, capacity, e.what());
    return CLIP4J_IO_ERROR;
  } catch (const CheckpointError& e) {
    write_error(error, capacity, e.what());
    return CLIP4J_BAD_CHECKPOINT;
  } catch (const Unsupported& e) {
    write_error(error, capacity, e.what());
    return CLIP4J_UNSUPPORTED;
  } catch (const BadImage& e) {
    write_error(error, capacity, e.what());
    return CLIP4J_BAD_IMAGE;
  } catch (const NumericOverflow& e) {
    write_error(error, capacity, e.what());
    return CLIP4J_NUMERIC_OVERFLOW;
  } catch (const DeviceError& e) {
    write_error(error, capacity, e.what());
    return CLIP4J_DEVICE_ERROR;
  } catch (const c10::OutOfMemoryError& e) {
    write_error(error, capacity, e.what_without_backtrace());
    return CLIP4J_OUT_OF_MEMORY;
  } catch (const c10::AcceleratorError& e) {
    // libtorch's C10_CUDA_CHECK: a CUDA call failed ("CUDA error: an illegal memory access was
    // encountered", a lost device). Such errors are often sticky, every later call on that GPU
    // failing too: a service may want to restart rather than retry, so they get their own status.
    // A failed cudaMalloc outside the caching allocator arrives this way as "out of memory".
    const std::string message = e.what_without_backtrace();
    write_error(error, capacity, message.c_str());
    return looks_like_out_of_memory(message) ? CLIP4J_OUT_OF_MEMORY : CLIP4J_DEVICE_ERROR;
  } catch (const c10::Error& e) {
    const std::string message = e.what_without_backtrace();
    write_error(error, capacity, message.c_str());
    return looks_like_out_of_memory(message) ? CLIP4J_OUT_OF_MEMORY : CLIP4J_INTERNAL;
  } catch (const std::bad_alloc&) {
    write_error(error, capacity, "out of host memory");
    return CLIP4J_OUT_OF_MEMORY;
  } catch (const std::invalid_argument& e) {
    write_error(error, capacity, e.what());
    return CLIP4J_INVALID_ARGUMENT;
  } catch (const std::exception& e) {
    write_error(error, capacity, e.what());
    return CLIP4J_INTERNAL;
  } catch (...) {
    write_error(error, capacity, "unknown native exception");
    return CLIP4J_INTERNAL;
  }
}

}  // namespace clip4j::facade
