// WEIR_CHECK: invariants. A broken invariant is a bug in Weir, not an error a
// user can fix, so it aborts with the location and a message (in every build:
// the checks guard data-integrity promises and are cheap).
#pragma once

namespace weir::detail {
[[noreturn]] void checkFailed(const char* file, int line, const char* expr, const char* message);
}

#define WEIR_CHECK(cond)                                                                          \
  do {                                                                                            \
    if (__builtin_expect(!(cond), 0)) ::weir::detail::checkFailed(__FILE__, __LINE__, #cond, ""); \
  } while (0)

#define WEIR_CHECK_MSG(cond, msg)                                                                  \
  do {                                                                                             \
    if (__builtin_expect(!(cond), 0)) ::weir::detail::checkFailed(__FILE__, __LINE__, #cond, msg); \
  } while (0)
