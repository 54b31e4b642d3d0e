// Command-line parsing of parkd.
#include "daemon_options.h"

#include "config/broker_uris.h"

namespace parkd {

std::string daemon_usage() {
  return "usage: parkd [--config FILE] [--broker URI[,URI...]] [--db PATH] [--http HOST:PORT] [--sim-clock]\n"
         "       parkd --check-config [--config FILE]\n"
         "\n"
         "  --config FILE   configuration (default: config/parkd.textproto when run from the repository\n"
         "                  root, else /etc/parkd/parkd.textproto)\n"
         "  --broker URI[,URI...]  MQTT broker(s), tried in order, overriding the configuration\n"
         "                  (e.g. tcp://127.0.0.1:1883)\n"
         "  --db PATH       SQLite database (default from the configuration: var/parkd.db)\n"
         "  --http HOST:PORT  operators' HTTP endpoint, /metrics (default from the configuration: 127.0.0.1:8080)\n"
         "  --sim-clock     take time from SimClock messages on parking/sim/clock\n"
         "  --check-config  validate the configuration, print a summary, exit 0 (valid) or 1\n"
         "  --version       print the version\n";
}

DaemonOptionsParse parse_daemon_options(const std::vector<std::string>& args) {
  DaemonOptions o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size() || args[i + 1].empty() || args[i + 1].rfind("--", 0) == 0) return std::nullopt;
      return args[++i];
    };
    if (a == "--config") {
      auto v = value();
      if (!v) return {std::nullopt, "--config needs a file"};
      o.config_path = *v;
      o.config_given = true;
    } else if (a == "--broker") {
      auto v = value();
      if (!v) return {std::nullopt, "--broker needs a URI such as tcp://127.0.0.1:1883"};
      BrokerUris uris = parse_broker_uris(*v);
      if (!uris.error.empty()) return {std::nullopt, "--broker: " + uris.error};
      o.broker_uris = std::move(uris.uris);
    } else if (a == "--db") {
      auto v = value();
      if (!v) return {std::nullopt, "--db needs a file path"};
      o.db_path = *v;
    } else if (a == "--http") {
      auto v = value();
      if (!v) return {std::nullopt, "--http needs HOST:PORT, such as 127.0.0.1:8080"};
      o.http_listen = *v;
    } else if (a == "--sim-clock") {
      o.sim_clock = true;
    } else if (a == "--check-config") {
      o.check_config = true;
    } else if (a == "--help" || a == "-h") {
      o.help = true;
    } else if (a == "--version") {
      o.version = true;
    } else {
      return {std::nullopt, "unknown argument '" + a + "'"};
    }
  }
  return {o, {}};
}

}  // namespace parkd
