#pragma once
// The bulk path for large snapshot files: a byte scanner finds the top-level keys and cuts
// each element of the top-level arrays out of the stream, and simdjson parses one element
// at a time. Memory is bounded by the read buffer and the largest element; the events given
// to the JsonElementHandler are exactly those of stream_json_file (json_stream.h), which the
// tests check on the same inputs. nlohmann/json's SAX parser reads about 50 MB/s here, too
// slow for million-image snapshots (docs/benchmarks.md).
#include <cstdio>
#include <string_view>

#include "snapshot/json_stream.h"

namespace regpol {

// `pipelined`: cut elements out of the stream on a second thread while this one parses
// them; the handler's events and the result are the same either way.
// `head`: bytes already read from `file` (they come first). Files may be pipes.
JsonStreamResult fast_stream_json_file(std::FILE* file, JsonElementHandler& handler, bool pipelined = false,
                                       std::string_view head = {});
JsonStreamResult fast_stream_json_text(std::string_view text, JsonElementHandler& handler, bool pipelined = false);

}  // namespace regpol
