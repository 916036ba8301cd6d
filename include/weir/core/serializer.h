// TypeSerializer<T>: how a value of type T becomes bytes and back, plus a
// stable name that identifies the wire format (checked when state written by
// one job version is restored by another).
//
// Provided: bool, every integral type, float, double, enums, std::string,
// std::vector, std::optional, std::pair, std::tuple, std::map,
// std::unordered_map, std::array, and structs declared with WEIR_STRUCT. Add a
// type either with the macro (plain structs with public fields):
//
//   namespace shop {
//   struct Bid { int64_t auction; int64_t price; };
//   WEIR_STRUCT(Bid, auction, price);   // same namespace as Bid, right after it
//   }
//
// or with a specialization providing the members below:
//
//   template <> struct weir::TypeSerializer<my::Money> {
//     static void serialize(const my::Money& v, DataOutput& out);
//     static void deserialize(my::Money& v, DataInput& in);  // into an existing object
//     static std::string name();                            // stable: part of the format
//     static constexpr uint32_t kVersion = 1;                // bump when the layout changes
//     static constexpr size_t kMinWireSize = 8;              // optional, see below
//   };
//
// Contract of a specialization:
// - deserialize(v, in) overwrites `v`, reusing its memory (string capacity,
//   vector elements, optional payloads, map nodes) so a hot loop can decode
//   into one object repeatedly. On SerializationError `v` is valid but holds
//   unspecified contents. Types must be default-constructible.
// - name() is part of the persisted format: same name + same kVersion means
//   byte-compatible. Composite names embed element names ("vector<i64>",
//   "struct Bid{auction:i64,price:i64}"); an element whose kVersion is not 1
//   appears as "name@vN", so bumping a nested serializer's version changes the
//   composite's identity too.
// - kMinWireSize (optional, default 1) is a lower bound on the bytes one value
//   takes. Containers use it to reject corrupt lengths before allocating; a
//   serializer that may write 0 bytes MUST declare 0.
// - Fixed-width numbers are little endian; lengths are LEB128 varints.
//   unordered_map is written in iteration order, so equal maps can produce
//   different bytes: never hash or compare serialized bytes of one.
//
// Why the primary template has no static_assert: Serializable<T> must be
// answerable (true/false) for any T, and a static_assert in the primary
// template would fire as a hard error inside the concept check. So the primary
// template is an empty marker, container specializations are constrained on
// Serializable elements, and user-facing entry points call
// requireSerializable<T>(), which carries the readable message.
//
// Thread-safety: serializers are stateless; every function may be called from
// any thread (on distinct DataOutput/DataInput objects).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <weir/core/data_io.h>

