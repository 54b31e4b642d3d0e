// The load driver's helper processes: publishers that together saturate the broker, the raw
// relay's subscriber, the bare-Paho floor that does parkd's job in messages and nothing else, and
// the gates' echo. Each is the driver's own binary started again with a mode (`--publish`, ...):
// one Paho client library per process, so no process's single send or receive thread sets the
// pace of the others.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "load_clients.h"
#include "support/processes.h"

namespace parkd::bench {

// Runs the child mode `args` names (args[1] is `--publish`, `--sink`, `--floor` or `--echo`);
// returns its exit code, or -1 when args name no child mode.
int run_child_mode(const std::vector<std::string>& args);

// Publishers in processes of their own, two clients (threads) each, that send `messages` sensor
// reports to `lot` between go() and their exit: heartbeats, or a stream of changes
// (stream_occupied). Report k carries seq `seq_base + k`.
class PublisherFleet {
 public:
  PublisherFleet(const std::string& uri, const std::filesystem::path& dir, const std::string& lot, int processes,
                 std::uint64_t messages, std::uint64_t seq_base, bool changes);
  // Starts them all at once; returns when they were told.
  Clock::time_point go();
  // Waits until every publisher has had every message acknowledged and exited; false when one failed.
  bool finish();
  int processes() const { return static_cast<int>(children_.size()); }

 private:
  std::filesystem::path go_file_;
  std::vector<std::unique_ptr<parkd::test::ChildProcess>> children_;
  std::vector<std::filesystem::path> logs_;
};

// Waits until a helper says it is ready (writes `file`) or has exited.
void wait_until_ready(const std::filesystem::path& file, parkd::test::ChildProcess& helper);

// How many publisher processes: PARKD_E2E_PUBLISHER_PROCESSES, default 4 (kPublishers threads in all).
int publisher_processes();

}  // namespace parkd::bench
