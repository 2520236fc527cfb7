// The facade's exception mapping (facade/guarded.h): every kind of exception the runner, libtorch
// or the standard library can throw becomes the status the header documents, with a message that
// names the problem and no stack trace. Some of these (a CUDA failure, a failed host allocation)
// cannot be provoked through the Java API on demand. Run by scripts/check-facade-statuses (in CI).
// Exits 1 at the first failed check.
#include <c10/util/Exception.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

#include "facade/guarded.h"

namespace {

int failures = 0;

void check(bool condition, const std::string& what) {
  if (!condition) {
    std::fprintf(stderr, "guarded_test: FAILED: %s\n", what.c_str());
    failures++;
  }
}

c10::SourceLocation here() { return c10::SourceLocation{"test", "guarded_test.cpp", 1}; }

// Throws `thrower()` through guarded() and checks the status and the message it wrote.
template <typename Thrower>
void expect(const char* name, Thrower thrower, clip4j_status status, const std::string& message) {
  char error[256];
  std::strcpy(error, "stale");
  const clip4j_status got = clip4j::facade::guarded(error, sizeof error, thrower);
  check(got == status,
        std::string(name) + ": status " + std::to_string(got) + ", want " + std::to_string(status));
  check(message == error, std::string(name) + ": message '" + error + "', want '" + message + "'");
}

}  // namespace

int main() {
  using namespace clip4j;
  expect("no exception", [] {}, CLIP4J_OK, "");
  expect(
      "InvalidArgument", [] { throw InvalidArgument("batch must be positive"); },
      CLIP4J_INVALID_ARGUMENT, "batch must be positive");
  expect(
      "std::invalid_argument", [] { throw std::invalid_argument("max_bucket must be positive"); },
      CLIP4J_INVALID_ARGUMENT, "max_bucket must be positive");
  expect("IoError", [] { throw IoError("cannot open x.pt"); }, CLIP4J_IO_ERROR, "cannot open x.pt");
  expect(
      "CheckpointError", [] { throw CheckpointError("missing visual.proj"); },
      CLIP4J_BAD_CHECKPOINT, "missing visual.proj");
  expect(
      "Unsupported", [] { throw Unsupported("no CUDA in this build"); }, CLIP4J_UNSUPPORTED,
      "no CUDA in this build");
  expect(
      "BadImage", [] { throw BadImage("image 2: truncated"); }, CLIP4J_BAD_IMAGE,
      "image 2: truncated");
  expect(
      "NumericOverflow", [] { throw NumericOverflow("embedding 0 is NaN"); },
      CLIP4J_NUMERIC_OVERFLOW, "embedding 0 is NaN");
  expect(
      "DeviceError", [] { throw DeviceError("could not pin 100 bytes: out of memory"); },
      CLIP4J_DEVICE_ERROR, "could not pin 100 bytes: out of memory");
  // libtorch's: the message without the stack trace that what() appends.
  expect(
      "c10::OutOfMemoryError",
      [] { throw c10::OutOfMemoryError(here(), "CUDA out of memory. Tried to allocate 2.00 GiB"); },
      CLIP4J_OUT_OF_MEMORY, "CUDA out of memory. Tried to allocate 2.00 GiB");
  // C10_CUDA_CHECK's exception: a failing CUDA call is a device error, unless it ran out of memory.
  expect(
      "c10::AcceleratorError",
      [] {
        throw c10::AcceleratorError(here(), 700,
                                    "CUDA error: an illegal memory access was encountered");
      },
      CLIP4J_DEVICE_ERROR, "CUDA error: an illegal memory access was encountered");
  expect(
      "c10::AcceleratorError, out of memory",
      [] { throw c10::AcceleratorError(here(), 2, "CUDA error: out of memory"); },
      CLIP4J_OUT_OF_MEMORY, "CUDA error: out of memory");
  expect(
      "c10::Error", [] { throw c10::Error(here(), "Expected 3 dims"); }, CLIP4J_INTERNAL,
      "Expected 3 dims");
  expect(
      "c10::Error, host allocation",
      [] {
        throw c10::Error(here(), "DefaultCPUAllocator: not enough memory: you tried to allocate");
      },
      CLIP4J_OUT_OF_MEMORY, "DefaultCPUAllocator: not enough memory: you tried to allocate");
  expect(
      "std::bad_alloc", [] { throw std::bad_alloc(); }, CLIP4J_OUT_OF_MEMORY, "out of host memory");
  expect(
      "std::runtime_error", [] { throw std::runtime_error("something else"); }, CLIP4J_INTERNAL,
      "something else");
  expect("not an exception", [] { throw 42; }, CLIP4J_INTERNAL, "unknown native exception");

  // A message longer than the caller's buffer is cut, and still ends in a NUL; no buffer at all
  // still gives the status.
  char small[8];
  const clip4j_status cut =
      facade::guarded(small, sizeof small, [] { throw IoError("cannot open a/long/path.pt"); });
  check(cut == CLIP4J_IO_ERROR && std::string(small) == "cannot ",
        "a short buffer holds '" + std::string(small) + "'");
  check(facade::guarded(nullptr, 0, [] { throw BadImage("x"); }) == CLIP4J_BAD_IMAGE,
        "no error buffer");

  if (failures > 0) return 1;
  std::printf("guarded_test: ok\n");
  return 0;
}
