// NexmarkGenerator: the deterministic Nexmark event generator (the model of
// github.com/nexmark/nexmark's GeneratorConfig, NexmarkGenerator and the
// Person/Auction/Bid/Price/Strings generators, seeded per event as Apache
// Beam's Nexmark does).
//
// The stream is a sequence of events numbered 0, 1, 2, ...; event n is a pure
// function of (config, n): its kind comes from n % 50 (1 person, then 3
// auctions, then 46 bids: Nexmark's 1:3:46 proportions), its fields from a
// java.util.Random seeded with n (mixed with the configured seed), and its time
// from n and the event-time rate: baseTime + floor(n * 1000 / eventsPerSecond).
// Nothing depends on the wall clock, on which events were generated before, or
// on how the numbers are split among readers, so every parallelism sees the
// same events.
//
// Ids: event n that is a person has id 1000 + (number of persons before it),
// likewise auctions; the first person and the first auction are id 1000.
// References follow Nexmark: an auction's seller and a bid's bidder are a "hot"
// person (the first or second of the last batch of 100 people) with probability
// 1 - 1/hotSellersRatio (resp. hotBiddersRatio), otherwise one of the last
// numActivePeople people; a bid's auction is a hot one (the first of the last
// batch of 100 auctions) with probability 1 - 1/hotAuctionRatio, otherwise one
// of the last numInFlightAuctions auctions. As in Nexmark, a random reference
// may run up to 10 ids ahead of the last person or auction generated (the
// 'lead': the referenced record comes a little later, as if reordered), and a
// hot bidder may be the person right after the last one.
//
// Deviations from nexmark-flink, all for determinism or correctness: base time
// fixed (Beam's 2015-07-15T00:00:00Z) instead of the start time; events seeded
// per event id (Beam) instead of one unseeded Random; the hot and per-channel
// URLs derived from the seed instead of an unseeded Random; the bidder id gets
// FIRST_PERSON_ID added once (nexmark-flink adds it twice); no out-of-order
// groups (outOfOrderGroupSize = 1, Nexmark's default).
//
// Threading: a generator is immutable after construction; generate() is const
// and may be called from any number of threads.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <weir/connectors/nexmark/model.h>

namespace weir::nexmark {

// java.util.Random: the 48-bit linear congruential generator Nexmark draws every field from.
class JavaRandom {
 public:
  explicit JavaRandom(int64_t seed) { setSeed(seed); }
  void setSeed(int64_t seed) { seed_ = (uint64_t(seed) ^ kMultiplier) & kMask; }
  int32_t nextInt() { return next(32); }
  // Uniform in [0, bound). REQUIRES: bound > 0.
  int32_t nextInt(int32_t bound) {
    int32_t r = next(31);
    const int32_t m = bound - 1;
    if ((bound & m) == 0) return int32_t((int64_t(bound) * int64_t(r)) >> 31);
    // Java rejects the top partial range with an int overflow test: u - r + m < 0.
    for (int32_t u = r; int64_t(u) - (r = u % bound) + m > INT32_MAX; u = next(31)) {
    }
    return r;
  }
  int64_t nextLong() { return int64_t((uint64_t(int64_t(next(32))) << 32) + uint64_t(int64_t(next(32)))); }
  double nextDouble() { return double((int64_t(next(26)) << 27) + next(27)) * 0x1.0p-53; }

 private:
  static constexpr uint64_t kMultiplier = 0x5DEECE66Dull;
  static constexpr uint64_t kMask = (uint64_t(1) << 48) - 1;
  int32_t next(int bits) {
    seed_ = (seed_ * kMultiplier + 0xBull) & kMask;
    return int32_t(uint32_t(seed_ >> (48 - bits)));
  }
  uint64_t seed_;
};

struct GeneratorConfig {
  // Event time advances by 1000 / eventsPerSecond ms per event (Nexmark's firstEventRate;
  // nexmark-flink's default TPS is 10 M).
  int64_t eventsPerSecond = 10'000'000;
  // Event time of event 0, ms since the epoch (Beam's Nexmark BASE_TIME, 2015-07-15T00:00:00Z).
  int64_t baseTime = 1'436'918'400'000;
  // Mixed into every event's random seed; seed 0 seeds event n with n, as Beam does.
  uint64_t seed = 0;
  // Nexmark's defaults.
  int32_t numActivePeople = 1000;
  int32_t numInFlightAuctions = 100;
  int32_t hotAuctionRatio = 2;
  int32_t hotSellersRatio = 4;
  int32_t hotBiddersRatio = 4;
  int32_t avgPersonByteSize = 200;
  int32_t avgAuctionByteSize = 500;
  int32_t avgBidByteSize = 100;

