// Configuration: the string key -> string value settings of a job or cluster, and typed options
// that read them.
//
// A Configuration is loaded from a Flink-style YAML file (flat `a.b.c: v` keys, nested maps, or
// both; nested maps are flattened with '.'), amended by CLI `-D key=value` overrides and merged
// with other Configurations. Values are stored as text and only parsed when an option is read:
// `config.get(kBufferTimeout)` turns "100 ms" into std::chrono::milliseconds. A value that does
// not parse is a user error in a file or on a command line, so get() throws ConfigError naming
// the key, the bad value and the expected format; callers that validate a whole job up front
// catch it once and turn it into a Status.
//
// Options are declared once, next to the code that reads them, as constants:
//
//   inline const ConfigOption<std::chrono::milliseconds> kBufferTimeout{
//       "execution.buffer-timeout.interval", std::chrono::milliseconds(100),
//       {"execution.buffer-timeout"}, "How long a network buffer may wait before it is flushed."};
//
// Lookup order is the option's key, then each deprecated key in order: a new key wins over a
// deprecated one when both are set.
//
// Value formats (all case-insensitive, surrounding whitespace ignored):
//   bool          true | false
//   int32/int64   decimal, optional sign; trailing garbage and overflow are rejected
//   double        decimal or scientific notation, finite only
//   duration      whole number + optional unit (default ms): ns, us, ms, s, min (or m), h, d and
//                 long forms (millis, seconds, minutes, hours, days, ...). "10 s", "10s", "100".
//                 Sub-millisecond values round to the nearest millisecond (500 us -> 1 ms).
//   memory size   whole number + optional unit (default bytes), binary multiples: b, k/kb,
//                 m/mb, g/gb, t/tb (and kibibytes, ...). "32 kb", "64m", "1gb", "1024".
//   enum          read a ConfigOption<std::string> and map it with parseEnum().
//
// Thread-safety: Configuration is a plain value. Const methods may be called concurrently;
// mutating methods (set, applyOverride, merge) need exclusive access. Option structs are
// immutable after construction and safe to share. The free functions are thread-safe.
#pragma once

#include <weir/core/status.h>

#include <chrono>
#include <compare>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weir {

// An amount of memory in bytes ("64 mb" in a configuration file).
struct MemorySize {
  uint64_t bytes = 0;

  friend auto operator<=>(const MemorySize&, const MemorySize&) = default;
};

