#pragma once
// Work spread over the cores: a plain parallel loop (per-repository checks, evaluation)
// and ordered work (report pieces), whose results are consumed strictly in index order so
// that the output never depends on the thread count.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

#include "util/deep_stack.h"

namespace regpol {

// 0 means one per hardware thread.
inline unsigned resolve_threads(unsigned requested) {
  return requested ? requested : std::max(1u, std::thread::hardware_concurrency());
}

// How many workers parallel_for uses for n items: never more than there are items, at least one.
inline unsigned parallel_workers(std::size_t n, unsigned threads) {
  return static_cast<unsigned>(std::clamp<std::size_t>(n, 1, resolve_threads(threads)));
}

// Calls body(i, worker) for every i in [0, n), items handed out one at a time to
// parallel_workers(n, threads) workers (worker 0 is the calling thread). Workers get deep
// stacks because bodies may evaluate policy expressions (util/deep_stack.h).
template <typename Body>
void parallel_for(std::size_t n, unsigned threads, Body&& body) {
  const unsigned workers = parallel_workers(n, threads);
  std::atomic<std::size_t> next{0};
  auto work = [&](unsigned w) {
    for (std::size_t i; (i = next.fetch_add(1)) < n;) body(i, w);
  };
  std::vector<DeepStackThread> pool;
  pool.reserve(workers);
  for (unsigned w = 1; w < workers; ++w) pool.emplace_back([&work, w] { work(w); });
  work(0);
  for (auto& t : pool) t.join();
}

// Calls produce(i, R& slot) for i in [0, n) on up to `threads` threads, a window at a time,
// then consume(i, R& slot) in increasing i on the calling thread. At most `window` results
// are held at once; slots are reused from window to window (a string slot keeps its
// capacity), so steady state allocates nothing.
template <typename R, typename Produce, typename Consume>
void ordered_parallel(std::size_t n, unsigned threads, std::size_t window, Produce&& produce, Consume&& consume) {
  window = std::max<std::size_t>(window, resolve_threads(threads));
  std::vector<R> slots(std::min(n, window));
  for (std::size_t start = 0; start < n; start += window) {
    std::size_t end = std::min(n, start + window);
    parallel_for(end - start, threads, [&](std::size_t k, unsigned) { produce(start + k, slots[k]); });
    for (std::size_t i = start; i < end; ++i) consume(i, slots[i - start]);
  }
}

}  // namespace regpol
