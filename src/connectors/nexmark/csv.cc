#include <weir/connectors/nexmark/csv.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <system_error>

namespace weir::nexmark {

namespace {

namespace fs = std::filesystem;

// A CSV file written under a temporary name and renamed into place by commit().
class CsvFile {
 public:
  explicit CsvFile(fs::path path) : path_(std::move(path)), temp_(path_.string() + ".tmp") {}
  ~CsvFile() {
    if (file_ != nullptr) {
      std::fclose(file_);
      std::error_code ignored;
      fs::remove(temp_, ignored);
    }
  }
  Status open(const char* header) {
    file_ = std::fopen(temp_.c_str(), "wb");
    if (file_ == nullptr)
      return Status::ioError("cannot create " + temp_.string() + ": " + std::strerror(errno));
    buffer_ = header;
    buffer_ += '\n';
    return Status::ok();
  }
  Status writeLine(const std::string& line) {
    buffer_ += line;
    buffer_ += '\n';
    return buffer_.size() >= kFlushBytes ? flush() : Status::ok();
  }
  Status commit() {
    WEIR_RETURN_IF_ERROR(flush());
    const bool closed = std::fclose(file_) == 0;
    file_ = nullptr;
    if (!closed) return Status::ioError("cannot write " + temp_.string() + ": " + std::strerror(errno));
    std::error_code ec;
    fs::rename(temp_, path_, ec);
    if (ec)
      return Status::ioError("cannot rename " + temp_.string() + " to " + path_.string() + ": " +
                             ec.message());
    return Status::ok();
  }

 private:
  static constexpr size_t kFlushBytes = 1 << 20;
  Status flush() {
    if (!buffer_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size())
      return Status::ioError("cannot write " + temp_.string() + ": " + std::strerror(errno));
    buffer_.clear();
    return Status::ok();
  }
  fs::path path_;
  fs::path temp_;
  std::FILE* file_ = nullptr;
  std::string buffer_;
};

}  // namespace

void appendCsvField(std::string& line, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    line += field;
    return;
  }
  line += '"';
  for (char c : field) {
    if (c == '"') line += '"';
    line += c;
  }
  line += '"';
}

void appendCsvField(std::string& line, int64_t field) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, field);
  (void)ec;  // 24 bytes always hold an int64
  line.append(buf, end);
}

std::string toCsv(const Person& p) {
  std::string line;
  appendCsvField(line, p.id);
  for (const std::string* s : {&p.name, &p.emailAddress, &p.creditCard, &p.city, &p.state}) {
    line += ',';
    appendCsvField(line, *s);
  }
  line += ',';
  appendCsvField(line, p.dateTime);
  line += ',';
  appendCsvField(line, p.extra);
  return line;
}

std::string toCsv(const Auction& a) {
  std::string line;
  appendCsvField(line, a.id);
  line += ',';
  appendCsvField(line, a.itemName);
  line += ',';
  appendCsvField(line, a.description);
  for (int64_t v : {a.initialBid, a.reserve, a.dateTime, a.expires, a.seller, a.category}) {
    line += ',';
    appendCsvField(line, v);
  }
  line += ',';
  appendCsvField(line, a.extra);
  return line;
}

std::string toCsv(const Bid& b) {
  std::string line;
  appendCsvField(line, b.auction);
  line += ',';
  appendCsvField(line, b.bidder);
  line += ',';
  appendCsvField(line, b.price);
  line += ',';
  appendCsvField(line, b.channel);
  line += ',';
  appendCsvField(line, b.url);
  line += ',';
  appendCsvField(line, b.dateTime);
  line += ',';
  appendCsvField(line, b.extra);
  return line;
}

const char* csvHeader(EventType type) {
  switch (type) {
    case EventType::kPerson:
      return "id,name,emailAddress,creditCard,city,state,dateTime,extra";
    case EventType::kAuction:
      return "id,itemName,description,initialBid,reserve,dateTime,expires,seller,category,extra";
    case EventType::kBid:
      break;
  }
  return "auction,bidder,price,channel,url,dateTime,extra";
}

Result<CsvExportCounts> exportCsv(const GeneratorConfig& config, int64_t events, const std::string& dir) {
  if (events <= 0)
    return Status::invalidArgument("nexmark CSV export: the number of events must be positive");
  if (std::string problem = config.validate(); !problem.empty())
    return Status::invalidArgument("nexmark CSV export: " + problem);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::ioError("cannot create directory " + dir + ": " + ec.message());
  const NexmarkGenerator generator(config);
  CsvFile persons(fs::path(dir) / "person.csv");
  CsvFile auctions(fs::path(dir) / "auction.csv");
  CsvFile bids(fs::path(dir) / "bid.csv");
  WEIR_RETURN_IF_ERROR(persons.open(csvHeader(EventType::kPerson)));
  WEIR_RETURN_IF_ERROR(auctions.open(csvHeader(EventType::kAuction)));
  WEIR_RETURN_IF_ERROR(bids.open(csvHeader(EventType::kBid)));
  CsvExportCounts counts;
  Event e;
  for (int64_t n = 0; n < events; ++n) {
    generator.generate(n, e);
    switch (e.type) {
      case EventType::kPerson:
        ++counts.persons;
        WEIR_RETURN_IF_ERROR(persons.writeLine(toCsv(e.person)));
        break;
      case EventType::kAuction:
        ++counts.auctions;
        WEIR_RETURN_IF_ERROR(auctions.writeLine(toCsv(e.auction)));
        break;
      case EventType::kBid:
        ++counts.bids;
        WEIR_RETURN_IF_ERROR(bids.writeLine(toCsv(e.bid)));
        break;
    }
  }
  WEIR_RETURN_IF_ERROR(persons.commit());
  WEIR_RETURN_IF_ERROR(auctions.commit());
  WEIR_RETURN_IF_ERROR(bids.commit());
  return counts;
}

}  // namespace weir::nexmark