namespace weir {

// Primary template: "no serializer for T". Deliberately empty (see header
// comment); specialize it or use WEIR_STRUCT.
template <class T, class Enable = void>
struct TypeSerializer {
  using IsUnspecialized = void;
};

template <class T>
concept Serializable = requires(const T& c, T& m, DataOutput& o, DataInput& i) {
  TypeSerializer<T>::serialize(c, o);
  TypeSerializer<T>::deserialize(m, i);
  TypeSerializer<T>::name();
};

// Call at the top of any API that takes a user type, so a missing serializer
// fails with this message instead of a page of template errors.
template <class T>
constexpr void requireSerializable() {
  static_assert(
      Serializable<T>,
      "weir: no TypeSerializer for this type; declare it with WEIR_STRUCT(Type, field1, field2, ...) "
      "or specialize weir::TypeSerializer<T>");
}

namespace detail {

// WEIR_STRUCT's functions take this tag so ADL finds them for exactly T (a
// pointer or reference parameter would also match classes derived from T).
template <class T>
struct StructTag {};

template <class T>
concept WeirStruct = requires(StructTag<T> tag, const T& c, T& m, DataOutput& o, DataInput& i) {
  weirStructSerialize(tag, c, o);
  weirStructDeserialize(tag, m, i);
  weirStructName(tag);
  weirStructMinWireSize(tag);
};

template <class T>
constexpr uint32_t versionOf() {
  if constexpr (requires { TypeSerializer<T>::kVersion; }) {
    return TypeSerializer<T>::kVersion;
  } else {
    return 1;
  }
}

template <class T>
constexpr size_t minWireSize() {
  if constexpr (WeirStruct<T>) {
    return weirStructMinWireSize(StructTag<T>{});
  } else if constexpr (requires { TypeSerializer<T>::kMinWireSize; }) {
    return TypeSerializer<T>::kMinWireSize;
  } else {
    return 1;
  }
}

// The name of T as an element of a composite: name(), plus "@vN" if kVersion != 1.
template <class T>
std::string nestedName() {
  std::string n = TypeSerializer<T>::name();
  if constexpr (versionOf<T>() != 1) n += "@v" + std::to_string(versionOf<T>());
  return n;
}

template <class... Ts>
std::string joinNames() {
  std::string s;
  ((s += nestedName<Ts>(), s += ','), ...);
  if (!s.empty()) s.pop_back();
  return s;
}

template <class T>
concept BulkCopyable = std::is_arithmetic_v<T> && !std::is_same_v<T, bool>;

template <class T>
concept Integer = std::is_integral_v<T> && !std::is_same_v<T, bool> && std::is_same_v<T, std::remove_cv_t<T>>;

template <class T>
concept Enum = std::is_enum_v<T> && std::is_same_v<T, std::remove_cv_t<T>>;

}  // namespace detail

// ---------------------------------------------------------------- scalars

template <>
struct TypeSerializer<bool> {
  static void serialize(bool v, DataOutput& out) { out.writeBool(v); }
  static void deserialize(bool& v, DataInput& in) { v = in.readBool(); }
  static std::string name() { return "bool"; }
  static constexpr uint32_t kVersion = 1;
  static constexpr size_t kMinWireSize = 1;
};

// Named by size and signedness, not by C++ spelling, so `long` and `long long`
// (both 64-bit here) share "i64". `char` is always "i8" whatever its
// platform signedness: the byte on the wire is the same.
template <detail::Integer T>
struct TypeSerializer<T, void> {
  static void serialize(T v, DataOutput& out) { out.writeRaw(v); }
  static void deserialize(T& v, DataInput& in) { v = in.readRaw<T>(); }
  static std::string name() {
    if constexpr (std::is_same_v<T, char>) {
      return "i8";
    } else {
      return (std::is_signed_v<T> ? "i" : "u") + std::to_string(sizeof(T) * 8);
    }
  }
  static constexpr uint32_t kVersion = 1;
  static constexpr size_t kMinWireSize = sizeof(T);
};

template <>
struct TypeSerializer<float> {
  static_assert(std::numeric_limits<float>::is_iec559 && sizeof(float) == 4);
  static void serialize(float v, DataOutput& out) { out.writeF32(v); }
  static void deserialize(float& v, DataInput& in) { v = in.readF32(); }
  static std::string name() { return "f32"; }
  static constexpr uint32_t kVersion = 1;
  static constexpr size_t kMinWireSize = 4;
};

template <>
struct TypeSerializer<double> {
  static_assert(std::numeric_limits<double>::is_iec559 && sizeof(double) == 8);
  static void serialize(double v, DataOutput& out) { out.writeF64(v); }
  static void deserialize(double& v, DataInput& in) { v = in.readF64(); }
  static std::string name() { return "f64"; }
  static constexpr uint32_t kVersion = 1;
  static constexpr size_t kMinWireSize = 8;
};

// Enums travel as their underlying type; values are not range-checked.
template <detail::Enum T>
struct TypeSerializer<T, void> {
  using Underlying = std::underlying_type_t<T>;
  static void serialize(T v, DataOutput& out) {
    TypeSerializer<Underlying>::serialize(static_cast<Underlying>(v), out);
  }
  static void deserialize(T& v, DataInput& in) {
    Underlying u;
    TypeSerializer<Underlying>::deserialize(u, in);
    v = static_cast<T>(u);
  }
  static std::string name() { return "enum<" + TypeSerializer<Underlying>::name() + ">"; }
  static constexpr uint32_t kVersion = 1;
  static constexpr size_t kMinWireSize = sizeof(Underlying);
};

template <>
struct TypeSerializer<std::string> {
  static void serialize(const std::string& v, DataOutput& out) { out.writeString(v); }
  static void deserialize(std::string& v, DataInput& in) { in.readString(v); }
  static std::string name() { return "string"; }
  static constexpr uint32_t kVersion = 1;
  static constexpr size_t kMinWireSize = 1;
};

// ---------------------------------------------------------------- containers

// Varint count, then the elements. Vectors of numbers (not bool) are one memcpy
// each way; the bytes are identical to the element-by-element form.
template <Serializable T, class Alloc>
struct TypeSerializer<std::vector<T, Alloc>, void> {
  static void serialize(const std::vector<T, Alloc>& v, DataOutput& out) {
    out.writeVarU64(v.size());
    if constexpr (detail::BulkCopyable<T>) {
      out.writeBytes(v.data(), v.size() * sizeof(T));
    } else {
      for (const auto& e : v) TypeSerializer<T>::serialize(e, out);
    }
  }
  static void deserialize(std::vector<T, Alloc>& v, DataInput& in) {
    const size_t n = in.readLength(detail::minWireSize<T>());
    v.resize(n);  // keeps the first n elements (and their memory) for reuse
    if constexpr (detail::BulkCopyable<T>) {
      in.readBytes(v.data(), n * sizeof(T));
    } else if constexpr (std::is_same_v<T, bool>) {
      for (size_t i = 0; i < n; ++i) v[i] = in.readBool();
    } else {
      for (auto& e : v) TypeSerializer<T>::deserialize(e, in);
    }
  }
  static std::string name() { return "vector<" + detail::nestedName<T>() + ">"; }
  static constexpr uint32_t kVersion = 1;
  static constexpr size_t kMinWireSize = 1;
};

// Presence byte (0/1), then the value if present.
template <Serializable T>
struct TypeSerializer<std::optional<T>, void> {
  static void serialize(const std::optional<T>& v, DataOutput& out) {
    out.writeBool(v.has_value());
    if (v) TypeSerializer<T>::serialize(*v, out);
  }
  static void deserialize(std::optional<T>& v, DataInput& in) {
    if (in.readBool()) {
      if (!v) v.emplace();
      TypeSerializer<T>::deserialize(*v, in);
    } else {
      v.reset();
    }
  }
  static std::string name() { return "optional<" + detail::nestedName<T>() + ">"; }
  static constexpr uint32_t kVersion = 1;
  static constexpr size_t kMinWireSize = 1;
};

template <Serializable A, Serializable B>
struct TypeSerializer<std::pair<A, B>, void> {
  static void serialize(const std::pair<A, B>& v, DataOutput& out) {
    TypeSerializer<A>::serialize(v.first, out);
    TypeSerializer<B>::serialize(v.second, out);
  }
  static void deserialize(std::pair<A, B>& v, DataInput& in) {
    TypeSerializer<A>::deserialize(v.first, in);
    TypeSerializer<B>::deserialize(v.second, in);
  }
  static std::string name() { return "pair<" + detail::joinNames<A, B>() + ">"; }
  static constexpr uint32_t kVersion = 1;
  static constexpr size_t kMinWireSize = detail::minWireSize<A>() + detail::minWireSize<B>();
};

template <Serializable... Ts>
struct TypeSerializer<std::tuple<Ts...>, void> {
  static void serialize(const std::tuple<Ts...>& v, DataOutput& out) {
    std::apply([&](const Ts&... e) { (TypeSerializer<Ts>::serialize(e, out), ...); }, v);
  }
  static void deserialize(std::tuple<Ts...>& v, DataInput& in) {
    std::apply([&](Ts&... e) { (TypeSerializer<Ts>::deserialize(e, in), ...); }, v);
  }
  static std::string name() { return "tuple<" + detail::joinNames<Ts...>() + ">"; }
  static constexpr uint32_t kVersion = 1;
  static constexpr size_t kMinWireSize = (size_t{0} + ... + detail::minWireSize<Ts>());
};

// N elements, no length prefix (N is part of the type and the name).
template <Serializable T, size_t N>
struct TypeSerializer<std::array<T, N>, void> {
  static void serialize(const std::array<T, N>& v, DataOutput& out) {
    if constexpr (detail::BulkCopyable<T>) {
      out.writeBytes(v.data(), N * sizeof(T));
    } else {
      for (const auto& e : v) TypeSerializer<T>::serialize(e, out);
    }
  }
  static void deserialize(std::array<T, N>& v, DataInput& in) {
    if constexpr (detail::BulkCopyable<T>) {
      in.readBytes(v.data(), N * sizeof(T));
    } else {
      for (auto& e : v) TypeSerializer<T>::deserialize(e, in);
    }
  }
  static std::string name() { return "array<" + detail::nestedName<T>() + "," + std::to_string(N) + ">"; }
  static constexpr uint32_t kVersion = 1;
  static constexpr size_t kMinWireSize = N * detail::minWireSize<T>();
};

namespace detail {

[[noreturn]] void throwDuplicateMapKey(const DataInput& in);

// Shared by map and unordered_map: varint count, then key, value pairs.
// Decoding recycles the target's nodes (and the strings/vectors inside them)
// through extract(); a repeated key is corrupt input and throws.
template <class K, class V, class MapT>
struct MapSerializer {
  static void serialize(const MapT& v, DataOutput& out) {
    out.writeVarU64(v.size());
    for (const auto& [key, value] : v) {
      TypeSerializer<K>::serialize(key, out);
      TypeSerializer<V>::serialize(value, out);
    }
  }
  static void deserialize(MapT& v, DataInput& in) {
    const size_t n = in.readLength(minWireSize<K>() + minWireSize<V>());
    MapT old;
    old.swap(v);
    if constexpr (requires { v.reserve(n); }) v.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      const size_t before = v.size();
      if (!old.empty()) {
        auto node = old.extract(old.begin());
        TypeSerializer<K>::deserialize(node.key(), in);
        TypeSerializer<V>::deserialize(node.mapped(), in);
        v.insert(v.end(), std::move(node));  // the hint makes sorted input O(1) per key for std::map
      } else {
        K key{};
        V value{};
        TypeSerializer<K>::deserialize(key, in);
        TypeSerializer<V>::deserialize(value, in);
        v.emplace_hint(v.end(), std::move(key), std::move(value));
      }
      if (v.size() == before) throwDuplicateMapKey(in);
    }
  }
};

}  // namespace detail

