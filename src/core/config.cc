#include <weir/core/config.h>

#include <yaml-cpp/yaml.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <system_error>

namespace weir {
namespace {

constexpr std::string_view kWhitespace = " \t\r\n\f\v";
constexpr std::string_view kDurationExamples = "examples: 100 ms, 10 s, 1 min";
constexpr std::string_view kMemorySizeExamples = "examples: 512 b, 32 kb, 64 mb, 1 gb";
// Nesting deeper than this is not a configuration file; the limit keeps recursion bounded.
constexpr int kMaxYamlDepth = 64;

std::string_view trim(std::string_view s) {
  const size_t begin = s.find_first_not_of(kWhitespace);
  if (begin == std::string_view::npos) return {};
  const size_t end = s.find_last_not_of(kWhitespace);
  return s.substr(begin, end - begin + 1);
}

std::string toLowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && toLowerAscii(a) == toLowerAscii(b);
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// A non-negative whole number and the (lower-cased) unit written after it.
struct Quantity {
  uint64_t number = 0;
  std::string unit;
};

// Splits "<digits> [whitespace] <unit>". On failure returns the reason, without the
// "cannot parse" prefix, which the caller adds.
Result<Quantity> splitQuantity(std::string_view text) {
  const std::string_view s = trim(text);
  if (s.empty()) return Status::invalidArgument("the value is empty");
  if (s.front() == '-') return Status::invalidArgument("negative values are not allowed");
  size_t digits = 0;
  while (digits < s.size() && isDigit(s[digits])) ++digits;
  if (digits == 0) return Status::invalidArgument("expected a whole number followed by an optional unit");
  if (digits < s.size() && (s[digits] == '.' || s[digits] == ',')) {
    return Status::invalidArgument("fractional values are not supported; use a smaller unit");
  }
  Quantity q;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + digits, q.number);
  if (ec == std::errc::result_out_of_range) return Status::invalidArgument("the number is too large");
  (void)ptr;
  q.unit = toLowerAscii(trim(s.substr(digits)));
  return q;
}

struct DurationUnit {
  std::string_view name;
  // Exactly one of the two is non-zero: units of at least a millisecond multiply, smaller ones
  // divide (and round to the nearest millisecond).
  int64_t millisPerUnit;
  int64_t unitsPerMilli;
};

constexpr DurationUnit kDurationUnits[] = {
    {"", 1, 0},
    {"ns", 0, 1'000'000},
    {"nano", 0, 1'000'000},
    {"nanos", 0, 1'000'000},
    {"nanosecond", 0, 1'000'000},
    {"nanoseconds", 0, 1'000'000},
    {"us", 0, 1000},
    {"\xC2\xB5s", 0, 1000},
    {"micro", 0, 1000},
    {"micros", 0, 1000},
    {"microsecond", 0, 1000},
    {"microseconds", 0, 1000},
    {"ms", 1, 0},
    {"milli", 1, 0},
    {"millis", 1, 0},
    {"millisecond", 1, 0},
    {"milliseconds", 1, 0},
    {"s", 1000, 0},
    {"sec", 1000, 0},
    {"secs", 1000, 0},
    {"second", 1000, 0},
    {"seconds", 1000, 0},
    {"m", 60'000, 0},
    {"min", 60'000, 0},
    {"minute", 60'000, 0},
    {"minutes", 60'000, 0},
    {"h", 3'600'000, 0},
    {"hour", 3'600'000, 0},
    {"hours", 3'600'000, 0},
    {"d", 86'400'000, 0},
    {"day", 86'400'000, 0},
    {"days", 86'400'000, 0},
};

const DurationUnit* findDurationUnit(std::string_view unit) {
  for (const DurationUnit& u : kDurationUnits) {
    if (u.name == unit) return &u;
  }
  return nullptr;
}

struct MemoryUnit {
  std::string_view name;
  uint64_t bytesPerUnit;
};

constexpr uint64_t kKiB = 1024;
constexpr MemoryUnit kMemoryUnits[] = {
    {"", 1},
    {"b", 1},
    {"byte", 1},
    {"bytes", 1},
    {"k", kKiB},
    {"kb", kKiB},
    {"kibibytes", kKiB},
    {"m", kKiB* kKiB},
    {"mb", kKiB* kKiB},
    {"mebibytes", kKiB* kKiB},
    {"g", kKiB* kKiB* kKiB},
    {"gb", kKiB* kKiB* kKiB},
    {"gibibytes", kKiB* kKiB* kKiB},
    {"t", kKiB* kKiB* kKiB* kKiB},
    {"tb", kKiB* kKiB* kKiB* kKiB},
    {"tebibytes", kKiB* kKiB* kKiB* kKiB},
};

std::string describeKey(const detail::OptionLocation& where) {
  std::string out = "configuration '" + std::string(where.foundKey) + "'";
  if (where.foundKey != where.optionKey) {
    out += " (deprecated key for '" + std::string(where.optionKey) + "')";
  }
  return out;
}

[[noreturn]] void throwParseError(const detail::OptionLocation& where, const std::string& raw,
                                  std::string_view expected) {
  throw ConfigError(std::string(where.foundKey),
                    describeKey(where) + ": cannot parse '" + raw + "' as " + std::string(expected));
}

template <class Int>
void parseInteger(const detail::OptionLocation& where, const std::string& raw, Int& out,
                  std::string_view typeName) {
  std::string_view s = trim(raw);
  // from_chars does not accept a leading '+', but people write it.
  if (s.size() > 1 && s.front() == '+' && isDigit(s[1])) s.remove_prefix(1);
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec == std::errc::result_out_of_range) {
    throwParseError(where, raw,
                    std::string(typeName) +
                        " (out of range: " + std::to_string(std::numeric_limits<Int>::min()) + " .. " +
                        std::to_string(std::numeric_limits<Int>::max()) + ")");
  }
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) {
    throwParseError(where, raw, std::string(typeName) + " (expected a whole number, e.g. 42)");
  }
}

// Flattens a YAML document into dotted keys, rejecting a key that appears twice.
class YamlFlattener {
 public:
  YamlFlattener(std::string_view origin, std::map<std::string, std::string>* out)
      : origin_(origin), out_(out) {}

  Status flattenMap(const YAML::Node& map, const std::string& prefix, int depth) {
    if (depth > kMaxYamlDepth) {
      return error(map.Mark(), "maps are nested more than " + std::to_string(kMaxYamlDepth) + " deep");
    }
    for (const auto& entry : map) {
      const YAML::Node& keyNode = entry.first;
      const YAML::Node& value = entry.second;
      if (!keyNode.IsScalar() || keyNode.Scalar().empty()) {
        return error(keyNode.Mark(), "keys must be non-empty scalars");
      }
      const std::string key = prefix.empty() ? keyNode.Scalar() : prefix + "." + keyNode.Scalar();
      switch (value.Type()) {
        case YAML::NodeType::Undefined:
        case YAML::NodeType::Null:
          // "key:" with nothing after it: treated as not set.
          break;
        case YAML::NodeType::Scalar:
          WEIR_RETURN_IF_ERROR(add(key, value.Scalar(), keyNode.Mark()));
          break;
        case YAML::NodeType::Sequence: {
          std::string joined;
          for (size_t i = 0; i < value.size(); ++i) {
            const YAML::Node element = value[i];
            if (!element.IsScalar()) {
              return error(element.Mark(), "elements of the list under '" + key + "' must be scalars");
            }
            if (i > 0) joined += ',';
            joined += element.Scalar();
          }
          WEIR_RETURN_IF_ERROR(add(key, std::move(joined), keyNode.Mark()));
          break;
        }
        case YAML::NodeType::Map:
          WEIR_RETURN_IF_ERROR(flattenMap(value, key, depth + 1));
          break;
      }
    }
    return Status::ok();
  }

  Status error(const YAML::Mark& mark, const std::string& message) const {
    return Status::invalidArgument(std::string(origin_) + position(mark) + ": " + message);
  }

  // ", line L, column C" (1-based), or "" when yaml-cpp has no position.
  static std::string position(const YAML::Mark& mark) {
    if (mark.is_null()) return "";
    return " at line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1);
  }

 private:
  Status add(const std::string& key, std::string value, const YAML::Mark& mark) {
    const int line = mark.is_null() ? 0 : mark.line + 1;
    const auto [it, inserted] = lines_.emplace(key, line);
    if (!inserted) {
      std::string message = "key '" + key + "' is set twice";
      if (it->second > 0) message += " (first at line " + std::to_string(it->second) + ")";
      return error(mark, message);
    }
    (*out_)[key] = std::move(value);
    return Status::ok();
  }

  std::string_view origin_;
  std::map<std::string, std::string>* out_;
  std::map<std::string, int> lines_;  // flattened key -> 1-based line where it was set
};

const char* nodeTypeName(YAML::NodeType::value type) {
  switch (type) {
    case YAML::NodeType::Undefined:
      return "nothing";
    case YAML::NodeType::Null:
      return "null";
    case YAML::NodeType::Scalar:
      return "scalar";
    case YAML::NodeType::Sequence:
      return "list";
    case YAML::NodeType::Map:
      return "map";
  }
  return "node";
}

}  // namespace

Result<std::chrono::milliseconds> parseDuration(std::string_view text) {
  const auto fail = [&](const std::string& reason) {
    return Status::invalidArgument("cannot parse '" + std::string(text) + "' as a duration: " + reason +
                                   " (" + std::string(kDurationExamples) + ")");
  };
  Result<Quantity> q = splitQuantity(text);
  if (!q.isOk()) return fail(q.status().message());
  const DurationUnit* unit = findDurationUnit(q->unit);
  if (unit == nullptr) {
    return fail("unknown time unit '" + q->unit + "'; use one of ns, us, ms, s, min, h, d");
  }
  constexpr auto kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  uint64_t millis = 0;
  if (unit->millisPerUnit > 0) {
    const auto factor = static_cast<uint64_t>(unit->millisPerUnit);
    if (q->number > kMax / factor) return fail("the duration is too long");
    millis = q->number * factor;
  } else {
    const auto divisor = static_cast<uint64_t>(unit->unitsPerMilli);
    millis = q->number / divisor + (q->number % divisor >= divisor / 2 ? 1 : 0);
    if (millis > kMax) return fail("the duration is too long");
  }
  return std::chrono::milliseconds(static_cast<int64_t>(millis));
}

Result<MemorySize> parseMemorySize(std::string_view text) {
  const auto fail = [&](const std::string& reason) {
    return Status::invalidArgument("cannot parse '" + std::string(text) + "' as a memory size: " + reason +
                                   " (" + std::string(kMemorySizeExamples) + ")");
  };
  Result<Quantity> q = splitQuantity(text);
  if (!q.isOk()) return fail(q.status().message());
  for (const MemoryUnit& unit : kMemoryUnits) {
    if (unit.name != q->unit) continue;
    if (q->number > std::numeric_limits<uint64_t>::max() / unit.bytesPerUnit) {
      return fail("the size does not fit in 64 bits");
    }
    return MemorySize{q->number * unit.bytesPerUnit};
  }
  return fail("unknown memory unit '" + q->unit + "'; use one of b, kb, mb, gb, tb");
}

std::string formatDuration(std::chrono::milliseconds d) {
  static constexpr std::array<std::pair<int64_t, std::string_view>, 4> kUnits = {{
      {86'400'000, "d"},
      {3'600'000, "h"},
      {60'000, "min"},
      {1000, "s"},
  }};
  const int64_t ms = d.count();
  if (ms != 0) {
    for (const auto& [factor, name] : kUnits) {
      if (ms % factor == 0) return std::to_string(ms / factor) + " " + std::string(name);
    }
  }
  return std::to_string(ms) + " ms";
}

std::string formatMemorySize(MemorySize size) {
  static constexpr std::array<std::pair<uint64_t, std::string_view>, 4> kUnits = {{
      {kKiB * kKiB * kKiB * kKiB, "tb"},
      {kKiB * kKiB * kKiB, "gb"},
      {kKiB * kKiB, "mb"},
      {kKiB, "kb"},
  }};
  if (size.bytes != 0) {
    for (const auto& [factor, name] : kUnits) {
      if (size.bytes % factor == 0) return std::to_string(size.bytes / factor) + " " + std::string(name);
    }
  }
  return std::to_string(size.bytes) + " bytes";
}

std::size_t parseEnum(std::string_view key, std::string_view value,
                      std::span<const std::string_view> allowed) {
  const std::string_view trimmed = trim(value);
  for (size_t i = 0; i < allowed.size(); ++i) {
    if (equalsIgnoreCase(trimmed, allowed[i])) return i;
  }
  std::string names;
  for (std::string_view name : allowed) {
    if (!names.empty()) names += ", ";
    names += name;
  }
  throw ConfigError(std::string(key), "configuration '" + std::string(key) + "': cannot parse '" +
                                          std::string(value) + "' as one of " + names);
}

namespace detail {

void parseOptionValue(const OptionLocation& where, const std::string& raw, bool& out) {
  const std::string_view s = trim(raw);
  if (equalsIgnoreCase(s, "true")) {
    out = true;
  } else if (equalsIgnoreCase(s, "false")) {
    out = false;
  } else {
    throwParseError(where, raw, "a boolean (expected true or false)");
  }
}

void parseOptionValue(const OptionLocation& where, const std::string& raw, int32_t& out) {
  parseInteger(where, raw, out, "a 32-bit integer");
}

void parseOptionValue(const OptionLocation& where, const std::string& raw, int64_t& out) {
  parseInteger(where, raw, out, "a 64-bit integer");
}

void parseOptionValue(const OptionLocation& where, const std::string& raw, double& out) {
  std::string_view s = trim(raw);
  if (s.size() > 1 && s.front() == '+' && (isDigit(s[1]) || s[1] == '.')) s.remove_prefix(1);
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(out)) {
    throwParseError(where, raw, "a number (examples: 0.75, 2, 1e-3)");
  }
}

void parseOptionValue(const OptionLocation&, const std::string& raw, std::string& out) { out = raw; }

void parseOptionValue(const OptionLocation& where, const std::string& raw, std::chrono::milliseconds& out) {
  Result<std::chrono::milliseconds> d = parseDuration(raw);
  if (!d.isOk()) {
    throw ConfigError(std::string(where.foundKey), describeKey(where) + ": " + d.status().message());
  }
  out = *d;
}

void parseOptionValue(const OptionLocation& where, const std::string& raw, MemorySize& out) {
  Result<MemorySize> size = parseMemorySize(raw);
  if (!size.isOk()) {
    throw ConfigError(std::string(where.foundKey), describeKey(where) + ": " + size.status().message());
  }
  out = *size;
}

}  // namespace detail

Result<Configuration> Configuration::fromYamlFile(const std::string& path) {
  std::error_code ec;
  const std::filesystem::file_status st = std::filesystem::status(path, ec);
  if (st.type() == std::filesystem::file_type::not_found) {
    return Status::notFound("configuration file '" + path + "' does not exist");
  }
  if (ec) return Status::ioError("cannot access configuration file '" + path + "': " + ec.message());
  if (st.type() == std::filesystem::file_type::directory) {
    return Status::invalidArgument("configuration file '" + path + "' is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::ioError("cannot open configuration file '" + path + "': " + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::ioError("cannot read configuration file '" + path + "'");
  return fromYamlString(text.str(), path);
}

Result<Configuration> Configuration::fromYamlString(std::string_view text, std::string_view origin) {
  Configuration config;
  YamlFlattener flattener(origin, &config.entries_);
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    if (!root.IsDefined() || root.IsNull()) return config;  // an empty file sets nothing
    if (!root.IsMap()) {
      return flattener.error(root.Mark(), "the top level must be a map of keys to values, not a " +
                                              std::string(nodeTypeName(root.Type())));
    }
    WEIR_RETURN_IF_ERROR(flattener.flattenMap(root, "", 0));
  } catch (const YAML::Exception& e) {
    return flattener.error(e.mark, "invalid YAML: " + e.msg);
  }
  return config;
}

Status Configuration::applyOverride(std::string_view keyEqualsValue) {
  const size_t eq = keyEqualsValue.find('=');
  if (eq == std::string_view::npos) {
    return Status::invalidArgument("override '" + std::string(keyEqualsValue) +
                                   "' must have the form key=value (as in -D parallelism.default=4)");
  }
  const std::string_view key = trim(keyEqualsValue.substr(0, eq));
  if (key.empty()) {
    return Status::invalidArgument("override '" + std::string(keyEqualsValue) + "' has an empty key");
  }
  set(std::string(key), std::string(keyEqualsValue.substr(eq + 1)));
  return Status::ok();
}

void Configuration::set(std::string key, std::string value) {
  entries_.insert_or_assign(std::move(key), std::move(value));
}

std::optional<std::string> Configuration::getRaw(std::string_view key) const {
  const auto it = entries_.find(std::string(key));
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

bool Configuration::contains(std::string_view key) const { return entries_.count(std::string(key)) > 0; }

void Configuration::merge(const Configuration& other) {
  for (const auto& [key, value] : other.entries_) entries_.insert_or_assign(key, value);
}

const std::string* Configuration::lookup(const std::string& key,
                                         const std::vector<std::string>& deprecatedKeys,
                                         const std::string** foundKey) const {
  if (const auto it = entries_.find(key); it != entries_.end()) {
    *foundKey = &key;
    return &it->second;
  }
  for (const std::string& old : deprecatedKeys) {
    if (const auto it = entries_.find(old); it != entries_.end()) {
      *foundKey = &old;
      return &it->second;
    }
  }
  return nullptr;
}

}  // namespace weir
