// parkd: the parking allocation and guidance daemon. Wires the configuration, one MQTT session
// per lot, and the engine host on one strand; stops cleanly on SIGINT or SIGTERM, reads its token
// file again on SIGHUP.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "config/broker_uris.h"
#include "config/config_loader.h"
#include "config/token_file.h"
#include "console_files.h"
#include "control_api.h"
#include "daemon_options.h"
#include "engine_host.h"
#include "event_feed.h"
#include "http_server.h"
#include "metrics.h"
#include "log.h"
#include "mqtt_session.h"
#include "sensors/topic.h"
#include "service_notifier.h"
#include "session_store_keeper.h"
#include "watchdog_feeder.h"
#include "core/permit_change.h"
#include "store/sqlite_alert_store.h"
#include "store/sqlite_audit_log.h"
#include "store/sqlite_bill_archive.h"
#include "store/sqlite_database.h"
#include "store/sqlite_occupancy_history.h"
#include "store/gate_inbox_log.h"
#include "store/sqlite_gate_ledger.h"
#include "store/sqlite_registry_store.h"
#include "store/sqlite_space_state_store.h"
#include "store/sqlite_special_pass_store.h"
#include "wire.h"

namespace parkd {
namespace {

class SessionPublisher : public Publisher {
 public:
  bool publish(std::string_view lot_id, const std::string& topic, std::string payload, bool retained,
               Delivered on_delivered) override {
    auto it = sessions.find(std::string(lot_id));
    return it != sessions.end() && it->second->publish(topic, std::move(payload), retained, std::move(on_delivered));
  }
  std::map<std::string, std::unique_ptr<MqttSession>> sessions;
};

void print_summary(const LoadedConfig& config, const std::string& path) {
  std::printf("%s: valid\n", path.c_str());
  std::printf("broker %s (client id %s), database %s\n", join_broker_uris(config.settings.broker.uris).c_str(),
              config.settings.broker.client_id.c_str(), config.settings.db_path.c_str());
  if (!config.settings.broker.nats_monitors.empty()) {
    std::printf("NATS monitors of %zu broker(s), account %s: the MQTT session stream's leader kept off parkd's node\n",
                config.settings.broker.nats_monitors.size(), config.settings.broker.nats_account.c_str());
  }
  for (const Lot& lot : config.lots) {
    std::size_t accessible = 0;
    std::size_t ev = 0;
    for (const Space& s : lot.spaces()) {
      accessible += s.kind == SpaceKind::Accessible ? 1 : 0;
      ev += s.kind == SpaceKind::EvCharging ? 1 : 0;
    }
    std::printf("lot %s (%s): %zu spaces, %zu accessible, %zu EV charging\n", lot.id().c_str(), lot.name().c_str(),
                lot.spaces().size(), accessible, ev);
    std::printf("  zones:");
    for (const Zone& z : lot.zones()) std::printf(" %s=%u", z.id.c_str(), z.space_count);
    std::printf("\n  gates:");
    for (const Gate& g : lot.gates()) std::printf(" %s (display %s)", g.id.c_str(), lot.displays()[g.display].id.c_str());
    std::printf("\n  buildings: %zu; debounce %u ms, stale after %u ms, frame interval %u ms, hold %u ms\n",
                lot.buildings().size(), lot.timing().debounce_ms, lot.timing().stale_after_ms,
                lot.timing().frame_interval_ms, lot.timing().hold_ms);
    std::printf("  visitor reserve: %u spaces from %02d:%02d to %02d:%02d (UTC%+d min)\n", lot.reserve().reserve_spaces,
                lot.reserve().night_start_minute / 60, lot.reserve().night_start_minute % 60,
                lot.reserve().night_end_minute / 60, lot.reserve().night_end_minute % 60, lot.utc_offset_minutes());
  }
  const PactVersion* first = nullptr;
  for (const PactVersion& v : config.pact) {
    std::printf("pact %s from %s: grace %u days after a lease ends\n", v.name.c_str(), format_civil_day(v.effective_from).c_str(),
                v.terms.lease_grace_days);
    if (first == nullptr || v.effective_from < first->effective_from) first = &v;
  }
  // Before the first version no pact covers a day: the gates decide with the first version, and
  // bills and notices of months that end before it are refused.
  const int offset = config.lots.empty() ? 480 : config.lots.front().utc_offset_minutes();
  const CivilDay today = local_day(std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::system_clock::now().time_since_epoch()).count(), offset);
  if (first != nullptr && first->effective_from > today) {
    std::printf("warning: no pact version covers today (%s): the first, %s, takes effect on %s; until then the gates "
                "decide with it, and no bill or notice can be made for a month before it\n",
                format_civil_day(today).c_str(), first->name.c_str(), format_civil_day(first->effective_from).c_str());
  }
}

// The control API's backup: SQLite's online backup into a scratch file beside the database
// (parkd may write there, whatever else its sandbox forbids), read back, then removed.
std::error_code backup_bytes(SqliteDatabase& database, std::string& bytes) {
  const std::string scratch = database.path() + "-backup-" + std::to_string(::getpid());
  std::filesystem::remove(scratch);
  std::error_code e = database.backup_to(scratch);
  if (!e) {
    std::ifstream in(scratch, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) e = std::make_error_code(std::errc::io_error);
  }
  std::error_code ignored;
  std::filesystem::remove(scratch, ignored);
  return e;
}

std::string read_password(const std::string& file) {
  if (file.empty()) return {};
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read the broker password file '" + file + "'");
  std::string line;
  std::getline(in, line);
  return line;
}

int run(const DaemonOptions& options) {
  ConfigLoad load = load_config_file(options.config_path);
  if (!load.config) {
    for (const auto& issue : load.issues) std::fprintf(stderr, "%s\n", issue.to_string().c_str());
    std::fprintf(stderr, "parkd: the configuration is not valid (%zu problem%s)\n", load.issues.size(),
                 load.issues.size() == 1 ? "" : "s");
    return 1;
  }
  LoadedConfig& config = *load.config;
  if (options.check_config) {
    print_summary(config, options.config_path);
    return 0;
  }
  if (options.broker_uris) config.settings.broker.uris = *options.broker_uris;
  if (options.db_path) config.settings.db_path = *options.db_path;
  if (options.http_listen) config.settings.http_listen = *options.http_listen;
  if (auto refusal = plain_http_refusal(config.settings)) throw std::runtime_error(*refusal);
  const TokenFileRead tokens = read_token_file(control_token_file(config.settings), true);
  if (!tokens.error.empty()) throw std::runtime_error(tokens.error);
  if (tokens.created) Log::info("control", "created {} with a new control token (mode 0600)", control_token_file(config.settings));
  // The control API's connection: the registry at start, then the control worker's only.
  SqliteDatabase database(config.settings.db_path);
  SqliteDatabase state_database(config.settings.db_path);  // written on the store thread only
  SqliteSpaceStateStore space_states(state_database);
  SqliteOccupancyHistory history_writer(state_database);
  SqliteAlertStore alert_writer(state_database);
  SqliteRegistryStore registry_store(database);
  SqliteAuditLog audit_log(database);
  SqliteBillArchive bill_archive(database);
  SqliteSpecialPassStore pass_store(database);
  SqliteOccupancyHistory history_reader(database);
  SqliteAlertStore alert_reader(database);
  SqliteSpaceStateStore space_history_reader(database);
  SqliteDatabase ledger_database(config.settings.db_path);  // gate decisions: the store thread
  SqliteGateLedger gate_ledger(ledger_database);
  // Gate events wait here, appended on Paho's thread before the acknowledgement, until their
  // decision is in the database.
  GateInboxLog gate_inbox(config.settings.db_path, config.settings.gate_inbox_sync ? GateInboxLog::Flush::ToDisk
                                                                                  : GateInboxLog::Flush::ToKernel);
  SqliteGateLedger ledger_reader(database);
  std::vector<Household> households;
  std::vector<Vehicle> vehicles;
  if (auto e = registry_store.load(households, vehicles)) {
    throw std::runtime_error("cannot read the registry from '" + config.settings.db_path + "': " + e.message());
  }
  std::vector<SpecialPass> passes;
  if (auto e = pass_store.load(passes)) {
    throw std::runtime_error("cannot read the special passes from '" + config.settings.db_path + "': " + e.message());
  }
  const std::size_t household_count = households.size();
  const std::size_t vehicle_count = vehicles.size();

  const TimeMs started_at = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
  boost::asio::io_context io(1);
  auto strand = boost::asio::make_strand(io);
  // Outlives the sessions, which release their place in it when they go.
  ConnectLimiter connect_limiter(config.settings.broker.connects_at_once);
  SessionPublisher publisher;
  std::vector<std::string> lot_ids;
  for (const Lot& lot : config.lots) lot_ids.push_back(lot.id());
  StoreWorker store_worker;
  StoreWorker control_worker;  // the control API's SQLite calls: a month's notice never delays a gate
  EngineHost host(strand, std::move(config.lots), options.sim_clock, publisher, &space_states, &gate_ledger,
                  &store_worker, &gate_inbox);
  host.set_registry(Registry(std::move(households), std::move(vehicles)));
  host.set_pact(config.pact);
  host.set_special_passes(SpecialPasses(std::move(passes)));
  host.set_history(&history_writer);
  host.set_alert_store(&alert_writer);
  host.set_pacing(DrainPacing{config.settings.intake.hold_above_per_s,
                              std::chrono::microseconds(config.settings.intake.hold_window_us)});
  // Limits are rates in real time; a simulated clock compresses a device's day into seconds, so
  // the simulator (a trusted harness) is not throttled.
  const DeviceLimits& limits = config.settings.limits;
  if (!options.sim_clock) {
    host.set_limits(ThrottleLimits{limits.sensor_reports_per_s, limits.sensor_burst},
                    ThrottleLimits{limits.gate_events_per_s, limits.gate_burst});
  } else {
    host.set_limits(ThrottleLimits{1e12, 1e12}, ThrottleLimits{1e12, 1e12});
  }
  ControlApi control(host, ControlStores{control_worker, registry_store, audit_log, ledger_reader, history_reader, bill_archive, pass_store, alert_reader, space_history_reader,
                                                 [&database](std::string& bytes) { return backup_bytes(database, bytes); }},
                     tokens.tokens, config.pact, host.engine().lot_count() > 0 ? host.engine().lot(0).name() : std::string());
  EventFeed event_feed(host);
  host.set_live_events(&event_feed);
  control.set_event_feed(&event_feed);
  Log::info("parkd", "registry: {} households, {} permits on record", household_count, vehicle_count);
  // Made before parkd checked them (release 1): each such pair is billed twice until corrected.
  for (const std::string& overlap : overlapping_permits(host.desk().registry())) Log::warn("registry", "{}", overlap);

  // systemd (Type=notify) hears READY once every lot's broker session has its subscriptions; the
  // database is open by then. The watchdog is fed from the engine's strand, so a stuck engine
  // is restarted.
  ServiceNotifier notifier;
  std::set<std::string> lots_online;
  bool announced_ready = false;
  auto lot_online = [&](const std::string& lot) {
    lots_online.insert(lot);
    if (announced_ready || lots_online.size() < lot_ids.size()) return;
    announced_ready = true;
    notifier.ready(fmt::format("deciding at the gates of {} lot(s); broker {}", lot_ids.size(),
                               join_broker_uris(config.settings.broker.uris)));
  };
  std::optional<WatchdogFeeder> watchdog;
  if (notifier.watchdog_timeout()) {
    watchdog.emplace(host.strand(), *notifier.watchdog_timeout(), [&notifier] { notifier.alive(); });
    Log::info("parkd", "feeding systemd's watchdog every {} ms", notifier.watchdog_timeout()->count() / 2000);
  }

  // On a NATS cluster with its monitors given: the session stream's leader kept off parkd's nodes.
  std::unique_ptr<SessionStoreKeeper> session_store;
  if (!config.settings.broker.nats_monitors.empty()) {
    for (const std::string& uri : config.settings.broker.uris) {
      const auto& monitors = config.settings.broker.nats_monitors;
      if (std::none_of(monitors.begin(), monitors.end(), [&uri](const BrokerSettings::NatsMonitor& m) { return m.broker == uri; })) {
        Log::warn("broker", "broker.nats_monitors has no monitor for {}: the NATS stream $MQTT_sess is not kept off that node", uri);
      }
    }
    SessionStoreKeeper::Settings k;
    k.monitors = config.settings.broker.nats_monitors;
    k.account = config.settings.broker.nats_account;
    session_store = std::make_unique<SessionStoreKeeper>(
        std::move(k), io.get_executor(),
        [&publisher] {
          std::vector<SessionStoreKeeper::Connection> brokers;
          for (const auto& [lot, session] : publisher.sessions) {
            MqttSessionFigures f = session->figures();
            if (f.connected) brokers.emplace_back(std::move(f.broker), f.online);
          }
          return brokers;
        },
        [&publisher](const std::string& broker, const std::string& topic) {
          for (const auto& [lot, session] : publisher.sessions) {
            const MqttSessionFigures f = session->figures();
            if (f.connected && f.broker == broker) return session->send_now(topic, std::string());
          }
          return false;
        });
  }
  const std::string password = read_password(config.settings.broker.password_file);
  for (std::size_t i = 0; i < lot_ids.size(); ++i) {
    const std::string& lot = lot_ids[i];
    MqttSession::Settings s;
    s.uris = config.settings.broker.uris;
    s.client_id = config.settings.broker.client_id + "-" + lot;
    s.username = config.settings.broker.username;
    s.password = password;
    s.ca_file = config.settings.broker.ca_file;
    s.cert_file = config.settings.broker.cert_file;
    s.key_file = config.settings.broker.key_file;
    s.subscriptions = {"parking/" + lot + "/sensors/+/+", "parking/" + lot + "/gates/+/event"};
    s.probes = {{s.subscriptions[0], sensor_probe_topic(lot)}, {s.subscriptions[1], gate_probe_topic(lot)}};
    s.probe_interval = std::chrono::seconds(config.settings.broker.probe_interval_s);
    s.subscribe_timeout = std::chrono::seconds(config.settings.broker.subscribe_timeout_s);
    s.probe_tag = fmt::format("parkd-{}-{}", ::getpid(), started_at);
    s.connect_limiter = &connect_limiter;
    if (options.sim_clock && i == 0) s.subscriptions.emplace_back(kSimClockTopic);
    if (i == 0) s.receive_tick_topic = engine_tick_topic(lot);
    s.status_topic = engine_status_topic(lot);
    s.online_payload = engine_status_payload(true, started_at);
    s.will_payload = engine_status_payload(false, started_at);
    publisher.sessions[lot] = std::make_unique<MqttSession>(
        std::move(s), io.get_executor(),
        [&host](std::string topic, std::string payload) { host.enqueue(std::move(topic), std::move(payload)); },
        [&host, &lot_online, &session_store, lot] {
          if (session_store) session_store->check_soon();
          boost::asio::post(host.strand(), [&host, &lot_online, lot] {
            host.republish_frames(lot);
            lot_online(lot);
          });
        });
  }
  // The map is complete before anything runs: read on the strand, never changed.
  host.set_broker_states([&publisher](std::string_view lot) {
    const auto it = publisher.sessions.find(std::string(lot));
    return it == publisher.sessions.end() ? std::string() : std::string(broker_state(it->second->figures()));
  });
  ConsoleFiles console;
  if (!config.settings.console_dir.empty()) {
    std::string problem;
    console = ConsoleFiles::load(config.settings.console_dir, problem);
    // The gates matter more than the console: parkd runs without it and says why.
    if (!problem.empty()) Log::warn("http", "no console: {}", problem);
  }
  std::shared_ptr<boost::asio::ssl::context> https;
  if (!config.settings.http_tls_cert_file.empty()) {
    https = server_tls_context(config.settings.http_tls_cert_file, config.settings.http_tls_key_file);
    control.set_secure_cookies(true);
  }
  HttpServer http(host.strand(), config.settings.http_listen,
                  [&host, &control, &event_feed, &console, &publisher, &connect_limiter, &session_store, started_at](const HttpServer::Request& request, HttpServer::Respond respond) {
                    const std::string target(request.target());
                    if (target.rfind("/v1/", 0) == 0) return control.handle(request, std::move(respond));
                    if (request.method() != boost::beast::http::verb::get) {
                      return respond(HttpReply{405, "application/json", R"({"error":"only GET is served here","code":"method_not_allowed"})"});
                    }
                    if (target == "/metrics") {
                      LatencyHistogram publish_to_ack;
                      std::vector<MqttSessionFigures> sessions;
                      for (const auto& [lot, session] : publisher.sessions) {
                        publish_to_ack.add(session->publish_to_ack());
                        sessions.push_back(session->figures());
                      }
                      const SessionStoreKeeper::Figures figures = session_store ? session_store->figures() : SessionStoreKeeper::Figures{};
                      return respond(HttpReply{200, "text/plain; version=0.0.4; charset=utf-8",
                                               render_metrics(host, started_at, &event_feed, &publish_to_ack, sessions, &connect_limiter,
                                                              session_store ? &figures : nullptr)});
                    }
                    if (target == "/healthz") return respond(HttpReply{200, "application/json", R"({"status":"ok"})"});
                    if (auto file = console.get(target)) return respond(std::move(*file));
                    respond(HttpReply{404, "application/json", R"({"error":"no such endpoint","code":"no_such_endpoint"})"});
                  },
                  HttpServer::kMaxConnections, https);
  http.start();

  // Queued first, so it runs before any message Paho hands over: the outbox and what the inbox
  // kept are dealt with before anything new.
  boost::asio::post(host.strand(), [&host, &watchdog, &event_feed] {
    host.start();
    event_feed.start();
    if (watchdog) watchdog->start();
  });
  // SIGHUP (systemctl reload parkd): the token file again, so a leaked or departed token ends
  // without a restart. A file that cannot be read or parsed changes nothing: the tokens in use stay.
  // Set before anything can say parkd is up: SIGHUP's default action would end it.
  boost::asio::signal_set reload(io, SIGHUP);
  const std::string token_path = control_token_file(config.settings);
  std::function<void()> wait_for_reload = [&] {
    reload.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      TokenFileRead again = read_token_file(token_path, false);
      if (!again.error.empty()) {
        Log::error("control", "SIGHUP: the tokens stay as they were: {}", again.error);
      } else {
        boost::asio::post(host.strand(), [&control, tokens = std::move(again.tokens)]() mutable {
          const std::size_t count = tokens.size();
          const std::size_t ended = control.replace_tokens(std::move(tokens));
          Log::info("control", "SIGHUP: {} token(s) read again; {} browser session(s) signed out", count, ended);
        });
      }
      wait_for_reload();
    });
  };
  wait_for_reload();
  // Every connect() starts before any is waited on (Paho serialises a second client's connect).
  for (auto& [lot, session] : publisher.sessions) session->start();
  if (session_store) session_store->start();

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    Log::info("parkd", "signal {}: stopping", signal);
    notifier.stopping("stopping: finishing the decisions in flight");
    // What Paho has acknowledged is processed before the strand stops.
    boost::asio::post(host.strand(), [&host, &io, &watchdog] {
      if (watchdog) watchdog->stop();
      host.finish_in_flight();
      // After the decisions that finish_in_flight() released, which are queued on the strand.
      boost::asio::post(host.strand(), [&io] { io.stop(); });
    });
  });
  Log::info("parkd", "started: {} lot(s), broker {}, database {}, {} {}, {} clock", lot_ids.size(),
            join_broker_uris(config.settings.broker.uris), config.settings.db_path, http.tls() ? "https" : "http", config.settings.http_listen,
            options.sim_clock ? "simulated" : "system");
  io.run();

  // Every lot's session at once: their final status out, then one wait of at most 3 s for all the
  // acknowledgements and 2 s more for the disconnects.
  for (auto& [lot, session] : publisher.sessions) session->begin_stop(engine_status_payload(false, started_at));
  const auto status_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  for (auto& [lot, session] : publisher.sessions) session->finish_stop(status_deadline, status_deadline + std::chrono::seconds(2));
  // Gone before what they call back into (the host, the recorder, the store threads' jobs):
  // destroying a Paho client joins its callbacks. What they acknowledged by then is taken out of
  // the outbox before the store threads stop.
  publisher.sessions.clear();
  host.flush_delivered();
  store_worker.stop();
  control_worker.stop();
  const HostCounters& c = host.counters();
  Log::info("parkd", "stopped after {} messages: {} frames sent, {} not sent, {} unknown topics, {} bad reports",
            c.messages, host.frame_counters().published, host.frame_counters().dropped, c.unknown_topics,
            host.decoder().rejected(DecodeRejection::Malformed) + host.decoder().rejected(DecodeRejection::Oversized) +
                host.decoder().rejected(DecodeRejection::MissingField) +
                host.decoder().rejected(DecodeRejection::AbsurdField) +
                host.decoder().rejected(DecodeRejection::TopicMismatch));
  return 0;
}

}  // namespace
}  // namespace parkd

int main(int argc, char** argv) {
  using namespace parkd;
  const DaemonOptionsParse parsed = parse_daemon_options(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed.options) {
    std::fprintf(stderr, "parkd: %s\n%s", parsed.error.c_str(), daemon_usage().c_str());
    return 2;
  }
  if (parsed.options->help) {
    std::printf("%s", daemon_usage().c_str());
    return 0;
  }
  if (parsed.options->version) {
    std::printf("parkd %s\n", kParkdVersion);
    return 0;
  }
  DaemonOptions options = *parsed.options;
  if (!options.config_given) options.config_path = default_config_file();
  try {
    return run(options);
  } catch (const std::exception& e) {
    Log::error("parkd", "{}", e.what());  // under systemd, the journal records it as an error
    return 1;
  }
}