template <Serializable K, Serializable V, class Compare, class Alloc>
struct TypeSerializer<std::map<K, V, Compare, Alloc>, void>
    : detail::MapSerializer<K, V, std::map<K, V, Compare, Alloc>> {
  static std::string name() { return "map<" + detail::joinNames<K, V>() + ">"; }
  static constexpr uint32_t kVersion = 1;
  static constexpr size_t kMinWireSize = 1;
};

template <Serializable K, Serializable V, class Hash, class Equal, class Alloc>
struct TypeSerializer<std::unordered_map<K, V, Hash, Equal, Alloc>, void>
    : detail::MapSerializer<K, V, std::unordered_map<K, V, Hash, Equal, Alloc>> {
  static std::string name() { return "unordered_map<" + detail::joinNames<K, V>() + ">"; }
  static constexpr uint32_t kVersion = 1;
  static constexpr size_t kMinWireSize = 1;
};

// ---------------------------------------------------------------- WEIR_STRUCT types

// Fields in declaration-list order, no header or count: adding, removing,
// reordering or retyping a field changes name() and so the identity.
template <detail::WeirStruct T>
struct TypeSerializer<T, void> {
  static void serialize(const T& v, DataOutput& out) { weirStructSerialize(detail::StructTag<T>{}, v, out); }
  static void deserialize(T& v, DataInput& in) { weirStructDeserialize(detail::StructTag<T>{}, v, in); }
  static std::string name() { return weirStructName(detail::StructTag<T>{}); }
  static constexpr uint32_t kVersion = 1;
  // kMinWireSize is computed by detail::minWireSize<T>() directly: a static
  // member here would be evaluated when the class is instantiated.
};

