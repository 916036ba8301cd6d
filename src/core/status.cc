#include <weir/core/check.h>
#include <weir/core/status.h>

#include <cstdio>
#include <cstdlib>

namespace weir {

const char* statusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kInvalidArgument:
      return "InvalidArgument";
    case StatusCode::kNotFound:
      return "NotFound";
    case StatusCode::kCorruption:
      return "Corruption";
    case StatusCode::kIOError:
      return "IOError";
    case StatusCode::kCancelled:
      return "Cancelled";
    case StatusCode::kFailedPrecondition:
      return "FailedPrecondition";
    case StatusCode::kInternal:
      return "Internal";
  }
  return "Unknown";
}

std::string Status::toString() const {
  if (isOk()) return "OK";
  return std::string(statusCodeName(code_)) + ": " + message_;
}

namespace detail {
void checkFailed(const char* file, int line, const char* expr, const char* message) {
  std::fprintf(stderr, "weir: internal check failed at %s:%d: %s %s\n", file, line, expr, message);
  std::fflush(stderr);
  std::abort();
}
}  // namespace detail

}  // namespace weir
