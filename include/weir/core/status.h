// Status and Result<T>: expected failures as values.
//
// A Status is OK or carries a code and a message a user can act on ("file
// /x/_metadata: bad checksum"). Result<T> holds either a value or a non-OK
// Status. Both are cheap to move and safe to use from any thread (they are
// plain values). Invariant violations are not Statuses: use WEIR_CHECK.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace weir {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // bad input or configuration: fix the input and retry
  kNotFound,         // a named thing (file, job, key) does not exist
  kCorruption,       // persisted data failed a check: do not trust it
  kIOError,          // the OS refused an operation: check paths and permissions
  kCancelled,        // the operation was cancelled on request
  kFailedPrecondition,
  kInternal,
};

const char* statusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return Status(); }
  static Status invalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status notFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status ioError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
  static Status failedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
  static Status internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool isOk() const { return code_ == StatusCode::kOk; }
  explicit operator bool() const { return isOk(); }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "<CodeName>: <message>", or "OK".
  std::string toString() const;

  // Prefixes the message with context ("while restoring chk-3: ...").
  Status withContext(const std::string& context) const {
    if (isOk()) return *this;
    return Status(code_, context + ": " + message_);
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Thrown where an exception is the only way out (constructors, deep user call
// stacks); carries a Status so it can be turned back into a value.
class StatusException : public std::runtime_error {
 public:
  explicit StatusException(Status s) : std::runtime_error(s.message()), status_(std::move(s)) {}
  const Status& status() const { return status_; }

 private:
  Status status_;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    if (std::get<Status>(v_).isOk()) v_ = Status::internal("Result constructed from an OK status");
  }

  bool isOk() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return isOk(); }
  const Status& status() const {
    static const Status kOk;
    return isOk() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return checked(); }
  const T& value() const& { return const_cast<Result*>(this)->checked(); }
  T&& value() && { return std::move(checked()); }
  T* operator->() { return &checked(); }
  const T* operator->() const { return &const_cast<Result*>(this)->checked(); }
  T& operator*() { return checked(); }

  // The value, or throws StatusException.
  T valueOrThrow() && {
    if (!isOk()) throw StatusException(std::get<Status>(v_));
    return std::move(std::get<T>(v_));
  }

 private:
  T& checked() {
    if (!isOk()) {
      std::fprintf(stderr, "weir: Result::value() on error: %s\n", std::get<Status>(v_).toString().c_str());
      std::abort();
    }
    return std::get<T>(v_);
  }
  std::variant<T, Status> v_;
};

// Throws StatusException when s is not OK.
inline void throwIfError(const Status& s) {
  if (!s.isOk()) throw StatusException(s);
}

}  // namespace weir

#define WEIR_RETURN_IF_ERROR(expr)       \
  do {                                   \
    ::weir::Status weir_s_ = (expr);     \
    if (!weir_s_.isOk()) return weir_s_; \
  } while (0)