// ---------------------------------------------------------------- convenience

struct SerializerIdentity {
  std::string name;
  uint32_t version = 0;
  bool operator==(const SerializerIdentity&) const = default;
};

template <class T>
SerializerIdentity serializerIdentity() {
  requireSerializable<T>();
  if constexpr (Serializable<T>) {
    return {TypeSerializer<T>::name(), detail::versionOf<T>()};
  } else {
    return {};
  }
}

template <class T>
std::string serializeToString(const T& v) {
  requireSerializable<T>();
  DataOutput out;
  if constexpr (Serializable<T>) TypeSerializer<T>::serialize(v, out);
  return std::string(out.view());
}

// Decodes one T from the front of [p, p + n). Bytes after the value are
// ignored. Throws SerializationError on truncated or malformed input.
template <class T>
T deserializeFrom(const uint8_t* p, size_t n) {
  requireSerializable<T>();
  T v{};
  if constexpr (Serializable<T>) {
    DataInput in(p, n);
    TypeSerializer<T>::deserialize(v, in);
  }
  return v;
}

namespace detail {

template <class F>
void serializeField(const F& field, DataOutput& out) {
  // When F is not Serializable, WEIR_STRUCT's static_assert has already said so.
  if constexpr (Serializable<F>) TypeSerializer<F>::serialize(field, out);
}

template <class F>
void deserializeField(F& field, DataInput& in) {
  if constexpr (Serializable<F>) TypeSerializer<F>::deserialize(field, in);
}

template <class F>
void appendFieldName(std::string& s, const char* field) {
  if (s.back() != '{') s += ',';
  s += field;
  s += ':';
  if constexpr (Serializable<F>) s += nestedName<F>();
}

template <class F>
constexpr size_t fieldMinWireSize() {
  if constexpr (Serializable<F>) {
    return minWireSize<F>();
  } else {
    return 0;
  }
}

}  // namespace detail
}  // namespace weir

