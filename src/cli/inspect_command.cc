// `weir inspect <path> [--verify] [--json]`: what a checkpoint or savepoint holds,
// read from its files (no running job needed): id, job, type, each operator with its
// id, parallelism and max parallelism, each subtask's states (name, kind, serializer,
// size, key-group range, file). With --verify every state file, channel state
// included, is read and its size and checksum checked; any problem exits 1.
#include <cstdio>
#include <set>

#include "checkpoint/checkpoint_storage.h"
#include "checkpoint/metadata.h"
#include "cli/commands.h"
#include "state/state_snapshot.h"

namespace weir::cli {
namespace {

using nlohmann::json;

std::string where(const checkpoint::StreamStateHandle& h) {
  return h.isInline ? std::string("inline") : h.relativePath;
}

json statesJson(const Result<std::vector<state::SnapshotStateInfo>>& states) {
  if (!states.isOk()) return json{{"error", states.status().message()}};
  json out = json::array();
  for (const state::SnapshotStateInfo& s : states.value()) {
    json j{{"name", s.name},
           {"kind", s.kind},
           {"serializer", s.serializer},
           {"serializer_version", s.serializerVersion}};
    if (s.kind.find("list") != std::string::npos) j["elements"] = s.elements;
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

InspectCommand::InspectCommand(CLI::App& app) {
  cmd_ = app.add_subcommand("inspect", "Show what a checkpoint or savepoint holds (and --verify its files)");
  cmd_->add_option("path", path_, "A savepoint or chk-N directory, or its _metadata")->required();
  cmd_->add_flag("--verify", verify_, "Read every state file and check its size and checksum");
  cmd_->add_flag("--json", json_, "Print JSON instead of a table");
}

int InspectCommand::execute() {
  Result<checkpoint::ResolvedCheckpoint> resolved = checkpoint::resolveCheckpointPath(path_);
  if (!resolved.isOk()) return reportError(resolved.status());
  Result<checkpoint::CheckpointMetadata> md = checkpoint::deserializeMetadata(resolved->metadataBytes, path_);
  if (!md.isOk()) return reportError(md.status());
  std::unique_ptr<checkpoint::StateReader> reader = checkpoint::createFileStateReader(resolved->jobDirectory);
  const bool savepoint = md->kind == checkpoint::SnapshotKind::kSavepoint;

  int problems = 0;
  std::set<std::string> files;
  uint64_t totalBytes = 0;
  // Reads a stream (which checks its size and checksum); a failure is counted and shown.
  auto read = [&](const checkpoint::StreamStateHandle& h) -> Result<std::string> {
    if (!h.isInline) files.insert(h.relativePath);
    totalBytes += h.size;
    Result<std::string> bytes = reader->readAll(h);
    if (!bytes.isOk()) ++problems;
    return bytes;
  };

  json operators = json::array();
  for (const checkpoint::OperatorState& op : md->operators) {
    json subtasks = json::array();
    uint64_t opBytes = 0;
    for (const auto& [index, st] : op.subtaskStates) {
      json keyed = json::array(), operatorState = json::array(), channels = json::array();
      for (const checkpoint::KeyGroupsStateHandle& h : st.keyedState) {
        Result<std::string> bytes = read(h.stream);
        opBytes += h.stream.size;
        keyed.push_back(
            json{{"key_groups", h.range.toString()},
                 {"size", h.stream.size},
                 {"file", where(h.stream)},
                 {"states", bytes.isOk() ? statesJson(state::describeKeyedSnapshot(*bytes, where(h.stream)))
                                         : json{{"error", bytes.status().message()}}}});
      }
      for (const checkpoint::OperatorStateHandle& h : st.operatorState) {
        Result<std::string> bytes = read(h.stream);
        opBytes += h.stream.size;
        operatorState.push_back(json{
            {"size", h.stream.size},
            {"file", where(h.stream)},
            {"states", bytes.isOk() ? statesJson(state::describeOperatorSnapshot(*bytes, where(h.stream)))
                                    : json{{"error", bytes.status().message()}}}});
      }
      for (const checkpoint::ChannelStateHandle& h : st.channelState) {
        json c{{"size", h.stream.size},
               {"file", where(h.stream)},
               {"input_channels", h.inputChannels.size()},
               {"result_subpartitions", h.resultSubpartitions.size()}};
        opBytes += h.stream.size;
        if (verify_) {
          Result<std::string> bytes = read(h.stream);
          if (!bytes.isOk()) c["error"] = bytes.status().message();
        } else if (!h.stream.isInline) {
          files.insert(h.stream.relativePath);
          totalBytes += h.stream.size;
        }
        channels.push_back(std::move(c));
      }
      subtasks.push_back(json{{"index", index},
                              {"keyed_state", std::move(keyed)},
                              {"operator_state", std::move(operatorState)},
                              {"channel_state", std::move(channels)}});
    }
    operators.push_back(json{{"id", op.operatorId},
                             {"uid_set", op.operatorId.rfind("auto-", 0) != 0},
                             {"name", op.operatorName},
                             {"parallelism", op.parallelism},
                             {"max_parallelism", op.maxParallelism},
                             {"state_size", opBytes},
                             {"coordinator_state_size", op.coordinatorState.size()},
                             {"subtasks", std::move(subtasks)}});
  }
  json out{{"id", md->checkpointId},
           {"job_id", md->jobId},
           {"job_name", md->jobName},
           {"timestamp", md->timestampMillis},
           {"type", savepoint ? "savepoint" : "checkpoint"},
           {"format", savepoint ? "canonical" : "checkpoint"},
           {"directory", resolved->jobDirectory},
           {"files", json(std::vector<std::string>(files.begin(), files.end()))},
           {"total_size", totalBytes},
           {"operators", operators},
           {"verified", verify_},
           {"problems", problems}};
  if (json_) {
    std::printf("%s\n", out.dump(2).c_str());
    return problems == 0 ? 0 : 1;
  }

  std::printf("%s %lld of job %s ('%s'), taken %s\n",
              savepoint ? "Savepoint (canonical format)" : "Checkpoint",
              static_cast<long long>(md->checkpointId), md->jobId.c_str(), md->jobName.c_str(),
              localTime(md->timestampMillis).c_str());
  std::printf("Files relative to %s: %zu, %s in all\n\n", resolved->jobDirectory.c_str(), files.size(),
              humanBytes(double(totalBytes)).c_str());
  for (const json& op : operators) {
    std::printf("Operator %s%s '%s': parallelism %d, max parallelism %d, %s\n",
                op["id"].get<std::string>().c_str(), op["uid_set"].get<bool>() ? "" : " (no uid)",
                op["name"].get<std::string>().c_str(), op["parallelism"].get<int>(),
                op["max_parallelism"].get<int>(), humanBytes(op["state_size"].get<double>()).c_str());
    for (const json& st : op["subtasks"]) {
      const int index = st["index"];
      auto printStates = [](const json& states) {
        if (states.is_object()) {
          std::printf("      ERROR %s\n", states["error"].get<std::string>().c_str());
          return;
        }
        for (const json& s : states) {
          std::printf("      %s: %s, serializer %s v%u", s["name"].get<std::string>().c_str(),
                      s["kind"].get<std::string>().c_str(), s["serializer"].get<std::string>().c_str(),
                      s["serializer_version"].get<unsigned>());
          if (s.contains("elements")) std::printf(", %llu elements", s["elements"].get<unsigned long long>());
          std::printf("\n");
        }
      };
      for (const json& k : st["keyed_state"]) {
        std::printf("  subtask %d keyed state, key groups %s, %s (%s)\n", index,
                    k["key_groups"].get<std::string>().c_str(), humanBytes(k["size"].get<double>()).c_str(),
                    k["file"].get<std::string>().c_str());
        printStates(k["states"]);
      }
      for (const json& o : st["operator_state"]) {
        std::printf("  subtask %d operator state, %s (%s)\n", index,
                    humanBytes(o["size"].get<double>()).c_str(), o["file"].get<std::string>().c_str());
        printStates(o["states"]);
      }
      for (const json& c : st["channel_state"]) {
        std::printf("  subtask %d in-flight data, %s (%s): %zu input channels, %zu subpartitions%s\n", index,
                    humanBytes(c["size"].get<double>()).c_str(), c["file"].get<std::string>().c_str(),
                    c["input_channels"].get<size_t>(), c["result_subpartitions"].get<size_t>(),
                    c.contains("error") ? (" ERROR " + c["error"].get<std::string>()).c_str() : "");
      }
    }
  }
  if (verify_) {
    std::printf("\n%s\n", problems == 0
                              ? "Verified: every file has its size and checksum."
                              : (std::to_string(problems) + " problem(s) found (ERROR above).").c_str());
  } else if (problems > 0) {
    std::printf("\n%d problem(s) found (ERROR above).\n", problems);
  }
  return problems == 0 ? 0 : 1;
}

}  // namespace weir::cli
