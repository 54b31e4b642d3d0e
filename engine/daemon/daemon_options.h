// parkd's command line, parsed without side effects.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace parkd {

struct DaemonOptions {
  std::string config_path = "config/parkd.textproto";
  bool config_given = false;
  std::optional<std::vector<std::string>> broker_uris;  // --broker, a comma-separated list
  std::optional<std::string> db_path;
  std::optional<std::string> http_listen;
  bool sim_clock = false;
  bool check_config = false;
  bool help = false;
  bool version = false;
};

struct DaemonOptionsParse {
  std::optional<DaemonOptions> options;
  std::string error;  // set when options is empty
};

DaemonOptionsParse parse_daemon_options(const std::vector<std::string>& args);
std::string daemon_usage();

}  // namespace parkd
