// ordered_parallel is the pipeline behind every report: results must arrive in index
// order whatever the thread count, window or uneven work, and a failure on either side
// must stop it and surface as an exception, not hang or lose the error.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
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
