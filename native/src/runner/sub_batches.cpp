#include "runner/sub_batches.h"

#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

// Compiled with -fopenmp: ATen's parallel_for is a header template (CMakeLists.txt).

namespace clip4j {

void run_split_by_thread(int64_t first, int64_t count, int64_t minimum_per_thread,
                         const std::function<void(int64_t start, int64_t n)>& run) {
  const int64_t parts = at::get_num_threads();
  if (parts < 2 || count < parts * minimum_per_thread) {
    c10::InferenceMode guard;
    run(first, count);
    return;
  }
  at::parallel_for(0, parts, 1, [&](int64_t begin, int64_t end) {
    // Thread-local, so set on each of libtorch's threads.
    c10::InferenceMode guard;
    for (int64_t part = begin; part < end; part++) {
      const int64_t start = first + part * count / parts;
      run(start, first + (part + 1) * count / parts - start);
    }
  });
}

}  // namespace clip4j
