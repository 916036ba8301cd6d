#include <weir/core/hash.h>

#define XXH_INLINE_ALL  // the same XXH3, compiled here: no call through the shared library
#include <xxhash.h>

namespace weir {

uint64_t stableHash(const void* data, size_t n) {
  // XXH3 accepts a null pointer only with n == 0; string_view::data() of an
  // empty view may be null, which is fine.
  return XXH3_64bits(data, n);
}

}  // namespace weir
