#include <weir/connectors/nexmark/generator.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string_view>

namespace weir::nexmark {

namespace {

constexpr int kMinStringLength = 3;

constexpr std::array<std::string_view, 6> kUsStates = {"AZ", "CA", "ID", "OR", "WA", "WY"};
constexpr std::array<std::string_view, 10> kUsCities = {"Phoenix",  "Los Angeles", "San Francisco", "Boise",
                                                        "Portland", "Bend",        "Redmond",       "Seattle",
                                                        "Kent",     "Cheyenne"};
constexpr std::array<std::string_view, 11> kFirstNames = {
    "Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah", "Deiter", "Walter"};
constexpr std::array<std::string_view, 9> kLastNames = {"Shultz", "Abrams", "Spencer", "White", "Bartels",
                                                        "Walton", "Smith",  "Jones",   "Noris"};
constexpr std::array<std::string_view, 4> kHotChannels = {"Google", "Facebook", "Baidu", "Apple"};

// Salts that keep the URL tables' random streams apart from the events' (whose seeds are event numbers).
constexpr uint64_t kHotUrlSalt = 0x4E58484F5455524Cull;
constexpr uint64_t kChannelUrlSalt = 0x4E584348414E4E4Cull;

template <size_t N>
std::string_view pick(JavaRandom& random, const std::array<std::string_view, N>& values) {
  return values[size_t(random.nextInt(int32_t(N)))];
}

// Nexmark's LongGenerator.nextLong: uniform in [0, n). REQUIRES: n > 0.
int64_t nextLong(JavaRandom& random, int64_t n) {
  if (n < INT32_MAX) return random.nextInt(int32_t(n));
  const int64_t r = random.nextLong() % n;
  return r < 0 ? -r : r;
}

// PriceGenerator.nextPrice: log-uniform between 1 and 1,000,000 dollars, in cents.
int64_t nextPrice(JavaRandom& random) {
  return int64_t(std::floor(std::pow(10.0, random.nextDouble() * 6.0) * 100.0 + 0.5));
}

// Java's String.trim: drops characters <= ' ' at both ends.
void trim(std::string& s) {
  size_t end = s.size();
  while (end > 0 && static_cast<unsigned char>(s[end - 1]) <= ' ') --end;
  size_t begin = 0;
  while (begin < end && static_cast<unsigned char>(s[begin]) <= ' ') ++begin;
  s.erase(end);
  s.erase(0, begin);
}

// StringsGenerator.nextString: 3 to maxLength-1 characters, lowercase letters and `special`
// (one in 13), trimmed.
void nextString(JavaRandom& random, int32_t maxLength, char special, std::string& out) {
  int32_t len = kMinStringLength + random.nextInt(maxLength - kMinStringLength);
  out.clear();
  while (len-- > 0) {
    if (random.nextInt(13) == 0) {
      out += special;
    } else {
      out += char('a' + random.nextInt(26));
    }
  }
  trim(out);
}

// StringsGenerator.nextExactString: `length` characters, six per random int: 'a' + rnd % 26, then
// rnd /= 26, with Java's (and C++'s) truncating % and /, so a negative int gives characters below
// 'a' as in Nexmark. Truncation is symmetric, so character k is 'a' + sign(rnd) * ((|rnd| / 26^k)
// % 26): for a whole group of six the characters are computed independently, with constant
// divisors, instead of in a chain of six dependent divisions (this loop is most of the
// generator's time).
void appendExactString(JavaRandom& random, int32_t length, std::string& out) {
  const size_t base = out.size();
  out.resize(base + size_t(std::max(length, 0)));  // one size check, not one per character
  char* p = out.data() + base;
  for (; length >= 6; length -= 6, p += 6) {
    const int32_t rnd = random.nextInt();
    const uint32_t m = rnd < 0 ? 0u - uint32_t(rnd) : uint32_t(rnd);
    const int sign = rnd < 0 ? -1 : 1;
    p[0] = char('a' + sign * int(m % 26));
    p[1] = char('a' + sign * int(m / 26 % 26));
    p[2] = char('a' + sign * int(m / 676 % 26));
    p[3] = char('a' + sign * int(m / 17'576 % 26));
    p[4] = char('a' + sign * int(m / 456'976 % 26));
    p[5] = char('a' + sign * int(m / 11'881'376 % 26));
  }
  if (length > 0) {
    int32_t rnd = random.nextInt();
    for (; length > 0; --length, rnd /= 26) *p++ = char('a' + rnd % 26);
  }
}

// StringsGenerator.nextExtra: padding so that currentSize + its length averages desiredAverageSize.
void nextExtra(JavaRandom& random, int32_t currentSize, int32_t desiredAverageSize, std::string& out) {
  out.clear();
  if (currentSize > desiredAverageSize) return;
  desiredAverageSize -= currentSize;
  const int32_t delta = int32_t(std::floor(double(desiredAverageSize) * 0.2 + 0.5));
  const int32_t minSize = desiredAverageSize - delta;
  const int32_t desiredSize = minSize + (delta == 0 ? 0 : random.nextInt(2 * delta));
  appendExactString(random, desiredSize, out);
}

std::string baseUrl(JavaRandom& random) {
  std::string url = "https://www.nexmark.com/";
  std::string part;
  for (int i = 0; i < 3; ++i) {
    nextString(random, 5, '_', part);
    url += part;
    url += '/';
  }
  return url + "item.htm?query=1";
}

// Java's Math.abs(Integer.reverse(n)), overflow included.
int32_t absReversed(int32_t n) {
  uint32_t v = uint32_t(n), r = 0;
  for (int i = 0; i < 32; ++i) {
    r = (r << 1) | (v & 1);
    v >>= 1;
  }
  const int32_t reversed = int32_t(r);
  return reversed == INT32_MIN ? reversed : (reversed < 0 ? -reversed : reversed);
}

}  // namespace

std::string GeneratorConfig::validate() const {
  if (eventsPerSecond <= 0)
    return "the event rate (events per second of event time) must be positive, got " +
           std::to_string(eventsPerSecond);
  if (baseTime < 0) return "the base time must not be negative, got " + std::to_string(baseTime);
  if (numActivePeople <= 0) return "numActivePeople must be positive";
  if (numInFlightAuctions <= 0) return "numInFlightAuctions must be positive";
  if (hotAuctionRatio <= 0 || hotSellersRatio <= 0 || hotBiddersRatio <= 0)
    return "the hot auction, seller and bidder ratios must be positive";
  if (avgPersonByteSize < 0 || avgAuctionByteSize < 0 || avgBidByteSize < 0)
    return "the average record sizes must not be negative";
  return "";
}

NexmarkGenerator::NexmarkGenerator(GeneratorConfig config)
    : config_(config), seedMix_(config.seed * 0x9E3779B97F4A7C15ull) {
  if (std::string problem = config_.validate(); !problem.empty())
    throw std::invalid_argument("nexmark generator: " + problem);
  for (size_t i = 0; i < hotUrls_.size(); ++i) {
    JavaRandom random(int64_t(seedMix_ ^ (kHotUrlSalt + i)));
    hotUrls_[i] = baseUrl(random);
  }
  channelNames_.reserve(kChannelsNumber);
  channelUrls_.reserve(kChannelsNumber);
  for (int32_t n = 0; n < kChannelsNumber; ++n) {
    channelNames_.push_back("channel-" + std::to_string(n));
    JavaRandom random(int64_t(seedMix_ ^ (kChannelUrlSalt + uint64_t(n))));
    std::string url = baseUrl(random);
    if (random.nextInt(10) > 0) url += "&channel_id=" + std::to_string(absReversed(n));
    channelUrls_.push_back(std::move(url));
  }
}

int64_t NexmarkGenerator::lastBase0PersonId(int64_t eventNumber) {
  const int64_t epoch = eventNumber / kProportionDenominator;
  int64_t offset = eventNumber % kProportionDenominator;
  if (offset >= kPersonProportion)
    offset = kPersonProportion - 1;  // an auction or a bid: the epoch's last person
  return epoch * kPersonProportion + offset;
}

int64_t NexmarkGenerator::lastBase0AuctionId(int64_t eventNumber) {
  int64_t epoch = eventNumber / kProportionDenominator;
  int64_t offset = eventNumber % kProportionDenominator;
  if (offset < kPersonProportion) {
    // A person: the last auction of the previous epoch.
    --epoch;
    offset = kAuctionProportion - 1;
  } else if (offset >= kPersonProportion + kAuctionProportion) {
    // A bid: the last auction of this epoch.
    offset = kAuctionProportion - 1;
  } else {
    offset -= kPersonProportion;
  }
  return epoch * kAuctionProportion + offset;
}

NexmarkGenerator::Counts NexmarkGenerator::countsOf(int64_t count) {
  Counts c;
  if (count <= 0) return c;
  const int64_t epochs = count / kProportionDenominator;
  const int64_t rest = count % kProportionDenominator;
  c.persons = epochs * kPersonProportion + std::min(rest, kPersonProportion);
  c.auctions =
      epochs * kAuctionProportion + std::clamp<int64_t>(rest - kPersonProportion, 0, kAuctionProportion);
  c.bids = count - c.persons - c.auctions;
  return c;
}

int64_t NexmarkGenerator::nextBase0PersonId(int64_t eventNumber, JavaRandom& random) const {
  // One of the 'active' people (so the density of references per person does not fall
  // over time), or up to kPersonIdLead people ahead.
  const int64_t numPeople = lastBase0PersonId(eventNumber) + 1;
  const int64_t activePeople = std::min<int64_t>(numPeople, config_.numActivePeople);
  const int64_t n = nextLong(random, activePeople + kPersonIdLead);
  return numPeople - activePeople + n;
}

int64_t NexmarkGenerator::nextBase0AuctionId(int64_t eventNumber, JavaRandom& random) const {
  // One of the auctions likely still in flight, or up to kAuctionIdLead ahead.
  const int64_t maxAuction = lastBase0AuctionId(eventNumber);
  const int64_t minAuction = std::max<int64_t>(maxAuction - config_.numInFlightAuctions, 0);
  return minAuction + nextLong(random, maxAuction - minAuction + 1 + kAuctionIdLead);
}

void NexmarkGenerator::generate(int64_t eventNumber, Event& out) const {
  JavaRandom random(randomSeedOf(eventNumber));
  const int64_t timestamp = timestampOf(eventNumber);
  out.type = typeOf(eventNumber);
  switch (out.type) {
    case EventType::kPerson:
      nextPerson(eventNumber, random, timestamp, out.person);
      return;
    case EventType::kAuction:
      nextAuction(eventNumber, random, timestamp, out.auction);
      return;
    case EventType::kBid:
      nextBid(eventNumber, random, timestamp, out.bid);
      return;
  }
}

void NexmarkGenerator::nextPerson(int64_t eventNumber, JavaRandom& random, int64_t timestamp,
                                  Person& p) const {
  p.id = lastBase0PersonId(eventNumber) + kFirstPersonId;
  p.name.assign(pick(random, kFirstNames));
  p.name += ' ';
  p.name += pick(random, kLastNames);
  std::string part;
  nextString(random, 7, ' ', p.emailAddress);
  nextString(random, 5, ' ', part);
  p.emailAddress += '@';
  p.emailAddress += part;
  p.emailAddress += ".com";
  p.creditCard.clear();
  for (int i = 0; i < 4; ++i) {
    if (i > 0) p.creditCard += ' ';
    char digits[8];
    std::snprintf(digits, sizeof digits, "%04d", random.nextInt(10000));
    p.creditCard += digits;
  }
  p.city.assign(pick(random, kUsCities));
  p.state.assign(pick(random, kUsStates));
  p.dateTime = timestamp;
  const int32_t currentSize = int32_t(8 + p.name.size() + p.emailAddress.size() + p.creditCard.size() +
                                      p.city.size() + p.state.size());
  nextExtra(random, currentSize, config_.avgPersonByteSize, p.extra);
}

void NexmarkGenerator::nextAuction(int64_t eventNumber, JavaRandom& random, int64_t timestamp,
                                   Auction& a) const {
  a.id = lastBase0AuctionId(eventNumber) + kFirstAuctionId;
  int64_t seller;
  if (random.nextInt(config_.hotSellersRatio) > 0) {
    // The first person of the last batch of kHotSellerRatio people.
    seller = (lastBase0PersonId(eventNumber) / kHotSellerRatio) * kHotSellerRatio;
  } else {
    seller = nextBase0PersonId(eventNumber, random);
  }
  a.seller = seller + kFirstPersonId;
  a.category = kFirstCategoryId + random.nextInt(int32_t(kNumCategories));
  a.initialBid = nextPrice(random);
  // A length averaging the time until numInFlightAuctions more auctions have been generated.
  const int64_t numEventsForAuctions =
      (int64_t(config_.numInFlightAuctions) * kProportionDenominator) / kAuctionProportion;
  const int64_t horizonMs = timestampOf(eventNumber + numEventsForAuctions) - timestamp;
  a.expires = timestamp + 1 + nextLong(random, std::max<int64_t>(horizonMs * 2, 1));
  nextString(random, 20, ' ', a.itemName);
  nextString(random, 100, ' ', a.description);
  a.reserve = a.initialBid + nextPrice(random);
  a.dateTime = timestamp;
  const int32_t currentSize = int32_t(8 + a.itemName.size() + a.description.size() + 8 + 8 + 8 + 8 + 8);
  nextExtra(random, currentSize, config_.avgAuctionByteSize, a.extra);
}

void NexmarkGenerator::nextBid(int64_t eventNumber, JavaRandom& random, int64_t timestamp, Bid& b) const {
  int64_t auction;
  if (random.nextInt(config_.hotAuctionRatio) > 0) {
    // The first auction of the last batch of kHotAuctionRatio auctions.
    auction = (lastBase0AuctionId(eventNumber) / kHotAuctionRatio) * kHotAuctionRatio;
  } else {
    auction = nextBase0AuctionId(eventNumber, random);
  }
  b.auction = auction + kFirstAuctionId;
  int64_t bidder;
  if (random.nextInt(config_.hotBiddersRatio) > 0) {
    // The second person of the last batch of kHotBidderRatio people (hot bidders and hot
    // sellers do not collide).
    bidder = (lastBase0PersonId(eventNumber) / kHotBidderRatio) * kHotBidderRatio + 1;
  } else {
    bidder = nextBase0PersonId(eventNumber, random);
  }
  b.bidder = bidder + kFirstPersonId;
  b.price = nextPrice(random);
  if (random.nextInt(kHotChannelsRatio) > 0) {
    const size_t i = size_t(random.nextInt(int32_t(kHotChannels.size())));
    b.channel.assign(kHotChannels[i]);
    b.url.assign(hotUrls_[i]);
  } else {
    const size_t n = size_t(random.nextInt(kChannelsNumber));
    b.channel.assign(channelNames_[n]);
    b.url.assign(channelUrls_[n]);
  }
  b.dateTime = timestamp;
  nextExtra(random, 8 + 8 + 8 + 8, config_.avgBidByteSize, b.extra);
}

const char* eventTypeName(EventType type) {
  switch (type) {
    case EventType::kPerson:
      return "person";
    case EventType::kAuction:
      return "auction";
    case EventType::kBid:
      break;
  }
  return "bid";
}

}  // namespace weir::nexmark
