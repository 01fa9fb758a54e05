#include "util/deep_stack.h"

#include <pthread.h>

namespace regpol {

struct DeepStackThread::State {
  std::function<void()> fn;
  std::exception_ptr error;
  pthread_t thread{};
  bool started = false;
  bool joined = false;
};

namespace {
void* trampoline(void* arg) {
  auto* s = static_cast<DeepStackThread::State*>(arg);
  try {
    s->fn();
  } catch (...) {
    s->error = std::current_exception();
  }
  return nullptr;
}
}  // namespace

DeepStackThread::DeepStackThread(std::function<void()> fn) : state_(new State) {
  state_->fn = std::move(fn);
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) return;
  if (pthread_attr_setstacksize(&attr, kDeepStackBytes) == 0 &&
      pthread_create(&state_->thread, &attr, trampoline, state_) == 0) {
    state_->started = true;
  }
  pthread_attr_destroy(&attr);
}

DeepStackThread::DeepStackThread(DeepStackThread&& other) noexcept : state_(other.state_) { other.state_ = nullptr; }

DeepStackThread::~DeepStackThread() {
  if (!state_) return;
  if (!state_->joined) {
    try {
      join();
    } catch (...) {
      // A destructor cannot report it; join() explicitly to see the error.
    }
  }
  delete state_;
}

bool DeepStackThread::started() const { return state_->started; }

void DeepStackThread::join() {
  if (state_->joined) return;
  state_->joined = true;
  if (state_->started) pthread_join(state_->thread, nullptr);
  else trampoline(state_);
  if (state_->error) std::rethrow_exception(state_->error);
}

}  // namespace regpol
