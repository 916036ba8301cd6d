#include <weir/core/hash.h>

#include <xxhash.h>

namespace weir {

uint64_t stableHash(const void* data, size_t n) {
  // XXH3 accepts a null pointer only with n == 0; string_view::data() of an
  // empty view may be null, which is fine.
  return XXH3_64bits(data, n);
}

}  // namespace weir