// ---------------------------------------------------------------- WEIR_STRUCT

// WEIR_DETAIL_FOR_EACH(m, ctx, a, b, c) expands to m(ctx, a) m(ctx, b) m(ctx, c).
// Each EXPAND level multiplies the rescans by 4, so this handles 256 fields.
#define WEIR_DETAIL_PARENS ()
#define WEIR_DETAIL_EXPAND(...) \
  WEIR_DETAIL_EXPAND3(WEIR_DETAIL_EXPAND3(WEIR_DETAIL_EXPAND3(WEIR_DETAIL_EXPAND3(__VA_ARGS__))))
#define WEIR_DETAIL_EXPAND3(...) \
  WEIR_DETAIL_EXPAND2(WEIR_DETAIL_EXPAND2(WEIR_DETAIL_EXPAND2(WEIR_DETAIL_EXPAND2(__VA_ARGS__))))
#define WEIR_DETAIL_EXPAND2(...) \
  WEIR_DETAIL_EXPAND1(WEIR_DETAIL_EXPAND1(WEIR_DETAIL_EXPAND1(WEIR_DETAIL_EXPAND1(__VA_ARGS__))))
#define WEIR_DETAIL_EXPAND1(...) __VA_ARGS__
#define WEIR_DETAIL_FOR_EACH(m, ctx, ...) \
  __VA_OPT__(WEIR_DETAIL_EXPAND(WEIR_DETAIL_FOR_EACH_STEP(m, ctx, __VA_ARGS__)))
#define WEIR_DETAIL_FOR_EACH_STEP(m, ctx, a, ...) \
  m(ctx, a) __VA_OPT__(WEIR_DETAIL_FOR_EACH_AGAIN WEIR_DETAIL_PARENS(m, ctx, __VA_ARGS__))