// Thrown by Configuration::get and parseEnum when a configured value cannot be parsed. The
// message names the key, the bad value and the expected format, ready to show to a user.
class ConfigError : public std::invalid_argument {
 public:
  ConfigError(std::string key, const std::string& message)
      : std::invalid_argument(message), key_(std::move(key)) {}
  // The key whose value was bad (the deprecated key if the value was found under one).
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

// A setting with a default: get() returns defaultValue when no key is set.
template <class T>
struct ConfigOption {
  std::string key;
  T defaultValue;
  std::vector<std::string> deprecatedKeys;
  std::string description;
};

// A setting without a default: get() returns std::nullopt when no key is set.
template <class T>
struct OptionalConfigOption {
  std::string key;
  std::vector<std::string> deprecatedKeys;
  std::string description;
};

// Parses a Flink duration ("100 ms", "10s", "1 min", "2 h", "100" = ms). InvalidArgument on
// empty, negative, fractional or overflowing values and unknown units.
Result<std::chrono::milliseconds> parseDuration(std::string_view text);
// Parses a Flink memory size ("32 kb", "64m", "1gb", "1024" = bytes; binary multiples).
// InvalidArgument on empty, negative, fractional or overflowing values and unknown units.
Result<MemorySize> parseMemorySize(std::string_view text);
// The largest unit that represents d exactly: "100 ms", "10 s", "2 min", "3 h", "1 d".
// The result parses back to d with parseDuration (for non-negative d).
std::string formatDuration(std::chrono::milliseconds d);
// The largest unit that represents size exactly: "100 bytes", "32 kb", "64 mb", "1 gb", "2 tb".
// The result parses back to size with parseMemorySize.
std::string formatMemorySize(MemorySize size);

// Maps value (case-insensitively) to its index in allowed; throws ConfigError naming key, value
// and the allowed values otherwise. Used to read enum settings from a ConfigOption<std::string>:
//   switch (parseEnum(o.key, config.get(o), {"NONE", "FIXED-DELAY"})) { ... }
std::size_t parseEnum(std::string_view key, std::string_view value,
                      std::span<const std::string_view> allowed);
inline std::size_t parseEnum(std::string_view key, std::string_view value,
                             std::initializer_list<std::string_view> allowed) {
  return parseEnum(key, value, std::span<const std::string_view>(allowed.begin(), allowed.size()));
}

namespace detail {

// Where an option's value was found: optionKey is the option's current key, foundKey the key
// that was actually set (differs when a deprecated key was used). Only used for error messages.
struct OptionLocation {
  std::string_view optionKey;
  std::string_view foundKey;
};

// Parse raw into out, or throw ConfigError. One overload per supported option type.
void parseOptionValue(const OptionLocation& where, const std::string& raw, bool& out);
void parseOptionValue(const OptionLocation& where, const std::string& raw, int32_t& out);
void parseOptionValue(const OptionLocation& where, const std::string& raw, int64_t& out);
void parseOptionValue(const OptionLocation& where, const std::string& raw, double& out);
void parseOptionValue(const OptionLocation& where, const std::string& raw, std::string& out);
void parseOptionValue(const OptionLocation& where, const std::string& raw, std::chrono::milliseconds& out);
void parseOptionValue(const OptionLocation& where, const std::string& raw, MemorySize& out);

}  // namespace detail

// The types a ConfigOption may have.
template <class T>
concept ConfigValue = std::default_initializable<T> &&
    requires(const detail::OptionLocation& where, const std::string& raw, T& out) {
  detail::parseOptionValue(where, raw, out);
};

class Configuration {
 public:
  Configuration() = default;

  // Reads a YAML file. NotFound if path does not exist, IOError if it cannot be read,
  // InvalidArgument (with path, line and column) if it is not valid YAML or not a mapping.
  static Result<Configuration> fromYamlFile(const std::string& path);
  // Parses YAML text; origin names the source in error messages.
  static Result<Configuration> fromYamlString(std::string_view text, std::string_view origin = "<string>");

  // Applies a CLI "-D key=value" override (split at the first '='; the key is trimmed, the
  // value kept verbatim and may be empty). InvalidArgument if there is no '=' or the key is empty.
  Status applyOverride(std::string_view keyEqualsValue);

  void set(std::string key, std::string value);
  std::optional<std::string> getRaw(std::string_view key) const;
  bool contains(std::string_view key) const;
  // Copies every entry of other into this; other's value wins on a shared key.
  void merge(const Configuration& other);
  const std::map<std::string, std::string>& entries() const { return entries_; }

  // The option's value parsed as T, or its default when neither its key nor a deprecated key
  // is set. Throws ConfigError if the value does not parse.
  template <ConfigValue T>
  T get(const ConfigOption<T>& option) const {
    const std::string* foundKey = nullptr;
    const std::string* raw = lookup(option.key, option.deprecatedKeys, &foundKey);
    if (raw == nullptr) return option.defaultValue;
    T out{};
    detail::parseOptionValue({option.key, *foundKey}, *raw, out);
    return out;
  }

  // The option's value parsed as T, or std::nullopt when no key is set. Throws ConfigError if
  // the value does not parse.
  template <ConfigValue T>
  std::optional<T> get(const OptionalConfigOption<T>& option) const {
    const std::string* foundKey = nullptr;
    const std::string* raw = lookup(option.key, option.deprecatedKeys, &foundKey);
    if (raw == nullptr) return std::nullopt;
    T out{};
    detail::parseOptionValue({option.key, *foundKey}, *raw, out);
    return out;
  }

 private:
  // The value of key, else of the first deprecated key that is set, else nullptr. *foundKey is
  // set to the key that matched. Pointers stay valid until the next mutation.
  const std::string* lookup(const std::string& key, const std::vector<std::string>& deprecatedKeys,
                            const std::string** foundKey) const;

  std::map<std::string, std::string> entries_;
};

}  // namespace weir
