#include <weir/core/config.h>

#include <gtest/gtest.h>

#include <unistd.h>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

namespace weir {
namespace {

using std::chrono::milliseconds;

// gtest-only stand-in for gmock's HasSubstr, so the test needs no gmock.
::testing::AssertionResult hasSubstr(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

Configuration load(std::string_view yaml) {
  Result<Configuration> config = Configuration::fromYamlString(yaml);
  EXPECT_TRUE(config.isOk()) << config.status().toString();
  return config.isOk() ? *config : Configuration();
}

// The message of the ConfigError that reading option from config throws ("" if none).
template <class Option>
std::string configErrorOf(const Configuration& config, const Option& option) {
  try {
    (void)config.get(option);
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no ConfigError for '" << option.key << "'";
  return "";
}

// A file under the test temp dir, removed when the test ends.
class TempFile {
 public:
  explicit TempFile(const std::string& contents)
      : path_(std::filesystem::temp_directory_path() / ("weir_config_test_" + std::to_string(::getpid()) +
                                                        "_" + std::to_string(counter_++) + ".yaml")) {
    std::ofstream(path_) << contents;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

// --- YAML loading ---

TEST(ConfigurationYamlTest, FlatKeys) {
  Configuration c = load("execution.checkpointing.interval: 10 s\nparallelism.default: 4\n");
  EXPECT_EQ(c.getRaw("execution.checkpointing.interval"), "10 s");
  EXPECT_EQ(c.getRaw("parallelism.default"), "4");
  EXPECT_EQ(c.entries().size(), 2u);
}

TEST(ConfigurationYamlTest, NestedMapsAreFlattenedWithDots) {
  Configuration c = load(
      "execution:\n"
      "  checkpointing:\n"
      "    interval: 10 s\n"
      "    mode: EXACTLY_ONCE\n"
      "  buffer-timeout: 100 ms\n");
  EXPECT_EQ(c.getRaw("execution.checkpointing.interval"), "10 s");
  EXPECT_EQ(c.getRaw("execution.checkpointing.mode"), "EXACTLY_ONCE");
  EXPECT_EQ(c.getRaw("execution.buffer-timeout"), "100 ms");
  EXPECT_FALSE(c.contains("execution"));
  EXPECT_FALSE(c.contains("execution.checkpointing"));
}

TEST(ConfigurationYamlTest, FlowStyleNestedMaps) {
  Configuration c = load("execution: {checkpointing: {interval: 10 s}}");
  EXPECT_EQ(c.getRaw("execution.checkpointing.interval"), "10 s");
}

TEST(ConfigurationYamlTest, MixedFlatAndNested) {
  Configuration c = load(
      "state.backend.type: rocksdb\n"
      "state:\n"
      "  checkpoints.dir: file:///tmp/chk\n"
      "  savepoints:\n"
      "    dir: file:///tmp/sp\n");
  EXPECT_EQ(c.getRaw("state.backend.type"), "rocksdb");
  EXPECT_EQ(c.getRaw("state.checkpoints.dir"), "file:///tmp/chk");
  EXPECT_EQ(c.getRaw("state.savepoints.dir"), "file:///tmp/sp");
}

TEST(ConfigurationYamlTest, ScalarsKeepTheirText) {
  Configuration c = load(
      "a: 010\n"
      "b: yes\n"
      "c: \"quoted: text\"\n"
      "d: 1.50\n"
      "e: '  padded  '\n");
  EXPECT_EQ(c.getRaw("a"), "010");
  EXPECT_EQ(c.getRaw("b"), "yes");
  EXPECT_EQ(c.getRaw("c"), "quoted: text");
  EXPECT_EQ(c.getRaw("d"), "1.50");
  EXPECT_EQ(c.getRaw("e"), "  padded  ");
}

TEST(ConfigurationYamlTest, SequencesBecomeCommaSeparated) {
  Configuration c = load(
      "pipeline:\n"
      "  jars: [a.jar, b.jar]\n"
      "env.java.opts:\n"
      "  - -Xmx1g\n"
      "  - -Dx=y\n"
      "empty: []\n");
  EXPECT_EQ(c.getRaw("pipeline.jars"), "a.jar,b.jar");
  EXPECT_EQ(c.getRaw("env.java.opts"), "-Xmx1g,-Dx=y");
  EXPECT_EQ(c.getRaw("empty"), "");
}

TEST(ConfigurationYamlTest, SequenceOfMapsIsRejected) {
  Result<Configuration> c = Configuration::fromYamlString("a:\n  - x: 1\n", "conf.yaml");
  ASSERT_FALSE(c.isOk());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(hasSubstr(c.status().message(), "conf.yaml"));
  EXPECT_TRUE(hasSubstr(c.status().message(), "'a'"));
}

TEST(ConfigurationYamlTest, EmptyDocumentAndNullValues) {
  EXPECT_TRUE(load("").entries().empty());
  EXPECT_TRUE(load("# only a comment\n").entries().empty());
  Configuration c = load("a:\nb: ~\nc: 1\n");
  EXPECT_FALSE(c.contains("a"));
  EXPECT_FALSE(c.contains("b"));
  EXPECT_EQ(c.getRaw("c"), "1");
}

TEST(ConfigurationYamlTest, TopLevelMustBeAMap) {
  Result<Configuration> c = Configuration::fromYamlString("- a\n- b\n", "conf.yaml");
  ASSERT_FALSE(c.isOk());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(hasSubstr(c.status().message(), "conf.yaml"));
  EXPECT_TRUE(hasSubstr(c.status().message(), "top level"));
}

TEST(ConfigurationYamlTest, KeySetTwiceAfterFlatteningIsRejected) {
  Result<Configuration> c = Configuration::fromYamlString("a.b: 1\na:\n  b: 2\n", "conf.yaml");
  ASSERT_FALSE(c.isOk());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(hasSubstr(c.status().message(), "'a.b'"));
  EXPECT_TRUE(hasSubstr(c.status().message(), "line 1"));
  EXPECT_TRUE(hasSubstr(c.status().message(), "line 3"));
}

TEST(ConfigurationYamlTest, BadYamlNamesOriginLineAndColumn) {
  Result<Configuration> c = Configuration::fromYamlString(
      "a: 1\n"
      "b: 2\n"
      "c: [unclosed\n",
      "conf/config.yaml");
  ASSERT_FALSE(c.isOk());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(hasSubstr(c.status().message(), "conf/config.yaml"));
  EXPECT_TRUE(hasSubstr(c.status().message(), "line "));
  EXPECT_TRUE(hasSubstr(c.status().message(), "column "));
}

TEST(ConfigurationYamlTest, BadIndentationReportsItsLine) {
  Result<Configuration> c = Configuration::fromYamlString(
      "a:\n"
      "  b: 1\n"
      " c: 2\n");
  ASSERT_FALSE(c.isOk());
  EXPECT_TRUE(hasSubstr(c.status().message(), "<string>"));
  EXPECT_TRUE(hasSubstr(c.status().message(), "line 3"));
}

TEST(ConfigurationYamlTest, ReadsFile) {
  TempFile file("taskmanager:\n  numberOfTaskSlots: 2\n");
  Result<Configuration> c = Configuration::fromYamlFile(file.path());
  ASSERT_TRUE(c.isOk()) << c.status().toString();
  EXPECT_EQ(c->getRaw("taskmanager.numberOfTaskSlots"), "2");
}

TEST(ConfigurationYamlTest, MissingFileIsNotFoundAndNamesThePath) {
  const std::string path = "/nonexistent/weir/config.yaml";
  Result<Configuration> c = Configuration::fromYamlFile(path);
  ASSERT_FALSE(c.isOk());
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(hasSubstr(c.status().message(), path));
}

TEST(ConfigurationYamlTest, BadFileErrorNamesPathAndLine) {
  TempFile file("a: 1\nb: {x: 1\n");
  Result<Configuration> c = Configuration::fromYamlFile(file.path());
  ASSERT_FALSE(c.isOk());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(hasSubstr(c.status().message(), file.path()));
  EXPECT_TRUE(hasSubstr(c.status().message(), "line "));
}

TEST(ConfigurationYamlTest, DirectoryIsRejected) {
  Result<Configuration> c = Configuration::fromYamlFile(std::filesystem::temp_directory_path().string());
  ASSERT_FALSE(c.isOk());
  EXPECT_TRUE(hasSubstr(c.status().message(), "directory"));
}

// --- Map operations and overrides ---

TEST(ConfigurationTest, SetGetRawContains) {
  Configuration c;
  EXPECT_FALSE(c.contains("a"));
  EXPECT_EQ(c.getRaw("a"), std::nullopt);
  c.set("a", "1");
  c.set("a", "2");
  EXPECT_TRUE(c.contains("a"));
  EXPECT_EQ(c.getRaw("a"), "2");
}

TEST(ConfigurationTest, MergeOtherWins) {
  Configuration base;
  base.set("a", "1");
  base.set("b", "1");
  Configuration other;
  other.set("b", "2");
  other.set("c", "2");
  base.merge(other);
  const std::map<std::string, std::string> expected{{"a", "1"}, {"b", "2"}, {"c", "2"}};
  EXPECT_EQ(base.entries(), expected);
}

TEST(ConfigurationTest, ApplyOverride) {
  Configuration c;
  ASSERT_TRUE(c.applyOverride("parallelism.default=4").isOk());
  EXPECT_EQ(c.getRaw("parallelism.default"), "4");
  // Split at the first '='; the value is kept verbatim.
  ASSERT_TRUE(c.applyOverride("env.java.opts=-Da=b -Dc=d").isOk());
  EXPECT_EQ(c.getRaw("env.java.opts"), "-Da=b -Dc=d");
  ASSERT_TRUE(c.applyOverride(" pipeline.name =my job").isOk());
  EXPECT_EQ(c.getRaw("pipeline.name"), "my job");
  ASSERT_TRUE(c.applyOverride("empty=").isOk());
  EXPECT_EQ(c.getRaw("empty"), "");
  // Overrides replace earlier values.
  ASSERT_TRUE(c.applyOverride("parallelism.default=8").isOk());
  EXPECT_EQ(c.getRaw("parallelism.default"), "8");
}

TEST(ConfigurationTest, ApplyOverrideErrors) {
  Configuration c;
  Status noEquals = c.applyOverride("parallelism.default");
  EXPECT_EQ(noEquals.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(hasSubstr(noEquals.message(), "parallelism.default"));
  EXPECT_TRUE(hasSubstr(noEquals.message(), "key=value"));

  Status emptyKey = c.applyOverride("=4");
  EXPECT_EQ(emptyKey.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(hasSubstr(emptyKey.message(), "empty key"));
  EXPECT_EQ(c.applyOverride("  =4").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(c.applyOverride("").code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(c.entries().empty());
}

// --- Typed options ---

const ConfigOption<milliseconds> kInterval{"execution.checkpointing.interval",
                                           milliseconds(0),
                                           {"execution.checkpointing.interval-old", "checkpoint.interval"},
                                           "Checkpoint interval."};

TEST(ConfigOptionTest, DefaultWhenUnset) {
  Configuration c;
  EXPECT_EQ(c.get(kInterval), milliseconds(0));
  const OptionalConfigOption<int32_t> kSlots{"taskmanager.numberOfTaskSlots", {}, "Slots."};
  EXPECT_EQ(c.get(kSlots), std::nullopt);
  c.set("taskmanager.numberOfTaskSlots", "3");
  EXPECT_EQ(c.get(kSlots), 3);
}

TEST(ConfigOptionTest, DeprecatedKeyFallback) {
  Configuration c;
  c.set("checkpoint.interval", "5 s");
  EXPECT_EQ(c.get(kInterval), milliseconds(5000));
  // Deprecated keys are tried in declaration order.
  c.set("execution.checkpointing.interval-old", "6 s");
  EXPECT_EQ(c.get(kInterval), milliseconds(6000));
}

TEST(ConfigOptionTest, NewKeyWinsOverDeprecated) {
  Configuration c = load(
      "checkpoint.interval: 5 s\n"
      "execution:\n"
      "  checkpointing:\n"
      "    interval: 1 min\n");
  EXPECT_EQ(c.get(kInterval), milliseconds(60'000));
}

TEST(ConfigOptionTest, OptionalOptionUsesDeprecatedKeys) {
  const OptionalConfigOption<std::string> kDir{
      "state.checkpoints.dir", {"state.backend.fs.checkpointdir"}, ""};
  Configuration c;
  c.set("state.backend.fs.checkpointdir", "file:///chk");
  EXPECT_EQ(c.get(kDir), "file:///chk");
  c.set("state.checkpoints.dir", "s3://bucket/chk");
  EXPECT_EQ(c.get(kDir), "s3://bucket/chk");
}

TEST(ConfigOptionTest, ErrorFromDeprecatedKeyNamesBothKeys) {
  Configuration c;
  c.set("checkpoint.interval", "soon");
  const std::string message = configErrorOf(c, kInterval);
  EXPECT_TRUE(hasSubstr(message, "'checkpoint.interval'"));
  EXPECT_TRUE(hasSubstr(message, "'execution.checkpointing.interval'"));
  EXPECT_TRUE(hasSubstr(message, "'soon'"));
  try {
    (void)c.get(kInterval);
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "checkpoint.interval");
  }
}

TEST(ConfigOptionTest, ConfigErrorIsInvalidArgument) {
  Configuration c;
  c.set("x", "nope");
  const ConfigOption<bool> kX{"x", false, {}, ""};
  EXPECT_THROW((void)c.get(kX), std::invalid_argument);
}

TEST(ConfigOptionTest, Bool) {
  const ConfigOption<bool> kFlag{"pipeline.object-reuse", false, {}, ""};
  Configuration c;
  for (const char* t : {"true", "TRUE", "True", " true "}) {
    c.set(kFlag.key, t);
    EXPECT_TRUE(c.get(kFlag)) << t;
  }
  for (const char* f : {"false", "FALSE", "False"}) {
    c.set(kFlag.key, f);
    EXPECT_FALSE(c.get(kFlag)) << f;
  }
  for (const char* bad : {"yes", "1", "", "truee"}) {
    c.set(kFlag.key, bad);
    const std::string message = configErrorOf(c, kFlag);
    EXPECT_TRUE(hasSubstr(message, "'pipeline.object-reuse'")) << bad;
    EXPECT_TRUE(hasSubstr(message, "'" + std::string(bad) + "'"));
    EXPECT_TRUE(hasSubstr(message, "true or false"));
  }
}

TEST(ConfigOptionTest, Int32) {
  const ConfigOption<int32_t> kP{"parallelism.default", 1, {}, ""};
  Configuration c;
  EXPECT_EQ(c.get(kP), 1);
  c.set(kP.key, "42");
  EXPECT_EQ(c.get(kP), 42);
  c.set(kP.key, "-7");
  EXPECT_EQ(c.get(kP), -7);
  c.set(kP.key, "+7");
  EXPECT_EQ(c.get(kP), 7);
  c.set(kP.key, " 12 ");
  EXPECT_EQ(c.get(kP), 12);
  c.set(kP.key, "2147483647");
  EXPECT_EQ(c.get(kP), std::numeric_limits<int32_t>::max());
  c.set(kP.key, "-2147483648");
  EXPECT_EQ(c.get(kP), std::numeric_limits<int32_t>::min());

  c.set(kP.key, "2147483648");
  std::string message = configErrorOf(c, kP);
  EXPECT_TRUE(hasSubstr(message, "'parallelism.default'"));
  EXPECT_TRUE(hasSubstr(message, "'2147483648'"));
  EXPECT_TRUE(hasSubstr(message, "out of range"));

  for (const char* bad : {"4x", "four", "", "4.0", "0x10", "1 2", "--1", "+"}) {
    c.set(kP.key, bad);
    message = configErrorOf(c, kP);
    EXPECT_TRUE(hasSubstr(message, "configuration 'parallelism.default'")) << bad;
    EXPECT_TRUE(hasSubstr(message, "cannot parse '" + std::string(bad) + "' as a 32-bit integer"));
  }
}

TEST(ConfigOptionTest, Int64) {
  const ConfigOption<int64_t> kN{"n", 0, {}, ""};
  Configuration c;
  c.set("n", "9223372036854775807");
  EXPECT_EQ(c.get(kN), std::numeric_limits<int64_t>::max());
  c.set("n", "9223372036854775808");
  EXPECT_TRUE(hasSubstr(configErrorOf(c, kN), "out of range"));
  c.set("n", "12abc");
  EXPECT_TRUE(hasSubstr(configErrorOf(c, kN), "cannot parse '12abc' as a 64-bit integer"));
}

TEST(ConfigOptionTest, Double) {
  const ConfigOption<double> kF{"fraction", 0.5, {}, ""};
  Configuration c;
  EXPECT_EQ(c.get(kF), 0.5);
  c.set("fraction", "0.75");
  EXPECT_EQ(c.get(kF), 0.75);
  c.set("fraction", "1e-3");
  EXPECT_EQ(c.get(kF), 1e-3);
  c.set("fraction", "-2");
  EXPECT_EQ(c.get(kF), -2.0);
  for (const char* bad : {"", "abc", "0.5x", "nan", "inf", "1e999"}) {
    c.set("fraction", bad);
    const std::string message = configErrorOf(c, kF);
    EXPECT_TRUE(hasSubstr(message, "'fraction'")) << bad;
    EXPECT_TRUE(hasSubstr(message, "'" + std::string(bad) + "'"));
  }
}

TEST(ConfigOptionTest, StringKeepsRawText) {
  const ConfigOption<std::string> kName{"pipeline.name", "unnamed", {}, ""};
  Configuration c;
  EXPECT_EQ(c.get(kName), "unnamed");
  c.set("pipeline.name", "  spaced  ");
  EXPECT_EQ(c.get(kName), "  spaced  ");
}

TEST(ConfigOptionTest, DurationOptionError) {
  const ConfigOption<milliseconds> kTimeout{"execution.buffer-timeout", milliseconds(100), {}, ""};
  Configuration c;
  c.set("execution.buffer-timeout", "abc");
  const std::string message = configErrorOf(c, kTimeout);
  EXPECT_TRUE(
      hasSubstr(message, "configuration 'execution.buffer-timeout': cannot parse 'abc' as a duration"));
  EXPECT_TRUE(hasSubstr(message, "examples: 100 ms, 10 s, 1 min"));
}

TEST(ConfigOptionTest, MemorySizeOption) {
  const ConfigOption<MemorySize> kMem{"taskmanager.memory.network.max", MemorySize{64 << 20}, {}, ""};
  Configuration c;
  EXPECT_EQ(c.get(kMem), MemorySize{64 << 20});
  c.set(kMem.key, "1 gb");
  EXPECT_EQ(c.get(kMem), MemorySize{1ull << 30});
  c.set(kMem.key, "lots");
  const std::string message = configErrorOf(c, kMem);
  EXPECT_TRUE(hasSubstr(message, "'taskmanager.memory.network.max'"));
  EXPECT_TRUE(hasSubstr(message, "'lots'"));
  EXPECT_TRUE(hasSubstr(message, "as a memory size"));
}

// --- Enums ---

TEST(ParseEnumTest, CaseInsensitiveIndex) {
  EXPECT_EQ(parseEnum("restart-strategy.type", "none", {"NONE", "FIXED-DELAY"}), 0u);
  EXPECT_EQ(parseEnum("restart-strategy.type", "Fixed-Delay", {"NONE", "FIXED-DELAY"}), 1u);
  EXPECT_EQ(parseEnum("restart-strategy.type", " NONE ", {"NONE", "FIXED-DELAY"}), 0u);
}

TEST(ParseEnumTest, UnknownValueListsAllowed) {
  try {
    (void)parseEnum("restart-strategy.type", "sometimes", {"NONE", "FIXED-DELAY"});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "restart-strategy.type");
    EXPECT_TRUE(hasSubstr(std::string(e.what()), "'restart-strategy.type'"));
    EXPECT_TRUE(hasSubstr(std::string(e.what()), "'sometimes'"));
    EXPECT_TRUE(hasSubstr(std::string(e.what()), "NONE, FIXED-DELAY"));
  }
}

// --- Durations ---

TEST(ParseDurationTest, AcceptedForms) {
  const std::pair<const char*, int64_t> cases[] = {
      {"100", 100},
      {"100ms", 100},
      {"100 ms", 100},
      {"10 s", 10'000},
      {"10s", 10'000},
      {"1 min", 60'000},
      {"1m", 60'000},
      {"2 h", 7'200'000},
      {"1 d", 86'400'000},
      {"0", 0},
      {"  5 s  ", 5000},
      {"10 S", 10'000},
      {"1 MIN", 60'000},
      {"3 milli", 3},
      {"3 millis", 3},
      {"3 millisecond", 3},
      {"3 milliseconds", 3},
      {"1 second", 1000},
      {"2 seconds", 2000},
      {"2 sec", 2000},
      {"1 minute", 60'000},
      {"2 minutes", 120'000},
      {"1 hour", 3'600'000},
      {"2 hours", 7'200'000},
      {"1 day", 86'400'000},
      {"2 days", 172'800'000},
      {"10\ts", 10'000},
      // Sub-millisecond units round to the nearest millisecond.
      {"500 us", 1},
      {"499 us", 0},
      {"1500us", 2},
      {"2000 micros", 2},
      {"1000000 ns", 1},
      {"1499999 ns", 1},
      {"2500000 nanos", 3},
      {"1 \xC2\xB5s", 0},
  };
  for (const auto& [text, ms] : cases) {
    Result<milliseconds> d = parseDuration(text);
    ASSERT_TRUE(d.isOk()) << text << ": " << d.status().toString();
    EXPECT_EQ(d->count(), ms) << text;
  }
}

TEST(ParseDurationTest, Rejections) {
  const char* cases[] = {"10 parsecs",
                         "-1 s",
                         "",
                         "   ",
                         "1.5 s",
                         "s",
                         "10 s s",
                         "ten s",
                         "1,5 s",
                         "+1 s",
                         "99999999999999999999 ms",
                         "9223372036854775807 d"};
  for (const char* text : cases) {
    Result<milliseconds> d = parseDuration(text);
    ASSERT_FALSE(d.isOk()) << text;
    EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(hasSubstr(d.status().message(), "cannot parse '" + std::string(text) + "' as a duration"));
    EXPECT_TRUE(hasSubstr(d.status().message(), "examples: 100 ms, 10 s, 1 min"));
  }
  EXPECT_TRUE(hasSubstr(parseDuration("10 parsecs").status().message(), "unknown time unit 'parsecs'"));
  EXPECT_TRUE(hasSubstr(parseDuration("-1 s").status().message(), "negative"));
  EXPECT_TRUE(hasSubstr(parseDuration("").status().message(), "empty"));
  EXPECT_TRUE(hasSubstr(parseDuration("1.5 s").status().message(), "fractional"));
}

TEST(FormatDurationTest, LargestExactUnit) {
  EXPECT_EQ(formatDuration(milliseconds(0)), "0 ms");
  EXPECT_EQ(formatDuration(milliseconds(100)), "100 ms");
  EXPECT_EQ(formatDuration(milliseconds(1500)), "1500 ms");
  EXPECT_EQ(formatDuration(milliseconds(10'000)), "10 s");
  EXPECT_EQ(formatDuration(milliseconds(90'000)), "90 s");
  EXPECT_EQ(formatDuration(milliseconds(120'000)), "2 min");
  EXPECT_EQ(formatDuration(milliseconds(3'600'000)), "1 h");
  EXPECT_EQ(formatDuration(milliseconds(172'800'000)), "2 d");
}

TEST(FormatDurationTest, RoundTrips) {
  const int64_t cases[] = {0, 1, 999, 1000, 61'000, 3'600'000, 86'400'001, 7LL * 86'400'000};
  for (int64_t ms : cases) {
    Result<milliseconds> back = parseDuration(formatDuration(milliseconds(ms)));
    ASSERT_TRUE(back.isOk()) << ms;
    EXPECT_EQ(back->count(), ms);
  }
}

// --- Memory sizes ---

TEST(ParseMemorySizeTest, AcceptedForms) {
  constexpr uint64_t kKb = 1024;
  const std::pair<const char*, uint64_t> cases[] = {
      {"1024", 1024},
      {"0", 0},
      {"512 b", 512},
      {"512b", 512},
      {"512 bytes", 512},
      {"32kb", 32 * kKb},
      {"32 kb", 32 * kKb},
      {"32k", 32 * kKb},
      {"32 KB", 32 * kKb},
      {"2 kibibytes", 2 * kKb},
      {"64 mb", 64 * kKb * kKb},
      {"64m", 64 * kKb * kKb},
      {"64 MB", 64 * kKb * kKb},
      {"3 mebibytes", 3 * kKb * kKb},
      {"1g", kKb * kKb * kKb},
      {"1gb", kKb * kKb * kKb},
      {"1 G", kKb * kKb * kKb},
      {"2 gibibytes", 2 * kKb * kKb * kKb},
      {"1t", kKb * kKb * kKb * kKb},
      {"1 tb", kKb * kKb * kKb * kKb},
      {"1 tebibytes", kKb * kKb * kKb * kKb},
      {" 8 mb ", 8 * kKb * kKb},
  };
  for (const auto& [text, bytes] : cases) {
    Result<MemorySize> size = parseMemorySize(text);
    ASSERT_TRUE(size.isOk()) << text << ": " << size.status().toString();
    EXPECT_EQ(size->bytes, bytes) << text;
  }
}

TEST(ParseMemorySizeTest, Rejections) {
  const char* cases[] = {"1.5.3 mb",    "1.5 mb",
                         "-1 mb",       "",
                         "lots",        "10 parsecs",
                         "10 pb",       "mb",
                         "16777216 tb", "99999999999999999999"};
  for (const char* text : cases) {
    Result<MemorySize> size = parseMemorySize(text);
    ASSERT_FALSE(size.isOk()) << text;
    EXPECT_EQ(size.status().code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(
        hasSubstr(size.status().message(), "cannot parse '" + std::string(text) + "' as a memory size"));
    EXPECT_TRUE(hasSubstr(size.status().message(), "examples:"));
  }
  EXPECT_TRUE(hasSubstr(parseMemorySize("10 pb").status().message(), "unknown memory unit 'pb'"));
}

TEST(FormatMemorySizeTest, LargestExactUnit) {
  EXPECT_EQ(formatMemorySize(MemorySize{0}), "0 bytes");
  EXPECT_EQ(formatMemorySize(MemorySize{100}), "100 bytes");
  EXPECT_EQ(formatMemorySize(MemorySize{32 * 1024}), "32 kb");
  EXPECT_EQ(formatMemorySize(MemorySize{1536 * 1024}), "1536 kb");
  EXPECT_EQ(formatMemorySize(MemorySize{64ull << 20}), "64 mb");
  EXPECT_EQ(formatMemorySize(MemorySize{1ull << 30}), "1 gb");
  EXPECT_EQ(formatMemorySize(MemorySize{2ull << 40}), "2 tb");
}

TEST(FormatMemorySizeTest, RoundTrips) {
  const uint64_t cases[] = {0,    1,          1023,       1024,
                            1025, 3ull << 20, 5ull << 40, std::numeric_limits<uint64_t>::max()};
  for (uint64_t bytes : cases) {
    Result<MemorySize> back = parseMemorySize(formatMemorySize(MemorySize{bytes}));
    ASSERT_TRUE(back.isOk()) << bytes;
    EXPECT_EQ(back->bytes, bytes);
  }
}

}  // namespace
}  // namespace weir
