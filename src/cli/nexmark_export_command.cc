// `weir nexmark-export`: writes the Nexmark stream's events as CSV files
// (person.csv, auction.csv, bid.csv), the same events `weir run nexmark` reads
// with the same --events, --rate, --seed and --base-time.
#include <cstdio>

#include <weir/connectors/nexmark/csv.h>

#include "cli/commands.h"
#include "cli/nexmark_options.h"

namespace weir::cli {

NexmarkExportCommand::NexmarkExportCommand(CLI::App& app) {
  cmd_ = app.add_subcommand("nexmark-export",
                            "Write the Nexmark events as CSV: DIR/person.csv, auction.csv, bid.csv");
  addNexmarkStreamOptions(*cmd_, options_, 0);
  cmd_->get_option("--events")->required();
  cmd_->add_option("--dir", dir_, "Directory to write the CSV files to (created if missing)")->required();
}

int NexmarkExportCommand::execute() {
  if (options_.events <= 0) {
    std::fprintf(stderr,
                 "weir: nexmark-export needs a positive --events (an unbounded stream cannot be exported)\n");
    return 2;
  }
  Result<nexmark::CsvExportCounts> counts = nexmark::exportCsv(options_.generator, options_.events, dir_);
  if (!counts.isOk()) {
    std::fprintf(stderr, "weir: %s\n", counts.status().message().c_str());
    return counts.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  std::printf("wrote %lld persons, %lld auctions and %lld bids to %s\n",
              static_cast<long long>(counts->persons), static_cast<long long>(counts->auctions),
              static_cast<long long>(counts->bids), dir_.c_str());
  return 0;
}

}  // namespace weir::cli
