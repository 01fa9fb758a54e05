// ordered_parallel is the pipeline behind every report: results must arrive in index
// order whatever the thread count, window or uneven work, and a failure on either side
// must stop it and surface as an exception, not hang or lose the error.
#include <doctest/doctest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "util/parallel.h"

using namespace regpol;

TEST_CASE("ordered_parallel consumes every item once, in order, for any threads and window") {
  for (unsigned threads : {1u, 2u, 3u, 8u}) {
    for (std::size_t window : {std::size_t{1}, std::size_t{2}, std::size_t{5}, std::size_t{64}}) {
      for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{200}}) {
        std::vector<std::size_t> seen;
        ordered_parallel<std::string>(
            n, threads, window,
            [](std::size_t i, std::string& slot) {
              slot.clear();
              // Uneven work so that later items often finish before earlier ones.
              if (i % 7 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
              slot = std::to_string(i * 3);
            },
            [&](std::size_t i, std::string& slot) {
              CHECK(slot == std::to_string(i * 3));
              seen.push_back(i);
            });
        REQUIRE(seen.size() == n);
        for (std::size_t i = 0; i < n; ++i) CHECK(seen[i] == i);
      }
    }
  }
}

TEST_CASE("ordered_parallel rethrows a producer's failure and stops") {
  for (unsigned threads : {1u, 2u, 4u}) {
    std::size_t consumed = 0;
    CHECK_THROWS_WITH_AS(ordered_parallel<int>(
                             100, threads, 4,
                             [](std::size_t i, int& slot) {
                               if (i == 37) throw std::runtime_error("piece 37 failed");
                               slot = static_cast<int>(i);
                             },
                             [&](std::size_t, int&) { ++consumed; }),
                         "piece 37 failed", std::runtime_error);
    CHECK(consumed <= 37);  // nothing after the failed piece is consumed
  }
}

TEST_CASE("ordered_parallel rethrows a consumer's failure without waiting for the rest") {
  for (unsigned threads : {1u, 2u, 4u}) {
    std::atomic<std::size_t> produced{0};
    CHECK_THROWS_WITH_AS(ordered_parallel<int>(
                             1000, threads, 3,
                             [&](std::size_t i, int& slot) {
                               slot = static_cast<int>(i);
                               ++produced;
                             },
                             [](std::size_t i, int& slot) {
                               CHECK(slot == static_cast<int>(i));
                               if (i == 10) throw std::runtime_error("write failed");
                             }),
                         "write failed", std::runtime_error);
    // Workers run at most a window (and one item each) ahead of the consumer.
    CHECK(produced.load() <= 11 + 3 + threads);
  }
}

#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)  // both reserve more address space than any limit below
namespace {

// This process's virtual size in bytes, from /proc/self/status (0 when unknown).
std::size_t virtual_bytes() {
  std::ifstream status("/proc/self/status");
  std::string key;
  std::size_t kb = 0;
  while (status >> key) {
    if (key == "VmSize:" && status >> kb) return kb * 1024;
  }
  return 0;
}

}  // namespace

TEST_CASE("ordered_parallel works alone when the system refuses every worker thread") {
  // Each worker asks for a deep stack (util/deep_stack.h); under an address-space limit too
  // small for one, none starts and a refused worker would only run in join(): the pipeline
  // must not wait for it. In a child process, killed by an alarm if it hangs.
  const std::size_t used = virtual_bytes();
  REQUIRE(used > 0);
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    alarm(20);
    rlimit limit{used + (std::size_t{128} << 20), used + (std::size_t{128} << 20)};
    if (setrlimit(RLIMIT_AS, &limit) != 0) _exit(3);
    std::size_t sum = 0, next = 0;
    bool in_order = true;
    ordered_parallel<std::size_t>(
        50, 4, 4, [](std::size_t i, std::size_t& slot) { slot = i * 2; },
        [&](std::size_t i, std::size_t& slot) {
          in_order = in_order && i == next++ && slot == i * 2;
          sum += slot;
        });
    _exit(in_order && sum == std::size_t{49} * 50 ? 0 : 2);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK_MESSAGE(WIFEXITED(status), "the pipeline hung (killed by the alarm) or crashed");
  CHECK(WEXITSTATUS(status) == 0);
}
#endif
