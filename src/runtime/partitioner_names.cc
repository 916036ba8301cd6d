#include <weir/runtime/network_glue.h>

namespace weir {

const char* partitionerName(PartitionerKind kind) {
  switch (kind) {
    case PartitionerKind::kForward:
      return "FORWARD";
    case PartitionerKind::kRebalance:
      return "REBALANCE";
    case PartitionerKind::kRescale:
      return "RESCALE";
    case PartitionerKind::kShuffle:
      return "SHUFFLE";
    case PartitionerKind::kBroadcast:
      return "BROADCAST";
    case PartitionerKind::kKeyGroup:
      return "HASH";
  }
  return "UNKNOWN";
}

}  // namespace weir
