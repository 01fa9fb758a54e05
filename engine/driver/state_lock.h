#pragma once
// The state file's lock, as the commands that change a run take it (`apply`, `runs abandon`).
#include <memory>
#include <string>

#include "store/state_store.h"

namespace regpol {

// kOk with `lock` held, or, said on stderr, kBusy while another process holds it and
// kBadInput when it cannot be taken.
int lock_state_file(const std::string& path, std::unique_ptr<StateLock>& lock);

}  // namespace regpol
