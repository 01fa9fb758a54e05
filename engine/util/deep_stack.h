#pragma once
// Threads with a deep stack. Policies may nest expressions up to kMaxExpressionDepth levels
// (a chain of `and`s is a left-deep tree), and the builder, checker, lowering, formatter
// and evaluator all recurse over expressions. Instead of rewriting each of them as an
// explicit-stack loop, every thread that walks a policy gets a stack sized for the
// documented limit; the pages are reserved, not committed, so an ordinary run costs nothing.
#include <cstddef>
#include <exception>
#include <functional>
#include <type_traits>
#include <utility>

namespace regpol {

// Deepest expression nesting a policy may have (docs/limits.md); the parser refuses deeper
// ones with E0111, so no later stage ever sees more.
inline constexpr int kMaxExpressionDepth = 25000;

// Stack for threads that walk policies: enough for kMaxExpressionDepth levels of every
// recursive stage, with room for sanitizer builds whose frames are several times larger.
inline constexpr std::size_t kDeepStackBytes = std::size_t{512} << 20;

// A joinable thread with a kDeepStackBytes stack running `fn`. An exception thrown by `fn`
// is rethrown by join(). If the system refuses such a stack, `fn` runs on join()'s thread.
class DeepStackThread {
 public:
  explicit DeepStackThread(std::function<void()> fn);
  DeepStackThread(DeepStackThread&& other) noexcept;
  DeepStackThread& operator=(DeepStackThread&&) = delete;
  DeepStackThread(const DeepStackThread&) = delete;
  ~DeepStackThread();
  void join();
  // False when the system refused the thread: `fn` has not run and runs in join().
  bool started() const;

  struct State;  // opaque; public only so the thread's entry function can name it

 private:
  State* state_;
};

// Runs fn() on a DeepStackThread and returns its result (exceptions propagate).
template <typename Fn>
auto run_on_deep_stack(Fn&& fn) -> decltype(fn()) {
  using R = decltype(fn());
  if constexpr (std::is_void_v<R>) {
    DeepStackThread t([&] { fn(); });
    t.join();
  } else {
    R result{};
    DeepStackThread t([&] { result = fn(); });
    t.join();
    return result;
  }
}

}  // namespace regpol
