#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/args.h"
#include "cli/commands.h"
#include "store/state_store.h"
#include "util/read_file.h"

namespace regpol::cli {

bool read_file(const std::string& path, std::string& out, std::string& error) {
  ReadFileResult r = read_file_limited(path, kMaxDocumentBytes);
  if (!r.ok) {
    error = r.error;
    return false;
  }
  out = std::move(r.text);
  return true;
}

CompileOptions compile_options(const Args& args) {
  CompileOptions o;
  if (auto root = args.get("--import-root")) o.import_root = *root;
  return o;
}

int fail(int code, const std::string& message) {
  std::cerr << "regpol: error: " << message << "\n";
  return code;
}

int lock_state_file(const std::string& path, std::unique_ptr<StateLock>& lock) {
  std::string error;
  switch (StateLock::acquire(path, lock, error)) {
    case StateLock::Result::Busy: return fail(kBusy, error);
    case StateLock::Result::Failed: return fail(kBadInput, error);
    case StateLock::Result::Acquired: break;
  }
  return kOk;
}

}  // namespace regpol::cli
