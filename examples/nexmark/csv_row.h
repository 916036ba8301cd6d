// CsvRow: builds a CSV result line field by field (csv.h's quoting rules), for
// the queries' renderers. A value, used by one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <weir/connectors/nexmark/csv.h>

namespace weir::examples::nexmark {

class CsvRow {
 public:
  CsvRow& operator<<(int64_t v) {
    separate();
    weir::nexmark::appendCsvField(line_, v);
    return *this;
  }
  CsvRow& operator<<(std::string_view v) {
    separate();
    weir::nexmark::appendCsvField(line_, v);
    return *this;
  }
  const std::string& str() const { return line_; }

 private:
  void separate() {
    if (!first_) line_ += ',';
    first_ = false;
  }
  std::string line_;
  bool first_ = true;
};

}  // namespace weir::examples::nexmark
