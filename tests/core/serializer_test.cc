#include <weir/core/data_io.h>
#include <weir/core/hash.h>
#include <weir/core/serializer.h>

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace weir_test {

struct Bid {
  int64_t auction = 0;
  int64_t price = 0;
  std::string bidder;
  bool operator==(const Bid&) const = default;
};
WEIR_STRUCT(Bid, auction, price, bidder);

enum class Color : uint8_t { kRed = 1, kGreen = 2, kBlue = 200 };

struct Auction {
  int64_t id = 0;
  std::optional<Bid> best;
  std::vector<Bid> bids;
  Color color = Color::kRed;
  bool operator==(const Auction&) const = default;
};
WEIR_STRUCT(Auction, id, best, bids, color);

struct Empty {
  bool operator==(const Empty&) const = default;
};
WEIR_STRUCT(Empty);

// 24 fields: the macro must handle at least that many.
struct Wide {
  int a0 = 0, a1 = 1, a2 = 2, a3 = 3, a4 = 4, a5 = 5, a6 = 6, a7 = 7, a8 = 8, a9 = 9, a10 = 10, a11 = 11;
  int a12 = 12, a13 = 13, a14 = 14, a15 = 15, a16 = 16, a17 = 17, a18 = 18, a19 = 19, a20 = 20;
  int a21 = 21, a22 = 22, a23 = 23;
  bool operator==(const Wide&) const = default;
};
WEIR_STRUCT(Wide, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19,
            a20, a21, a22, a23);

// A derived class must not silently pick up its base's WEIR_STRUCT (slicing).
struct DerivedBid : Bid {
  int extra = 0;
};

struct NotDeclared {
  int x = 0;
};

// A hand-written serializer with a bumped version.
struct Money {
  int64_t cents = 0;
  bool operator==(const Money&) const = default;
};

}  // namespace weir_test

template <>
struct weir::TypeSerializer<weir_test::Money> {
  static void serialize(const weir_test::Money& v, DataOutput& out) { out.writeI64(v.cents); }
  static void deserialize(weir_test::Money& v, DataInput& in) { v.cents = in.readI64(); }
  static std::string name() { return "money"; }
  static constexpr uint32_t kVersion = 2;
  static constexpr size_t kMinWireSize = 8;
};

