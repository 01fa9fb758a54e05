// Fuzzes the snapshot reader: any bytes load or give a located error, never a crash.
#include <string>

#include "snapshot/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace regpol;
  Registry reg;
  LoadError err;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (load_json_snapshot_text("fuzz.json", text, reg, err)) finish_registry(reg, err);
  return 0;
}
