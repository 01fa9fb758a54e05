// Fuzzes the snapshot reader: any bytes load or give a located error, never a crash; and
// the pipelined (two-thread) reading gives exactly the sequential result.
#include <cstdlib>
#include <string>

#include "snapshot/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace regpol;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Registry one, two;
  LoadError e1, e2;
  bool ok1 = load_json_snapshot_text("fuzz.json", text, one, e1, 1) && finish_registry(one, e1, 1);
  bool ok2 = load_json_snapshot_text("fuzz.json", text, two, e2, 2) && finish_registry(two, e2, 2);
  if (ok1 != ok2 || e1.to_string() != e2.to_string() || (ok1 && one.images.size() != two.images.size())) std::abort();
  return 0;
}
