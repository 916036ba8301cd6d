// CSV renderings of Nexmark records, and the export of a Nexmark stream to
// CSV files (what the SQLite oracle of the tests imports, and what
// `weir nexmark-export` writes).
//
// Lines follow RFC 4180 without the line terminator: fields separated by ',',
// a field quoted ("...", inner quotes doubled) only when it contains a comma, a
// quote, CR or LF. Numbers are written in decimal, times as milliseconds since
// the epoch. Columns are the fields in declaration order (model.h), with the
// field names as the header line.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <weir/connectors/nexmark/generator.h>
#include <weir/core/status.h>

namespace weir::nexmark {

// Appends `field` to `line`, quoted if needed (no separator).
void appendCsvField(std::string& line, std::string_view field);
void appendCsvField(std::string& line, int64_t field);

std::string toCsv(const Person& p);
std::string toCsv(const Auction& a);
std::string toCsv(const Bid& b);

// "id,name,emailAddress,..." for each record type.
const char* csvHeader(EventType type);

struct CsvExportCounts {
  int64_t persons = 0;
  int64_t auctions = 0;
  int64_t bids = 0;
};

// Writes events 0..events-1 of `config`'s stream to `dir`/person.csv, auction.csv and bid.csv
// (header line first), creating `dir` if needed. Each file is written to a temporary name and
// renamed, so a reader never sees a partial file. REQUIRES: events > 0.
Result<CsvExportCounts> exportCsv(const GeneratorConfig& config, int64_t events, const std::string& dir);

}  // namespace weir::nexmark