namespace weir {
namespace {

using weir_test::Auction;
using weir_test::Bid;
using weir_test::Color;
using weir_test::Empty;
using weir_test::Money;
using weir_test::Wide;

std::string bytesOf(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

// Serializes `v`, checks that it decodes back to `v` (into a fresh object and
// into `dirty`, which exercises memory reuse), that decoding consumes every
// byte, and that every strict prefix fails with SerializationError.
template <class T>
void expectRoundTrip(const T& v, T dirty = T{}) {
  requireSerializable<T>();
  DataOutput out;
  TypeSerializer<T>::serialize(v, out);
  const size_t n = out.size();

  {
    DataInput in(out.data(), n);
    T fresh{};
    TypeSerializer<T>::deserialize(fresh, in);
    EXPECT_TRUE(fresh == v) << TypeSerializer<T>::name();
    EXPECT_EQ(in.remaining(), 0u) << TypeSerializer<T>::name();
  }
  {
    DataInput in(out.data(), n);
    TypeSerializer<T>::deserialize(dirty, in);
    EXPECT_TRUE(dirty == v) << TypeSerializer<T>::name() << " decoded into a non-empty object";
  }
  EXPECT_TRUE(deserializeFrom<T>(out.data(), n) == v);
  EXPECT_EQ(serializeToString(v), std::string(out.view()));

  // Every prefix is truncated. Copy into an exact-size heap buffer so ASan
  // would catch a read past the end.
  for (size_t len = 0; len < n; ++len) {
    std::unique_ptr<uint8_t[]> prefix(new uint8_t[len + 1]);
    std::memcpy(prefix.get(), out.data(), len);
    DataInput in(prefix.get(), len);
    T target{};
    EXPECT_THROW(TypeSerializer<T>::deserialize(target, in), SerializationError)
        << TypeSerializer<T>::name() << " prefix of " << len << "/" << n << " bytes";
  }
}

// ---------------------------------------------------------------- DataOutput / DataInput

TEST(DataOutputTest, GrowsFromTinyCapacity) {
  DataOutput out(1);
  EXPECT_GE(out.capacity(), 1u);
  for (int i = 0; i < 10000; ++i) {
    out.writeU8(static_cast<uint8_t>(i));
    out.writeU32(static_cast<uint32_t>(i) * 7u);
    out.writeString(std::string(static_cast<size_t>(i % 5), 'x'));
  }
  DataInput in(out.data(), out.size());
  for (int i = 0; i < 10000; ++i) {
    ASSERT_EQ(in.readU8(), static_cast<uint8_t>(i));
    ASSERT_EQ(in.readU32(), static_cast<uint32_t>(i) * 7u);
    ASSERT_EQ(in.readStringView(), std::string(static_cast<size_t>(i % 5), 'x'));
  }
  EXPECT_TRUE(in.atEnd());
}

TEST(DataOutputTest, ClearKeepsCapacityAndEmptyWritesAreFine) {
  DataOutput out;
  EXPECT_EQ(out.size(), 0u);
  out.writeBytes(nullptr, 0);
  out.writeString("");
  EXPECT_EQ(out.size(), 1u);
  out.reserve(1000);
  const size_t cap = out.capacity();
  EXPECT_GE(cap, 1000u);
  out.writeU64(42);
  out.clear();
  EXPECT_EQ(out.size(), 0u);
  EXPECT_EQ(out.capacity(), cap);
}

TEST(DataOutputTest, SkipPatchAndTruncate) {
  DataOutput out(2);
  out.writeU8(0xAA);
  const size_t lengthAt = out.size();
  out.skip(4);
  out.writeString("payload that forces the buffer to grow past its first allocation, twice over");
  const uint32_t len = static_cast<uint32_t>(out.size() - lengthAt - 4);
  std::memcpy(out.mutableData() + lengthAt, &len, sizeof(len));

  DataInput in(out.data(), out.size());
  EXPECT_EQ(in.readU8(), 0xAA);
  EXPECT_EQ(in.readU32(), len);
  EXPECT_EQ(in.remaining(), len);

  out.truncate(1);
  EXPECT_EQ(out.size(), 1u);
  out.writeU16(0x0102);
  EXPECT_EQ(out.view(), bytesOf({0xAA, 0x02, 0x01}));
}

TEST(DataOutputTest, MoveTransfersTheBuffer) {
  DataOutput a;
  a.writeString("hello");
  DataOutput b(std::move(a));
  EXPECT_EQ(b.size(), 6u);
  a.writeU8(1);  // a moved-from output is empty and usable
  EXPECT_EQ(a.size(), 1u);
  a = std::move(b);
  EXPECT_EQ(a.size(), 6u);
}

TEST(DataIoTest, FixedWidthIsLittleEndian) {
  DataOutput out;
  out.writeU16(0x0102);
  out.writeU32(0x03040506);
  out.writeI32(-2);
  out.writeBool(true);
  out.writeBool(false);
  EXPECT_EQ(out.view(), bytesOf({0x02, 0x01, 0x06, 0x05, 0x04, 0x03, 0xFE, 0xFF, 0xFF, 0xFF, 0x01, 0x00}));
}

TEST(DataIoTest, AllReadersRoundTrip) {
  DataOutput out;
  out.writeU8(200);
  out.writeU16(65000);
  out.writeU32(4000000000u);
  out.writeU64(std::numeric_limits<uint64_t>::max());
  out.writeI32(std::numeric_limits<int32_t>::min());
  out.writeI64(std::numeric_limits<int64_t>::min());
  out.writeF32(1.5f);
  out.writeF64(-2.25);
  out.writeBool(true);
  out.writeVarU64(300);
  out.writeString("abc");
  out.writeRaw<int16_t>(-7);
  const char raw[3] = {'x', 'y', 'z'};
  out.writeBytes(raw, 3);

  DataInput in(out.view());
  EXPECT_EQ(in.readU8(), 200);
  EXPECT_EQ(in.readU16(), 65000);
  EXPECT_EQ(in.readU32(), 4000000000u);
  EXPECT_EQ(in.readU64(), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(in.readI32(), std::numeric_limits<int32_t>::min());
  EXPECT_EQ(in.readI64(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(in.readF32(), 1.5f);
  EXPECT_EQ(in.readF64(), -2.25);
  EXPECT_TRUE(in.readBool());
  EXPECT_EQ(in.readVarU64(), 300u);
  std::string s = "previous contents";
  in.readString(s);
  EXPECT_EQ(s, "abc");
  EXPECT_EQ(in.readRaw<int16_t>(), -7);
  EXPECT_EQ(in.position(), out.size() - 3);
  in.skip(1);
  char two[2];
  in.readBytes(two, 2);
  EXPECT_EQ(std::string(two, 2), "yz");
  EXPECT_EQ(in.remaining(), 0u);
  EXPECT_THROW(in.skip(1), SerializationError);
}

TEST(DataIoTest, TruncationMessageSaysWhatAndWhere) {
  const std::string bytes(15, '\0');
  DataInput in(bytes);
  in.skip(12);
  try {
    in.readU64();
    FAIL() << "expected SerializationError";
  } catch (const SerializationError& e) {
    EXPECT_STREQ(e.what(), "truncated data: need 8 bytes at offset 12, only 3 left");
  }
  EXPECT_EQ(in.position(), 12u);  // a failed read consumes nothing
}

TEST(DataIoTest, InvalidBoolByteThrows) {
  const std::string bytes = bytesOf({0x05});
  DataInput in(bytes);
  EXPECT_THROW(in.readBool(), SerializationError);
}

TEST(DataIoTest, VarintBoundaries) {
  struct Case {
    uint64_t value;
    size_t bytes;
  };
  const Case cases[] = {
      {0, 1},
      {1, 1},
      {127, 1},
      {128, 2},
      {16383, 2},
      {16384, 3},
      {uint64_t{1} << 56, 9},
      {(uint64_t{1} << 63) - 1, 9},
      {uint64_t{1} << 63, 10},
      {std::numeric_limits<uint64_t>::max(), 10},
  };
  for (const Case& c : cases) {
    DataOutput out;
    out.writeVarU64(c.value);
    EXPECT_EQ(out.size(), c.bytes) << c.value;
    DataInput in(out.data(), out.size());
    EXPECT_EQ(in.readVarU64(), c.value);
    EXPECT_TRUE(in.atEnd());
    for (size_t len = 0; len < out.size(); ++len) {
      DataInput prefix(out.data(), len);
      EXPECT_THROW(prefix.readVarU64(), SerializationError) << c.value << " cut to " << len;
    }
  }
  DataOutput out;
  out.writeVarU64(128);
  EXPECT_EQ(out.view(), bytesOf({0x80, 0x01}));
  out.clear();
  out.writeVarU64(uint64_t{1} << 63);
  EXPECT_EQ(out.view(), bytesOf({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}));
}

TEST(DataIoTest, MalformedVarintsThrow) {
  // A 10th byte above 1 would need more than 64 bits.
  const std::string tooBig = bytesOf({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02});
  DataInput a(tooBig);
  EXPECT_THROW(a.readVarU64(), SerializationError);
  // An 11-byte encoding.
  const std::string tooLong = bytesOf({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x81, 0x00});
  DataInput b(tooLong);
  EXPECT_THROW(b.readVarU64(), SerializationError);
}

TEST(DataIoTest, AbsurdLengthsThrowWithoutAllocating) {
  DataOutput out;
  out.writeVarU64(uint64_t{1} << 60);
  const std::string bytes(out.view());

  DataInput in1(bytes);
  EXPECT_THROW(in1.readStringView(), SerializationError);
  std::string s;
  DataInput in2(bytes);
  EXPECT_THROW(in2.readString(s), SerializationError);
  // Each of these would throw bad_alloc or length_error (not SerializationError)
  // if it tried to allocate 2^60 elements.
  EXPECT_THROW(deserializeFrom<std::string>(out.data(), out.size()), SerializationError);
  EXPECT_THROW(deserializeFrom<std::vector<int64_t>>(out.data(), out.size()), SerializationError);
  EXPECT_THROW(deserializeFrom<std::vector<uint8_t>>(out.data(), out.size()), SerializationError);
  EXPECT_THROW(deserializeFrom<std::vector<std::string>>(out.data(), out.size()), SerializationError);
  EXPECT_THROW(deserializeFrom<std::vector<bool>>(out.data(), out.size()), SerializationError);
  EXPECT_THROW((deserializeFrom<std::map<std::string, int64_t>>(out.data(), out.size())), SerializationError);
  EXPECT_THROW((deserializeFrom<std::unordered_map<int, int>>(out.data(), out.size())), SerializationError);
  EXPECT_THROW(deserializeFrom<std::vector<Empty>>(out.data(), out.size()), SerializationError);

  // The per-element minimum makes the check tight: 2 i64s need 16 bytes.
  DataOutput two;
  two.writeVarU64(2);
  two.writeI64(1);
  two.writeU8(0);
  try {
    deserializeFrom<std::vector<int64_t>>(two.data(), two.size());
    FAIL() << "expected SerializationError";
  } catch (const SerializationError& e) {
    EXPECT_NE(std::string(e.what()).find("length 2 at offset 0"), std::string::npos) << e.what();
  }
}

TEST(DataIoTest, DuplicateMapKeysAreMalformed) {
  DataOutput out;
  out.writeVarU64(2);
  out.writeI32(7);
  out.writeI32(1);
  out.writeI32(7);
  out.writeI32(2);
  EXPECT_THROW((deserializeFrom<std::map<int32_t, int32_t>>(out.data(), out.size())), SerializationError);
  EXPECT_THROW((deserializeFrom<std::unordered_map<int32_t, int32_t>>(out.data(), out.size())),
               SerializationError);
}

// ---------------------------------------------------------------- round trips

TEST(SerializerTest, Scalars) {
  expectRoundTrip(true);
  expectRoundTrip(false);
  expectRoundTrip<char>('z');
  expectRoundTrip<signed char>(-5);
  expectRoundTrip<unsigned char>(250);
  expectRoundTrip<int16_t>(-12345);
  expectRoundTrip<uint16_t>(54321);
  expectRoundTrip<int32_t>(std::numeric_limits<int32_t>::min());
  expectRoundTrip<uint32_t>(std::numeric_limits<uint32_t>::max());
  expectRoundTrip<int64_t>(std::numeric_limits<int64_t>::min());
  expectRoundTrip<uint64_t>(std::numeric_limits<uint64_t>::max());
  expectRoundTrip<long>(-1234567890123L);
  expectRoundTrip<long long>(1234567890123LL);
  expectRoundTrip<unsigned long>(99UL);
  expectRoundTrip<char32_t>(U'\x1F600');
  expectRoundTrip(3.25f);
  expectRoundTrip(-1e300);
  expectRoundTrip(std::numeric_limits<double>::infinity());
  expectRoundTrip(Color::kBlue);
  EXPECT_EQ(serializeToString(int32_t{1}).size(), 4u);
  EXPECT_EQ(serializeToString(Color::kBlue), bytesOf({200}));

  // NaN != NaN, so compare bits.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::string bytes = serializeToString(nan);
  EXPECT_TRUE(
      std::isnan(deserializeFrom<double>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size())));
}

TEST(SerializerTest, Strings) {
  expectRoundTrip(std::string());
  expectRoundTrip(std::string("hello"), std::string(1000, 'q'));
  expectRoundTrip(std::string("with\0nul", 8));
  expectRoundTrip(std::string(300, 'x'));  // two-byte length
}

TEST(SerializerTest, Vectors) {
  expectRoundTrip(std::vector<int64_t>{});
  expectRoundTrip(std::vector<int64_t>{1, -2, 3, std::numeric_limits<int64_t>::max()},
                  std::vector<int64_t>(9, 5));
  expectRoundTrip(std::vector<double>{0.5, -1.25, 1e-300});
  expectRoundTrip(std::vector<uint8_t>{0, 1, 255});
  expectRoundTrip(std::vector<bool>{true, false, true, true});
  expectRoundTrip(std::vector<std::string>{"a", "", "ccc"}, std::vector<std::string>{"zz", "y", "x", "w"});
  expectRoundTrip(std::vector<std::vector<int32_t>>{{}, {1}, {2, 3}});
  expectRoundTrip(std::vector<Color>{Color::kGreen, Color::kRed});
  expectRoundTrip(std::vector<Empty>(5));  // zero-width elements

  // The bulk path writes the same bytes as element-by-element encoding.
  DataOutput manual;
  manual.writeVarU64(2);
  manual.writeI32(7);
  manual.writeI32(-1);
  EXPECT_EQ(serializeToString(std::vector<int32_t>{7, -1}), std::string(manual.view()));
}

TEST(SerializerTest, OptionalsPairsTuplesArrays) {
  expectRoundTrip(std::optional<std::string>());
  expectRoundTrip(std::optional<std::string>("x"), std::optional<std::string>("old value"));
  expectRoundTrip(std::optional<std::string>(), std::optional<std::string>("old value"));
  expectRoundTrip(std::optional<int64_t>(0));
  expectRoundTrip(std::pair<int32_t, std::string>(-3, "three"));
  expectRoundTrip(std::tuple<int64_t, int64_t, int64_t>(1, 2, 3));
  expectRoundTrip(std::tuple<>());
  expectRoundTrip(std::tuple<std::string, bool, std::optional<double>>("t", true, 2.5));
  expectRoundTrip(std::array<int32_t, 3>{1, 2, 3});
  expectRoundTrip(std::array<std::string, 2>{"a", "b"});
  expectRoundTrip(std::array<int64_t, 0>{});
}

TEST(SerializerTest, Maps) {
  expectRoundTrip(std::map<std::string, int64_t>{});
  expectRoundTrip(std::map<std::string, int64_t>{{"a", 1}, {"b", -2}, {"c", 3}},
                  std::map<std::string, int64_t>{{"zzz", 9}, {"a", 5}});
  expectRoundTrip(std::unordered_map<int32_t, std::string>{{1, "one"}, {2, "two"}, {3, ""}},
                  std::unordered_map<int32_t, std::string>{{4, "four"}});
  expectRoundTrip(std::map<std::string, std::vector<double>>{{"x", {1.0, 2.0}}, {"y", {}}});
}

TEST(SerializerTest, Nested) {
  using Nested = std::vector<std::pair<std::string, std::optional<int64_t>>>;
  expectRoundTrip(Nested{{"a", 1}, {"b", std::nullopt}, {"", -7}}, Nested{{"old", 3}});
  expectRoundTrip(std::map<std::string, std::vector<double>>{{"k", {1.5, 2.5, 3.5}}});
  expectRoundTrip(std::optional<std::map<int32_t, std::vector<std::string>>>(
      std::map<int32_t, std::vector<std::string>>{{1, {"x", "y"}}}));
}

TEST(SerializerTest, Structs) {
  expectRoundTrip(Bid{7, 100, "alice"}, Bid{1, 2, "a much longer previous bidder name"});
  Auction a;
  a.id = 42;
  a.best = Bid{42, 300, "carol"};
  a.bids = {Bid{42, 100, "alice"}, Bid{42, 200, "bob"}, Bid{42, 300, "carol"}};
  a.color = Color::kGreen;
  expectRoundTrip(a);
  expectRoundTrip(Auction{});
  expectRoundTrip(Empty{});
  expectRoundTrip(Wide{});
  expectRoundTrip(std::vector<Bid>{Bid{1, 2, "x"}});

  // Fields in declared order, no framing.
  DataOutput manual;
  manual.writeI64(7);
  manual.writeI64(100);
  manual.writeString("alice");
  EXPECT_EQ(serializeToString(Bid{7, 100, "alice"}), std::string(manual.view()));
}

TEST(SerializerTest, HandWrittenSpecialization) {
  expectRoundTrip(Money{1234});
  expectRoundTrip(std::vector<Money>{{1}, {2}});
}

// ---------------------------------------------------------------- names and identity

template <class T>
std::string nameOf() {
  return TypeSerializer<T>::name();
}

TEST(SerializerTest, Names) {
  EXPECT_EQ(nameOf<bool>(), "bool");
  EXPECT_EQ(nameOf<char>(), "i8");
  EXPECT_EQ(nameOf<signed char>(), "i8");
  EXPECT_EQ(nameOf<unsigned char>(), "u8");
  EXPECT_EQ(nameOf<int8_t>(), "i8");
  EXPECT_EQ(nameOf<uint8_t>(), "u8");
  EXPECT_EQ(nameOf<int16_t>(), "i16");
  EXPECT_EQ(nameOf<uint16_t>(), "u16");
  EXPECT_EQ(nameOf<int32_t>(), "i32");
  EXPECT_EQ(nameOf<uint32_t>(), "u32");
  EXPECT_EQ(nameOf<int64_t>(), "i64");
  EXPECT_EQ(nameOf<uint64_t>(), "u64");
  EXPECT_EQ(nameOf<long>(), "i64");
  EXPECT_EQ(nameOf<long long>(), "i64");
  EXPECT_EQ(nameOf<unsigned long long>(), "u64");
  EXPECT_EQ(nameOf<float>(), "f32");
  EXPECT_EQ(nameOf<double>(), "f64");
  EXPECT_EQ(nameOf<Color>(), "enum<u8>");
  EXPECT_EQ(nameOf<std::string>(), "string");
  EXPECT_EQ(nameOf<std::vector<int64_t>>(), "vector<i64>");
  EXPECT_EQ(nameOf<std::optional<std::string>>(), "optional<string>");
  EXPECT_EQ((nameOf<std::pair<int32_t, std::string>>()), "pair<i32,string>");
  EXPECT_EQ((nameOf<std::tuple<int64_t, int64_t, int64_t>>()), "tuple<i64,i64,i64>");
  EXPECT_EQ(nameOf<std::tuple<>>(), "tuple<>");
  EXPECT_EQ((nameOf<std::map<std::string, int64_t>>()), "map<string,i64>");
  EXPECT_EQ((nameOf<std::unordered_map<std::string, int64_t>>()), "unordered_map<string,i64>");
  EXPECT_EQ((nameOf<std::array<int32_t, 4>>()), "array<i32,4>");
  EXPECT_EQ(nameOf<Bid>(), "struct Bid{auction:i64,price:i64,bidder:string}");
  EXPECT_EQ(nameOf<Auction>(),
            "struct Auction{id:i64,best:optional<struct Bid{auction:i64,price:i64,bidder:string}>,"
            "bids:vector<struct Bid{auction:i64,price:i64,bidder:string}>,color:enum<u8>}");
  EXPECT_EQ(nameOf<Empty>(), "struct Empty{}");
  EXPECT_EQ((nameOf<std::vector<std::pair<std::string, std::optional<int64_t>>>>()),
            "vector<pair<string,optional<i64>>>");
  // A nested serializer's version shows in the composite's name.
  EXPECT_EQ(nameOf<Money>(), "money");
  EXPECT_EQ(nameOf<std::vector<Money>>(), "vector<money@v2>");

  EXPECT_EQ(serializerIdentity<Money>(), (SerializerIdentity{"money", 2}));
  EXPECT_EQ(serializerIdentity<std::vector<int64_t>>(), (SerializerIdentity{"vector<i64>", 1}));
}

TEST(SerializerTest, SerializableConcept) {
  static_assert(Serializable<int>);
  static_assert(Serializable<Bid>);
  static_assert(Serializable<std::map<std::string, std::vector<Bid>>>);
  static_assert(!Serializable<weir_test::NotDeclared>);
  static_assert(!Serializable<std::vector<weir_test::NotDeclared>>);
  static_assert(!Serializable<std::optional<weir_test::NotDeclared>>);
  static_assert(!Serializable<weir_test::DerivedBid>);  // the tag stops the base's functions matching
  static_assert(!Serializable<long double>);
  static_assert(!Serializable<const char*>);
  static_assert(detail::minWireSize<Bid>() == 17);
  static_assert(detail::minWireSize<Empty>() == 0);
  static_assert(detail::minWireSize<std::array<int32_t, 3>>() == 12);
  static_assert(detail::minWireSize<std::tuple<int64_t, bool>>() == 9);
}

// ---------------------------------------------------------------- stableHash

TEST(StableHashTest, KnownValues) {
  // Regression guard: these values define key-group assignment in persisted
  // checkpoints and must never change.
  EXPECT_EQ(stableHash("weir"), 0x09831dc741817118ULL);
  // XXH3-64 of empty input with seed 0, as published by xxHash.
  EXPECT_EQ(stableHash("", 0), 0x2d06800538d394c2ULL);
  EXPECT_EQ(stableHash(std::string_view()), 0x2d06800538d394c2ULL);
  const std::string weir = "weir";
  EXPECT_EQ(stableHash(weir.data(), weir.size()), stableHash("weir"));
  EXPECT_NE(stableHash("weir"), stableHash("Weir"));
}

}  // namespace
}  // namespace weir
