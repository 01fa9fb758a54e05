#pragma once
// Work spread over the cores: a plain parallel loop (per-repository checks, evaluation)
// and ordered work (report pieces), whose results are consumed strictly in index order so
// that the output never depends on the thread count.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <mutex>
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

// Calls produce(i, R& slot) for i in [0, n) on up to `threads` worker threads and
// consume(i, R& slot) in increasing i on the calling thread, as a pipeline: workers run
// ahead of the consumer by at most `window` results, each in its own slot, and slots are
// reused (a string slot keeps its capacity), so steady state allocates nothing. The
// workers are started once per call: a thread (with its deep stack) per window of work
// costs page faults that, for a report of small pieces, outweigh the rendering.
// An exception from produce or consume stops the pipeline and is rethrown here. Where
// the system refuses every worker thread, the calling thread does the work alone.
template <typename R, typename Produce, typename Consume>
void ordered_parallel(std::size_t n, unsigned threads, std::size_t window, Produce&& produce, Consume&& consume) {
  auto one_by_one = [&] {
    R slot{};
    for (std::size_t i = 0; i < n; ++i) {
      produce(i, slot);
      consume(i, slot);
    }
  };
  const unsigned workers = parallel_workers(n, threads);
  if (workers <= 1) return one_by_one();
  window = std::max<std::size_t>(window, workers);
  std::vector<R> slots(std::min(n, window));
  constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::vector<std::size_t> ready(slots.size(), kNone);  // the item each slot holds, once produced
  std::mutex mutex;
  std::condition_variable changed;
  std::size_t consumed = 0;  // items consumed so far
  bool stop = false;         // set when a produce or consume failed
  std::exception_ptr failure;
  std::atomic<std::size_t> next{0};

  auto fail = [&](std::exception_ptr e) {
    std::lock_guard<std::mutex> lock(mutex);
    if (!failure) failure = std::move(e);
    stop = true;
    changed.notify_all();
  };
  auto work = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < n;) {
      {
        std::unique_lock<std::mutex> lock(mutex);
        changed.wait(lock, [&] { return stop || i < consumed + slots.size(); });
        if (stop) return;
      }
      try {
        produce(i, slots[i % slots.size()]);
      } catch (...) {
        fail(std::current_exception());
        return;
      }
      std::lock_guard<std::mutex> lock(mutex);
      ready[i % slots.size()] = i;
      changed.notify_all();
    }
  };
  std::vector<DeepStackThread> pool;
  pool.reserve(workers);
  bool any_started = false;
  for (unsigned w = 0; w < workers; ++w) {
    pool.emplace_back(work);
    any_started = any_started || pool.back().started();
  }
  if (!any_started) {
    // The system refused every thread: a refused worker runs only in join(), so waiting for
    // its results here would wait forever. Leave it nothing to do and work alone.
    next = n;
    for (auto& t : pool) t.join();
    return one_by_one();
  }
  for (std::size_t i = 0; i < n; ++i) {
    {
      std::unique_lock<std::mutex> lock(mutex);
      changed.wait(lock, [&] { return stop || ready[i % slots.size()] == i; });
      if (stop) break;
    }
    try {
      consume(i, slots[i % slots.size()]);
    } catch (...) {
      fail(std::current_exception());
      break;
    }
    std::lock_guard<std::mutex> lock(mutex);
    ++consumed;
    changed.notify_all();
  }
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace regpol
