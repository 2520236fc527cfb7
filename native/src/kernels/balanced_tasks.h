// Tasks shared out over libtorch's threads so that no thread waits at the end of a product while
// another still works. Each thread starts on its own consecutive share, as at::parallel_for would
// give it (consecutive tasks keep their rows of A cached); a thread whose share is done takes the
// back half of the largest share left and goes on with that. With fixed shares, as before, the
// thread that finished first waited for the other at the end of every product and attention:
// ViT-B-32 fp32 on 2 threads ran 1.6-2.4% faster at batch 16 and 2.0-4.5% at batch 1 with this
// (the two toggled call by call in one process; README, Speed).
#pragma once

#include <ATen/Parallel.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>

namespace clip4j::kernels {

namespace balanced_detail {

// A share's unclaimed tasks [front, back), in one word so that its owner, taking from the front,
// and a thief, taking the back half, settle every race with one compare-and-swap.
struct alignas(64) Share {
  std::atomic<uint64_t> range{0};
};

inline uint64_t pack(int64_t front, int64_t back) {
  return (uint64_t(front) << 32) | uint64_t(back);
}
inline int64_t front_of(uint64_t range) { return int64_t(range >> 32); }
inline int64_t back_of(uint64_t range) { return int64_t(range & 0xffffffffu); }

// The share's first unclaimed task, claimed; -1 when it has none.
inline int64_t take_front(Share& share) {
  uint64_t range = share.range.load();
  while (front_of(range) < back_of(range)) {
    if (share.range.compare_exchange_weak(range, pack(front_of(range) + 1, back_of(range)))) {
      return front_of(range);
    }
  }
  return -1;
}

// Moves the back half (rounded up) of the largest other share into `own`, which is empty; false
// when every share is empty.
inline bool steal_half(Share* shares, int64_t count, int64_t own) {
  while (true) {
    int64_t victim = -1, most = 0;
    for (int64_t i = 0; i < count; ++i) {
      const uint64_t range = shares[i].range.load();
      if (i != own && back_of(range) - front_of(range) > most) {
        most = back_of(range) - front_of(range);
        victim = i;
      }
    }
    if (victim < 0) return false;
    uint64_t range = shares[victim].range.load();
    const int64_t front = front_of(range), back = back_of(range);
    if (front >= back) continue;
    const int64_t middle = front + (back - front) / 2;
    if (shares[victim].range.compare_exchange_strong(range, pack(front, middle))) {
      shares[own].range.store(pack(middle, back));
      return true;
    }
  }
}

}  // namespace balanced_detail

// Runs run(task, worker) once for every task in [0, tasks), over libtorch's threads (on this thread
// alone inside a parallel region or with one thread). `worker` < at::get_num_threads(), and no two
// threads run tasks with the same worker at once: an index for per-thread scratch. The first
// exception a task throws is rethrown here, as at::parallel_for does; tasks not yet claimed by then
// may still run.
template <typename Run>
void run_balanced(int64_t tasks, const Run& run) {
  using namespace balanced_detail;
  TORCH_CHECK(tasks < std::numeric_limits<int32_t>::max(), "run_balanced: ", tasks, " tasks");
  const int64_t threads = std::min<int64_t>(at::get_num_threads(), tasks);
  if (threads < 2 || at::in_parallel_region()) {
    for (int64_t task = 0; task < tasks; ++task) run(task, 0);
    return;
  }
  const std::unique_ptr<Share[]> shares(new Share[threads]);
  for (int64_t i = 0; i < threads; ++i) {
    shares[i].range.store(pack(i * tasks / threads, (i + 1) * tasks / threads));
  }
  at::parallel_for(0, threads, 1, [&](int64_t first, int64_t last) {
    for (int64_t own = first; own < last; ++own) {
      do {
        for (int64_t task; (task = take_front(shares[own])) >= 0;) run(task, own);
      } while (steal_half(shares.get(), threads, own));
    }
  });
}

}  // namespace clip4j::kernels