  // Empty if valid, otherwise what is wrong (naming the parameter).
  std::string validate() const;
};

// Nexmark's fixed constants.
inline constexpr int64_t kFirstPersonId = 1000;
inline constexpr int64_t kFirstAuctionId = 1000;
inline constexpr int64_t kFirstCategoryId = 10;
inline constexpr int64_t kNumCategories = 5;
inline constexpr int64_t kPersonProportion = 1;
inline constexpr int64_t kAuctionProportion = 3;
inline constexpr int64_t kBidProportion = 46;
inline constexpr int64_t kProportionDenominator = kPersonProportion + kAuctionProportion + kBidProportion;
inline constexpr int64_t kPersonIdLead = 10;
inline constexpr int64_t kAuctionIdLead = 10;
inline constexpr int64_t kHotSellerRatio = 100;
inline constexpr int64_t kHotBidderRatio = 100;
inline constexpr int64_t kHotAuctionRatio = 100;
inline constexpr int32_t kHotChannelsRatio = 2;
inline constexpr int32_t kChannelsNumber = 10'000;

class NexmarkGenerator {
 public:
  // Throws std::invalid_argument if config.validate() says it is invalid.
  explicit NexmarkGenerator(GeneratorConfig config);

  const GeneratorConfig& config() const { return config_; }

  static EventType typeOf(int64_t eventNumber) {
    const int64_t rem = eventNumber % kProportionDenominator;
    if (rem < kPersonProportion) return EventType::kPerson;
    if (rem < kPersonProportion + kAuctionProportion) return EventType::kAuction;
    return EventType::kBid;
  }
  // The event time of event `eventNumber`: baseTime + floor(eventNumber * 1000 / eventsPerSecond).
  int64_t timestampOf(int64_t eventNumber) const {
    return config_.baseTime + int64_t(__int128(eventNumber) * 1000 / config_.eventsPerSecond);
  }
  // Writes event `eventNumber` into `out`, reusing the memory of its strings.
  // REQUIRES: eventNumber >= 0.
  void generate(int64_t eventNumber, Event& out) const;
  Event generate(int64_t eventNumber) const {
    Event e;
    generate(eventNumber, e);
    return e;
  }

  // Base-0 id of the last person (auction) generated at or before event `eventNumber`
  // (Nexmark's lastBase0PersonId / lastBase0AuctionId); -1 if there is none yet.
  static int64_t lastBase0PersonId(int64_t eventNumber);
  static int64_t lastBase0AuctionId(int64_t eventNumber);
  // Number of persons, auctions and bids among events 0..count-1.
  struct Counts {
    int64_t persons = 0;
    int64_t auctions = 0;
    int64_t bids = 0;
  };
  static Counts countsOf(int64_t count);

 private:
  void nextPerson(int64_t eventNumber, JavaRandom& random, int64_t timestamp, Person& p) const;
  void nextAuction(int64_t eventNumber, JavaRandom& random, int64_t timestamp, Auction& a) const;
  void nextBid(int64_t eventNumber, JavaRandom& random, int64_t timestamp, Bid& b) const;
  int64_t nextBase0PersonId(int64_t eventNumber, JavaRandom& random) const;
  int64_t nextBase0AuctionId(int64_t eventNumber, JavaRandom& random) const;
  int64_t randomSeedOf(int64_t eventNumber) const { return int64_t(uint64_t(eventNumber) ^ seedMix_); }

  GeneratorConfig config_;
  uint64_t seedMix_;
  std::array<std::string, 4> hotUrls_;
  std::vector<std::string> channelNames_;  // "channel-<n>"
  std::vector<std::string> channelUrls_;
};

}  // namespace weir::nexmark
