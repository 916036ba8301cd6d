// HeapKeyedStateBackend and the heap state objects, reached the way user
// functions reach them: through RuntimeContext::getState & co. Every state is
// checked to be scoped by the current key, which is set from serialized bytes.
#include <gtest/gtest.h>

#include "testing/testing_runtime_context.h"

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <weir/core/data_io.h>
#include <weir/core/serializer.h>
#include <weir/runtime/runtime_context.h>
#include <weir/state/keyed_state_backend.h>

namespace weir {
namespace {

using FakeRuntimeContext = testing::TestingRuntimeContext;

class HeapStateTest : public ::testing::Test {
 protected:
  HeapStateTest()
      : ctx_(std::make_unique<HeapKeyedStateBackend>(KeyGroupRange{0, kDefaultMaxParallelism - 1},
                                                     kDefaultMaxParallelism)) {}
  size_t entries(const std::string& name) {
    InternalKvState* s = ctx_.backend().findState(name);
    EXPECT_NE(s, nullptr) << name;
    return s == nullptr ? 0 : s->numEntries();
  }
  FakeRuntimeContext ctx_;
};

TEST_F(HeapStateTest, ValueStateIsScopedByTheCurrentKey) {
  ValueState<int64_t>& count = ctx_.getState(ValueStateDescriptor<int64_t>("count"));
  ctx_.setKey<std::string>("alice");
  EXPECT_EQ(count.value(), std::nullopt);
  count.update(1);
  ctx_.setKey<std::string>("bob");
  EXPECT_EQ(count.value(), std::nullopt) << "bob must not see alice's value";
  count.update(20);
  count.update(21);  // overwrite, not a second entry
  ctx_.setKey<std::string>("alice");
  EXPECT_EQ(count.value(), 1);
  count.update(*count.value() + 1);
  EXPECT_EQ(count.value(), 2);
  ctx_.setKey<std::string>("bob");
  EXPECT_EQ(count.value(), 21);
  EXPECT_EQ(entries("count"), 2u);

  count.clear();  // only bob's
  EXPECT_EQ(count.value(), std::nullopt);
  EXPECT_EQ(entries("count"), 1u);
  ctx_.setKey<std::string>("alice");
  EXPECT_EQ(count.value(), 2);
  count.clear();
  count.clear();  // clearing an absent value is harmless
  EXPECT_EQ(entries("count"), 0u);
}

TEST_F(HeapStateTest, ValueStateDefaultIsReturnedButNotStored) {
  ValueState<std::string>& s = ctx_.getState(ValueStateDescriptor<std::string>("label", std::string("none")));
  ctx_.setKey<int64_t>(1);
  EXPECT_EQ(s.value(), "none");
  EXPECT_EQ(entries("label"), 0u);
  s.update("one");
  ctx_.setKey<int64_t>(2);
  EXPECT_EQ(s.value(), "none");
  ctx_.setKey<int64_t>(1);
  EXPECT_EQ(s.value(), "one");
  s.clear();
  EXPECT_EQ(s.value(), "none");
}

TEST_F(HeapStateTest, KeysAreComparedByTheirSerializedBytes) {
  // Different byte strings are different keys even when one is a prefix of another,
  // and int64 1 and int32 1 are different keys (different bytes).
  ValueState<int64_t>& s = ctx_.getState(ValueStateDescriptor<int64_t>("v"));
  ctx_.setKey<std::string>("ab");
  s.update(1);
  ctx_.setKey<std::string>("a");
  EXPECT_EQ(s.value(), std::nullopt);
  s.update(2);
  ctx_.setKey<std::string>("");
  EXPECT_EQ(s.value(), std::nullopt);
  s.update(3);
  ctx_.setKey<int64_t>(1);
  s.update(4);
  ctx_.setKey<int32_t>(1);
  EXPECT_EQ(s.value(), std::nullopt);
  ctx_.setKey<std::string>("ab");
  EXPECT_EQ(s.value(), 1);
  ctx_.setKey<std::string>("a");
  EXPECT_EQ(s.value(), 2);
  ctx_.setKey<std::string>("");
  EXPECT_EQ(s.value(), 3);
  EXPECT_EQ(entries("v"), 4u);
}

TEST_F(HeapStateTest, ManyKeysAcrossKeyGroupsKeepTheirOwnValues) {
  ValueState<int64_t>& s = ctx_.getState(ValueStateDescriptor<int64_t>("square"));
  for (int64_t k = 0; k < 2000; ++k) {
    ctx_.setKey(k);
    s.update(k * k);
  }
  EXPECT_EQ(entries("square"), 2000u);
  for (int64_t k = 1999; k >= 0; --k) {
    ctx_.setKey(k);
    ASSERT_EQ(s.value(), k * k) << "key " << k;
  }
}

TEST_F(HeapStateTest, ListState) {
  ListState<std::string>& l = ctx_.getListState(ListStateDescriptor<std::string>("events"));
  ctx_.setKey<int64_t>(1);
  EXPECT_TRUE(l.get().empty());
  l.add("a");
  l.add("b");
  l.addAll({"c", "d"});
  ctx_.setKey<int64_t>(2);
  EXPECT_TRUE(l.get().empty());
  l.addAll({});
  EXPECT_EQ(entries("events"), 1u) << "adding nothing must not create an entry";
  l.add("x");
  ctx_.setKey<int64_t>(1);
  EXPECT_EQ(l.get(), (std::vector<std::string>{"a", "b", "c", "d"}));
  l.update({"z"});
  EXPECT_EQ(l.get(), (std::vector<std::string>{"z"}));
  EXPECT_EQ(entries("events"), 2u);
  l.update({});  // an empty list is no list
  EXPECT_TRUE(l.get().empty());
  EXPECT_EQ(entries("events"), 1u);
  ctx_.setKey<int64_t>(2);
  EXPECT_EQ(l.get(), (std::vector<std::string>{"x"}));
  l.clear();
  EXPECT_TRUE(l.get().empty());
  EXPECT_EQ(entries("events"), 0u);
}

TEST_F(HeapStateTest, MapState) {
  MapState<std::string, int64_t>& m = ctx_.getMapState(MapStateDescriptor<std::string, int64_t>("counts"));
  ctx_.setKey<int64_t>(7);
  EXPECT_TRUE(m.isEmpty());
  EXPECT_EQ(m.get("x"), std::nullopt);
  m.put("b", 2);
  m.put("a", 1);
  m.put("c", 3);
  m.put("b", 20);
  EXPECT_FALSE(m.isEmpty());
  EXPECT_TRUE(m.contains("b"));
  EXPECT_FALSE(m.contains("d"));
  EXPECT_EQ(m.get("b"), 20);
  EXPECT_EQ(m.entries(), (std::vector<std::pair<std::string, int64_t>>{{"a", 1}, {"b", 20}, {"c", 3}}));

  ctx_.setKey<int64_t>(8);
  EXPECT_TRUE(m.isEmpty()) << "key 8 must not see key 7's map";
  EXPECT_FALSE(m.contains("a"));
  m.remove("a");  // absent: harmless
  m.put("a", 100);
  EXPECT_EQ(entries("counts"), 2u);

  ctx_.setKey<int64_t>(7);
  m.remove("a");
  m.remove("b");
  EXPECT_EQ(m.entries(), (std::vector<std::pair<std::string, int64_t>>{{"c", 3}}));
  m.remove("c");
  EXPECT_TRUE(m.isEmpty());
  EXPECT_EQ(entries("counts"), 1u) << "removing the last mapping removes the key's entry";
  ctx_.setKey<int64_t>(8);
  EXPECT_EQ(m.get("a"), 100);
  m.clear();
  EXPECT_TRUE(m.isEmpty());
  EXPECT_EQ(entries("counts"), 0u);
}

TEST_F(HeapStateTest, ReducingStateFoldsPerKey) {
  ReducingState<int64_t>& r = ctx_.getReducingState(ReducingStateDescriptor<int64_t>(
      "max", [](const int64_t& a, const int64_t& b) { return a > b ? a : b; }));
  ctx_.setKey<std::string>("k1");
  EXPECT_EQ(r.get(), std::nullopt);
  r.add(5);
  EXPECT_EQ(r.get(), 5) << "the first value is the result, not reduce(default, value)";
  r.add(3);
  r.add(9);
  r.add(-1);
  EXPECT_EQ(r.get(), 9);
  ctx_.setKey<std::string>("k2");
  EXPECT_EQ(r.get(), std::nullopt);
  r.add(-4);
  r.add(-7);
  EXPECT_EQ(r.get(), -4);
  ctx_.setKey<std::string>("k1");
  EXPECT_EQ(r.get(), 9);
  r.clear();
  EXPECT_EQ(r.get(), std::nullopt);
  r.add(1);
  EXPECT_EQ(r.get(), 1);
  EXPECT_EQ(entries("max"), 2u);
}

TEST_F(HeapStateTest, ReducingStateUsesTheFunctionNotASum) {
  // A non-commutative reduce: the order of add() calls must be kept.
  ReducingState<std::string>& r = ctx_.getReducingState(ReducingStateDescriptor<std::string>(
      "concat", [](const std::string& a, const std::string& b) { return a + "," + b; }));
  ctx_.setKey<int64_t>(1);
  for (const char* s : {"x", "y", "z"}) r.add(s);
  EXPECT_EQ(r.get(), "x,y,z");
}

// Average of int64 values: accumulator (sum, count), result a double.
class Average final : public AggregateFunction<int64_t, std::pair<int64_t, int64_t>, double> {
 public:
  std::pair<int64_t, int64_t> createAccumulator() const override { return {0, 0}; }
  void add(const int64_t& v, std::pair<int64_t, int64_t>& acc) const override {
    acc.first += v;
    ++acc.second;
  }
  double getResult(const std::pair<int64_t, int64_t>& acc) const override {
    return double(acc.first) / double(acc.second);
  }
  std::pair<int64_t, int64_t> merge(const std::pair<int64_t, int64_t>& a,
                                    const std::pair<int64_t, int64_t>& b) const override {
    return {a.first + b.first, a.second + b.second};
  }
};

TEST_F(HeapStateTest, AggregatingStatePerKey) {
  auto& avg =
      ctx_.getAggregatingState(AggregatingStateDescriptor<int64_t, std::pair<int64_t, int64_t>, double>(
          "avg", std::make_shared<const Average>()));
  ctx_.setKey<int64_t>(1);
  EXPECT_EQ(avg.get(), std::nullopt);
  avg.add(1);
  avg.add(2);
  avg.add(6);
  EXPECT_DOUBLE_EQ(*avg.get(), 3.0);
  ctx_.setKey<int64_t>(2);
  EXPECT_EQ(avg.get(), std::nullopt);
  avg.add(10);
  EXPECT_DOUBLE_EQ(*avg.get(), 10.0);
  ctx_.setKey<int64_t>(1);
  avg.add(3);
  EXPECT_DOUBLE_EQ(*avg.get(), 3.0);
  avg.add(8);
  EXPECT_DOUBLE_EQ(*avg.get(), 4.0);
  EXPECT_EQ(entries("avg"), 2u);
  avg.clear();
  EXPECT_EQ(avg.get(), std::nullopt);
  avg.add(5);  // starts from a fresh accumulator
  EXPECT_DOUBLE_EQ(*avg.get(), 5.0);
}

TEST_F(HeapStateTest, StatesWithDifferentNamesAreIndependent) {
  ValueState<int64_t>& a = ctx_.getState(ValueStateDescriptor<int64_t>("a"));
  ValueState<int64_t>& b = ctx_.getState(ValueStateDescriptor<int64_t>("b"));
  ctx_.setKey<int64_t>(1);
  a.update(1);
  EXPECT_EQ(b.value(), std::nullopt);
  b.update(2);
  EXPECT_EQ(a.value(), 1);
  EXPECT_EQ(ctx_.backend().states().size(), 2u);
}

TEST_F(HeapStateTest, SameNameAndTypeReturnsTheSameState) {
  ValueState<int64_t>& first = ctx_.getState(ValueStateDescriptor<int64_t>("v"));
  ValueState<int64_t>& second = ctx_.getState(ValueStateDescriptor<int64_t>("v"));
  EXPECT_EQ(&first, &second);
  ctx_.setKey<int64_t>(3);
  first.update(33);
  EXPECT_EQ(second.value(), 33);
}

TEST_F(HeapStateTest, SameNameWithAnotherKindOrTypeThrows) {
  ctx_.getState(ValueStateDescriptor<int64_t>("s"));
  try {
    ctx_.getState(ValueStateDescriptor<std::string>("s"));
    FAIL() << "expected std::invalid_argument for another value type";
  } catch (const std::invalid_argument& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("'s'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("value"), std::string::npos) << "names the existing kind: " << msg;
  }
  EXPECT_THROW(ctx_.getListState(ListStateDescriptor<int64_t>("s")), std::invalid_argument);
  EXPECT_THROW(ctx_.getMapState(MapStateDescriptor<int64_t, int64_t>("s")), std::invalid_argument);
  EXPECT_THROW(ctx_.getReducingState(ReducingStateDescriptor<int64_t>(
                   "s", [](const int64_t& a, const int64_t& b) { return a + b; })),
               std::invalid_argument);
  EXPECT_THROW(
      ctx_.getAggregatingState(AggregatingStateDescriptor<int64_t, std::pair<int64_t, int64_t>, double>(
          "s", std::make_shared<const Average>())),
      std::invalid_argument);
  // The original registration is untouched.
  EXPECT_EQ(ctx_.backend().findState("s")->kind(), StateKind::kValue);
  EXPECT_EQ(ctx_.backend().states().size(), 1u);
}

TEST_F(HeapStateTest, BackendTracksKeyGroupOfTheCurrentKey) {
  ctx_.setKey<int64_t>(42);
  // 72 = stableHash(serialized int64 42) % 128; see key_groups_test.cc.
  EXPECT_EQ(ctx_.backend().currentKeyGroup(), 72);
  EXPECT_EQ(ctx_.backend().currentKeyGroupIndex(), 72);
  DataOutput out;
  TypeSerializer<int64_t>::serialize(42, out);
  EXPECT_EQ(ctx_.backend().currentKey(), out.view());
}

TEST(HeapStatePartialRangeTest, BackendOwningPartOfTheKeyGroupsStoresItsKeys) {
  // Subtask 1 of 3 at max parallelism 128 owns key groups [43, 85].
  KeyGroupRange range = keyGroupRangeForOperatorIndex(128, 3, 1);
  FakeRuntimeContext ctx(std::make_unique<HeapKeyedStateBackend>(range, 128));
  ValueState<int64_t>& s = ctx.getState(ValueStateDescriptor<int64_t>("v"));
  std::vector<int64_t> owned;
  for (int64_t k = 0; owned.size() < 200; ++k) {
    DataOutput out;
    TypeSerializer<int64_t>::serialize(k, out);
    if (range.contains(keyGroupForHash(stableHash(out.data(), out.size()), 128))) owned.push_back(k);
  }
  for (int64_t k : owned) {
    ctx.setKey(k);
    EXPECT_GE(ctx.backend().currentKeyGroupIndex(), 0);
    EXPECT_LT(ctx.backend().currentKeyGroupIndex(), range.size());
    s.update(-k);
  }
  EXPECT_EQ(ctx.backend().findState("v")->numEntries(), owned.size());
  for (int64_t k : owned) {
    ctx.setKey(k);
    ASSERT_EQ(s.value(), -k);
  }
}

TEST(HeapStateNotKeyedTest, KeyedStateWithoutKeyedBackendThrowsLogicError) {
  FakeRuntimeContext ctx(nullptr);
  try {
    ctx.getState(ValueStateDescriptor<int64_t>("counter"));
    FAIL() << "expected std::logic_error";
  } catch (const std::logic_error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("counter"), std::string::npos) << msg;
    EXPECT_NE(msg.find("Test Operator"), std::string::npos) << msg;
    EXPECT_NE(msg.find("keyBy"), std::string::npos) << msg;
  }
}

TEST(OperatorStateStoreTest, ListStatePerNameAndTypeChecked) {
  OperatorStateStore store;
  ListState<int64_t>& offsets = store.getListState(ListStateDescriptor<int64_t>("offsets"));
  offsets.add(1);
  offsets.addAll({2, 3});
  EXPECT_EQ(&store.getListState(ListStateDescriptor<int64_t>("offsets")), &offsets);
  EXPECT_EQ(offsets.get(), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_THROW(store.getListState(ListStateDescriptor<std::string>("offsets")), std::invalid_argument);
  offsets.update({9});
  EXPECT_EQ(offsets.get(), (std::vector<int64_t>{9}));
  offsets.clear();
  EXPECT_TRUE(offsets.get().empty());
}

}  // namespace
}  // namespace weir
