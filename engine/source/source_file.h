#pragma once
// Source text and locations. Spans are byte offsets into one file; line and column are
// computed only when something is shown to a person (see line_col).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace regpol {

using FileId = std::uint32_t;

struct Span {
  FileId file = 0;
  std::uint32_t begin = 0;  // byte offset of the first byte
  std::uint32_t end = 0;    // byte offset one past the last byte
};

// 1-based line and column; the column counts Unicode code points, so that a caret
// lands under the right character after multi-byte UTF-8.
struct LineCol {
  std::uint32_t line = 1;
  std::uint32_t column = 1;
};

class SourceFile {
 public:
  SourceFile(std::string name, std::string text);

  const std::string& name() const { return name_; }
  const std::string& text() const { return text_; }

  LineCol line_col(std::uint32_t offset) const;
  // The text of a 1-based line, without its line terminator.
  std::string_view line_text(std::uint32_t line) const;
  std::uint32_t line_count() const { return static_cast<std::uint32_t>(line_starts_.size()); }

 private:
  std::string name_;
  std::string text_;
  std::vector<std::uint32_t> line_starts_;
};

// Owns every file of one run; a FileId indexes into it.
class SourceMap {
 public:
  FileId add(std::string name, std::string text);
  const SourceFile& file(FileId id) const { return files_.at(id); }
  std::size_t size() const { return files_.size(); }

 private:
  std::vector<SourceFile> files_;
};

// Length of the UTF-8 sequence that `lead` starts (1 for ASCII and for invalid lead bytes).
inline std::size_t utf8_sequence_length(unsigned char lead) {
  return lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 1;
}

// Number of code points in `bytes`, counting each invalid byte as one.
std::uint32_t count_code_points(std::string_view bytes);

}  // namespace regpol
