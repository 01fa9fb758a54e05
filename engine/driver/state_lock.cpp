#include "driver/state_lock.h"

#include "driver/exit_code.h"

namespace regpol {

int lock_state_file(const std::string& path, std::unique_ptr<StateLock>& lock) {
  std::string error;
  switch (StateLock::acquire(path, lock, error)) {
    case StateLock::Result::Busy: return fail(kBusy, error);
    case StateLock::Result::Failed: return fail(kBadInput, error);
    case StateLock::Result::Acquired: break;
  }
  return kOk;
}

}  // namespace regpol
