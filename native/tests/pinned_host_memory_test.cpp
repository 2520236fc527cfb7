// The registry of callers' pinned memory (runner/cuda/pinned_host_memory), tested without a GPU
// against the stand-in CUDA runtime in stand-in-cuda/: which ranges it lends, what it refuses,
// what it registers and unregisters, and that unpinning waits for the calls reading the memory.
// Run by scripts/check-pinned-memory (in CI). Exits 1 at the first failed check.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <cuda_runtime_api.h>  // the stand-in

#include "runner/cuda/pinned_host_memory.h"

namespace {

// What the stand-in runtime was asked, and what it answers next.
std::vector<const void*> registered, unregistered;
cudaError_t next_register_status = cudaSuccess;

void check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "pinned_host_memory_test: FAILED: %s\n", what);
    std::_Exit(1);  // no static destructors: a thread may still wait on the registry
  }
}

template <typename Exception, typename Body>
std::string thrown(Body body) {
  try {
    body();
  } catch (const Exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace

cudaError_t cudaHostRegister(void* ptr, size_t, unsigned int flags) {
  check(flags == cudaHostRegisterPortable, "memory is pinned for every device");
  const cudaError_t status = next_register_status;
  next_register_status = cudaSuccess;
  if (status == cudaSuccess) registered.push_back(ptr);
  return status;
}
cudaError_t cudaHostUnregister(void* ptr) {
  unregistered.push_back(ptr);
  return cudaSuccess;
}
cudaError_t cudaGetLastError() { return cudaSuccess; }
const char* cudaGetErrorString(cudaError_t error) {
  return error == cudaErrorMemoryAllocation ? "out of memory" : "some error";
}

int main() {
  using clip4j::PinnedHostMemory;
  PinnedHostMemory& memory = PinnedHostMemory::instance();
  static char block[1000];
  char* const a = block;

  memory.pin(a + 100, 100);  // [100, 200)
  check(registered.size() == 1 && registered[0] == a + 100, "pin registers the range");
  check(bool(memory.lease(a + 100, 100)), "the whole range is lent");
  check(bool(memory.lease(a + 150, 50)), "a part ending at its end is lent");
  check(!memory.lease(a + 150, 51), "a part running past its end is not");
  check(!memory.lease(a + 99, 10), "a part starting before it is not");
  check(!memory.lease(a + 300, 10), "memory never pinned is not");

  // Overlaps, from either side or inside, are refused; neighbours are not.
  for (const auto& [begin, bytes] :
       std::vector<std::pair<int, int>>{{50, 51}, {199, 10}, {120, 10}, {0, 500}}) {
    const std::string message =
        thrown<std::invalid_argument>([&] { memory.pin(a + begin, size_t(bytes)); });
    check(message.find("overlaps") != std::string::npos, "an overlapping range is refused");
  }
  memory.pin(a + 200, 50);
  memory.pin(a + 50, 50);
  check(registered.size() == 3, "adjacent ranges are pinned");

  // A driver refusal names CUDA's error and registers nothing.
  next_register_status = cudaErrorMemoryAllocation;
  const std::string refused = thrown<std::runtime_error>([&] { memory.pin(a + 400, 100); });
  check(refused.find("could not pin 100 bytes of host memory: out of memory") != std::string::npos,
        "a refusal names the size and CUDA's error");
  check(!memory.lease(a + 400, 10), "a refused range is not lent");

  // Memory another library registered is used, and left to it.
  next_register_status = cudaErrorHostMemoryAlreadyRegistered;
  memory.pin(a + 600, 100);
  check(bool(memory.lease(a + 600, 100)), "memory registered elsewhere is lent");
  memory.unpin(a + 600);
  check(unregistered.empty(), "memory registered elsewhere is not unregistered");
  check(!memory.lease(a + 600, 100), "nor lent once unpinned");

  memory.unpin(a + 123);  // not the start of a pinned range: ignored
  check(unregistered.empty(), "unpinning what was not pinned does nothing");

  // Unpinning waits for the lease a call holds, and lends no more meanwhile.
  std::atomic<bool> unpinned{false};
  std::thread unpinner;
  {
    const PinnedHostMemory::Lease lease = memory.lease(a + 120, 10);
    check(bool(lease), "a call's lease");
    unpinner = std::thread([&] {
      memory.unpin(a + 100);
      unpinned = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    check(!unpinned, "unpin waits while a lease is held");
    check(!memory.lease(a + 100, 10), "no new lease while unpinning");
    check(unregistered.empty(), "nothing unregistered while a lease is held");
  }
  unpinner.join();
  check(unpinned && unregistered.size() == 1 && unregistered[0] == a + 100,
        "the lease's end lets unpin unregister the range");
  memory.pin(a + 100, 100);
  check(bool(memory.lease(a + 100, 100)), "a range unpinned can be pinned again");

  std::printf("pinned_host_memory_test: ok\n");
  return 0;
}
