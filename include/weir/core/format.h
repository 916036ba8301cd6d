// toText: how sinks that write text (print, text files) render a record:
// strings as they are, numbers in their shortest exact form, pairs and tuples
// as "(a,b)", vectors as "[a,b]", optionals as the value or "null", and any
// other type through its operator<<. Not for persisted formats.
#pragma once

#include <charconv>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace weir {

template <class T>
std::string toText(const T& v);

namespace detail {
template <class T>
struct IsPair : std::false_type {};
template <class A, class B>
struct IsPair<std::pair<A, B>> : std::true_type {};
template <class T>
struct IsTuple : std::false_type {};
template <class... Ts>
struct IsTuple<std::tuple<Ts...>> : std::true_type {};
template <class T>
struct IsVector : std::false_type {};
template <class T, class A>
struct IsVector<std::vector<T, A>> : std::true_type {};
template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};
template <class T>
concept Streamable = requires(std::ostream& os, const T& v) {
  os << v;
};
}  // namespace detail

template <class T>
std::string toText(const T& v) {
  if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    return std::string(std::string_view(v));
  } else if constexpr (std::is_same_v<T, bool>) {
    return v ? "true" : "false";
  } else if constexpr (std::is_arithmetic_v<T>) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof(buf), v);
    return std::string(buf, r.ptr);
  } else if constexpr (detail::IsPair<T>::value) {
    return "(" + toText(v.first) + "," + toText(v.second) + ")";
  } else if constexpr (detail::IsTuple<T>::value) {
    std::string s = "(";
    std::apply(
        [&](const auto&... xs) {
          size_t i = 0;
          ((s += (i++ ? "," : "") + toText(xs)), ...);
        },
        v);
    return s + ")";
  } else if constexpr (detail::IsVector<T>::value) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + toText(v[i]);
    return s + "]";
  } else if constexpr (detail::IsOptional<T>::value) {
    return v ? toText(*v) : "null";
  } else {
    static_assert(detail::Streamable<T>,
                  "weir: no text form for this type; give the sink a formatter function");
    std::ostringstream os;
    os << v;
    return os.str();
  }
}

}  // namespace weir
