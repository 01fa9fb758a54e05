#pragma once
// Work that must come out in order but can be computed in parallel (report sections,
// snapshot pieces): items are produced on several threads a window at a time and consumed
// on the calling thread strictly in index order, so the output never depends on the thread
// count and at most `window` results are held at once.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace regpol {

// 0 means one per hardware thread.
inline unsigned resolve_threads(unsigned requested) {
  return requested ? requested : std::max(1u, std::thread::hardware_concurrency());
}

// Calls produce(i, R& slot) for i in [0, n) on up to `threads` threads, then
// consume(i, R& slot) in increasing i on the calling thread. Slots are reused from window to
// window (a string slot keeps its capacity), so steady state allocates nothing.
template <typename R, typename Produce, typename Consume>
void ordered_parallel(std::size_t n, unsigned threads, std::size_t window, Produce&& produce, Consume&& consume) {
  threads = resolve_threads(threads);
  window = std::max<std::size_t>(window, threads);
  std::vector<R> slots(std::min(n, window));
  for (std::size_t start = 0; start < n; start += window) {
    std::size_t end = std::min(n, start + window);
    std::atomic<std::size_t> next{start};
    auto work = [&] {
      for (std::size_t i; (i = next.fetch_add(1)) < end;) produce(i, slots[i - start]);
    };
    std::size_t helpers = std::min<std::size_t>(threads, end - start) - 1;
    std::vector<std::thread> pool;
    for (std::size_t t = 0; t < helpers; ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    for (std::size_t i = start; i < end; ++i) consume(i, slots[i - start]);
  }
}

}  // namespace regpol
