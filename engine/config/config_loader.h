// Reads parkd's configuration (Protobuf text format) into validated lots and daemon settings.
// Every problem is reported with file, line and column; nothing half-loaded is ever returned.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/billing.h"
#include "core/config_issue.h"
#include "core/lot.h"
#include "core/lot_spec.h"

namespace parkd {

struct BrokerSettings {
  std::vector<std::string> uris = {"tcp://127.0.0.1:1883"};  // tried in this order
  std::string client_id = "parkd";
  std::string username;
  std::string password_file;
  std::string ca_file;    // TLS: the broker's CA; empty without TLS
  std::string cert_file;  // TLS client certificate (optional)
  std::string key_file;
  std::uint32_t probe_interval_s = 30;  // 0: no probes (MqttSession::Settings::probes)
  std::uint32_t subscribe_timeout_s = 30;  // MqttSession::Settings::subscribe_timeout
  std::uint32_t connects_at_once = 32;  // 0: no limit (ConnectLimiter)
  // On a NATS cluster: each node's monitoring endpoint by the broker URI it serves
  // (SessionStoreKeeper); empty: not watched.
  struct NatsMonitor {
    std::string broker;
    std::string monitor;
  };
  std::vector<NatsMonitor> nats_monitors;
  std::string nats_account = "$G";
};

struct DeviceLimits {
  double sensor_reports_per_s = 5;
  double sensor_burst = 20;
  double gate_events_per_s = 10;
  double gate_burst = 50;
};

// When the engine's thread holds the queue of arrivals under load (IntakeConfig).
struct IntakePacing {
  double hold_above_per_s = 5'000;  // 0: never
  std::uint32_t hold_window_us = 2'000;
};

struct DaemonSettings {
  BrokerSettings broker;
  std::string db_path = "var/parkd.db";
  bool gate_inbox_sync = false;  // fdatasync each gate event before its acknowledgement
  std::string http_listen = "127.0.0.1:8080";
  std::string token_file;  // empty: parkd.token next to the database (see control_token_file)
  std::string console_dir;  // empty: no console
  std::string http_tls_cert_file;  // both set: HTTPS
  std::string http_tls_key_file;
  std::string http_tls_ca_file;    // for parkctl
  bool allow_plain_http = false;
  DeviceLimits limits;
  IntakePacing intake;
};

// Why parkd must not listen as configured: plain HTTP off loopback without allow_plain_http.
std::optional<std::string> plain_http_refusal(const DaemonSettings& settings);

// Where the control API's tokens are: the configured file, or parkd.token beside the database.
std::string control_token_file(const DaemonSettings& settings);

struct LoadedConfig {
  DaemonSettings settings;
  std::vector<Lot> lots;
  std::vector<PactVersion> pact;  // never empty: without a `pact` the spec's xj5 pact applies
};

struct ConfigLoad {
  std::optional<LoadedConfig> config;  // set only when issues is empty
  ConfigIssues issues;
};

struct LotSpecParse {
  std::optional<LotSpec> spec;
  ConfigIssues issues;
};

// Parses one LotConfig in text format; `file` names it in messages.
LotSpecParse parse_lot_spec(std::string_view text, const std::string& file);

// Loads a ParkdConfig file, its lot_files (relative to it), and validates every lot.
ConfigLoad load_config_file(const std::filesystem::path& path);

// The configuration parkd, parkctl and parksim read when none is named: the source tree's
// `config/parkd.textproto` when run from a checkout's root, else the installed
// `/etc/parkd/parkd.textproto` (the Debian package's).
inline constexpr const char* kSourceTreeConfigFile = "config/parkd.textproto";
inline constexpr const char* kInstalledConfigFile = "/etc/parkd/parkd.textproto";
std::string default_config_file();

// Parses a ParkdConfig from text; lot_files are resolved against `base_dir`.
ConfigLoad load_config_text(std::string_view text, const std::string& file, const std::filesystem::path& base_dir);

}  // namespace parkd
