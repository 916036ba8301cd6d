// The Nexmark data model (an online auction): people register, put items up for
// auction and bid on them. The three record types and their fields are those of
// the Nexmark benchmark as Flink runs it (github.com/nexmark/nexmark), so that the
// queries read like the published ones.
//
// Event carries exactly one of Person, Auction or Bid, said by `type`; the other
// two members are left as they are (the generator reuses them as scratch space,
// so their contents are unspecified). On the wire an Event is its type tag and
// the one record it carries.
//
// Times are milliseconds since the epoch (event time); prices are in cents.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

#include <weir/core/serializer.h>

namespace weir::nexmark {

struct Person {
  int64_t id = 0;
  std::string name;
  std::string emailAddress;
  std::string creditCard;
  std::string city;
  std::string state;
  int64_t dateTime = 0;
  std::string extra;  // padding to the configured average size
  bool operator==(const Person&) const = default;
};
WEIR_STRUCT(Person, id, name, emailAddress, creditCard, city, state, dateTime, extra);

struct Auction {
  int64_t id = 0;
  std::string itemName;
  std::string description;
  int64_t initialBid = 0;
  int64_t reserve = 0;
  int64_t dateTime = 0;
  int64_t expires = 0;
  int64_t seller = 0;  // Person.id
  int64_t category = 0;
  std::string extra;
  bool operator==(const Auction&) const = default;
};
WEIR_STRUCT(Auction, id, itemName, description, initialBid, reserve, dateTime, expires, seller, category,
            extra);

struct Bid {
  int64_t auction = 0;  // Auction.id
  int64_t bidder = 0;   // Person.id
  int64_t price = 0;
  std::string channel;
  std::string url;
  int64_t dateTime = 0;
  std::string extra;
  bool operator==(const Bid&) const = default;
};
WEIR_STRUCT(Bid, auction, bidder, price, channel, url, dateTime, extra);

// The values are Nexmark's (Event.Type: PERSON 0, AUCTION 1, BID 2).
enum class EventType : uint8_t { kPerson = 0, kAuction = 1, kBid = 2 };

const char* eventTypeName(EventType type);

struct Event {
  EventType type = EventType::kBid;
  Person person;    // valid when type == kPerson
  Auction auction;  // valid when type == kAuction
  Bid bid;          // valid when type == kBid

  // The event time of the record it carries.
  int64_t dateTime() const {
    switch (type) {
      case EventType::kPerson:
        return person.dateTime;
      case EventType::kAuction:
        return auction.dateTime;
      case EventType::kBid:
        break;
    }
    return bid.dateTime;
  }
  // Equal type and equal carried record; the other members are not compared.
  bool operator==(const Event& other) const {
    if (type != other.type) return false;
    switch (type) {
      case EventType::kPerson:
        return person == other.person;
      case EventType::kAuction:
        return auction == other.auction;
      case EventType::kBid:
        break;
    }
    return bid == other.bid;
  }
};

}  // namespace weir::nexmark

// The tag byte, then only the record the event carries.
template <>
struct weir::TypeSerializer<weir::nexmark::Event> {
  static void serialize(const nexmark::Event& v, DataOutput& out) {
    out.writeU8(uint8_t(v.type));
    switch (v.type) {
      case nexmark::EventType::kPerson:
        TypeSerializer<nexmark::Person>::serialize(v.person, out);
        return;
      case nexmark::EventType::kAuction:
        TypeSerializer<nexmark::Auction>::serialize(v.auction, out);
        return;
      case nexmark::EventType::kBid:
        TypeSerializer<nexmark::Bid>::serialize(v.bid, out);
        return;
    }
  }
  static void deserialize(nexmark::Event& v, DataInput& in) {
    const uint8_t tag = in.readU8();
    switch (tag) {
      case uint8_t(nexmark::EventType::kPerson):
        v.type = nexmark::EventType::kPerson;
        TypeSerializer<nexmark::Person>::deserialize(v.person, in);
        return;
      case uint8_t(nexmark::EventType::kAuction):
        v.type = nexmark::EventType::kAuction;
        TypeSerializer<nexmark::Auction>::deserialize(v.auction, in);
        return;
      case uint8_t(nexmark::EventType::kBid):
        v.type = nexmark::EventType::kBid;
        TypeSerializer<nexmark::Bid>::deserialize(v.bid, in);
        return;
      default:
        throw SerializationError("nexmark event: unknown type tag " + std::to_string(tag));
    }
  }
  static std::string name() {
    return "nexmark.Event<" + detail::joinNames<nexmark::Person, nexmark::Auction, nexmark::Bid>() + ">";
  }
  static constexpr uint32_t kVersion = 1;
  static constexpr size_t kMinWireSize =
      1 + std::min({detail::minWireSize<nexmark::Person>(), detail::minWireSize<nexmark::Auction>(),
                    detail::minWireSize<nexmark::Bid>()});
};