#define WEIR_DETAIL_FOR_EACH_AGAIN() WEIR_DETAIL_FOR_EACH_STEP

#define WEIR_DETAIL_FIELD_TYPE(Type, f) ::std::remove_cv_t<decltype(Type::f)>
#define WEIR_DETAIL_FIELD_CHECK(Type, f)                                                            \
  static_assert(::weir::Serializable<WEIR_DETAIL_FIELD_TYPE(Type, f)>,                              \
                "WEIR_STRUCT(" #Type "): field '" #f                                                \
                "' has a type with no TypeSerializer; declare WEIR_STRUCT for that type first, or " \
                "specialize weir::TypeSerializer for it");
#define WEIR_DETAIL_FIELD_SER(Type, f) \
  ::weir::detail::serializeField<WEIR_DETAIL_FIELD_TYPE(Type, f)>(weir_v.f, weir_out);
#define WEIR_DETAIL_FIELD_DES(Type, f) \
  ::weir::detail::deserializeField<WEIR_DETAIL_FIELD_TYPE(Type, f)>(weir_v.f, weir_in);
#define WEIR_DETAIL_FIELD_NAME(Type, f) \
  ::weir::detail::appendFieldName<WEIR_DETAIL_FIELD_TYPE(Type, f)>(weir_s, #f);
#define WEIR_DETAIL_FIELD_MIN(Type, f) +::weir::detail::fieldMinWireSize<WEIR_DETAIL_FIELD_TYPE(Type, f)>()

// WEIR_STRUCT(Type, field1, field2, ...): makes weir::TypeSerializer<Type> work
// for a struct with public, default-constructible, serializable fields. Use it
// at namespace scope, in Type's namespace (the generated functions are found by
// ADL), right after Type and after the WEIR_STRUCT of any struct it contains.
// Fields are written in the order listed; name() is
// "struct Type{field1:<name>,field2:<name>}" with Type spelled as written, so
// renaming the type or a field changes the identity. Recursive types are not
// supported. Up to 256 fields. REQUIRES: nothing asks Serializable<Type> before
// the macro (compilers cache concept results; an early "no" would stick).
#define WEIR_STRUCT(Type, ...)                                                              \
  WEIR_DETAIL_FOR_EACH(WEIR_DETAIL_FIELD_CHECK, Type, __VA_ARGS__)                          \
  inline void weirStructSerialize(::weir::detail::StructTag<Type>, const Type& weir_v,      \
                                  ::weir::DataOutput& weir_out) {                           \
    (void)weir_v;                                                                           \
    (void)weir_out;                                                                         \
    WEIR_DETAIL_FOR_EACH(WEIR_DETAIL_FIELD_SER, Type, __VA_ARGS__)                          \
  }                                                                                         \
  inline void weirStructDeserialize(::weir::detail::StructTag<Type>, Type& weir_v,          \
                                    ::weir::DataInput& weir_in) {                           \
    (void)weir_v;                                                                           \
    (void)weir_in;                                                                          \
    WEIR_DETAIL_FOR_EACH(WEIR_DETAIL_FIELD_DES, Type, __VA_ARGS__)                          \
  }                                                                                         \
  inline ::std::string weirStructName(::weir::detail::StructTag<Type>) {                    \
    ::std::string weir_s = "struct " #Type "{";                                             \
    WEIR_DETAIL_FOR_EACH(WEIR_DETAIL_FIELD_NAME, Type, __VA_ARGS__)                         \
    weir_s += '}';                                                                          \
    return weir_s;                                                                          \
  }                                                                                         \
  constexpr ::std::size_t weirStructMinWireSize(::weir::detail::StructTag<Type>) {          \
    return ::std::size_t{0} WEIR_DETAIL_FOR_EACH(WEIR_DETAIL_FIELD_MIN, Type, __VA_ARGS__); \
  }                                                                                         \
  static_assert(true, "WEIR_STRUCT needs a trailing semicolon")
