// Loading configuration: the shipped xj5 lot, a second lot, and errors with file, line and cause.
#include "config/config_loader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "core/civil_day.h"
#include "core/engine.h"
#include "support/test_lots.h"

namespace parkd {
namespace {

const std::filesystem::path kSource = PARKD_SOURCE_DIR;

std::string all_issues(const ConfigIssues& issues) {
  std::string out;
  for (const auto& i : issues) out += i.to_string() + "\n";
  return out;
}

bool has_issue(const ConfigIssues& issues, const std::string& text) {
  return std::any_of(issues.begin(), issues.end(), [&](const ConfigIssue& i) { return i.to_string().find(text) != std::string::npos; });
}

TEST(ConfigLoader, TheShippedDefaultIsXj5) {
  const ConfigLoad load = load_config_file(kSource / "config/parkd.textproto");
  ASSERT_TRUE(load.config) << all_issues(load.issues);
  const LoadedConfig& c = *load.config;
  EXPECT_EQ(c.settings.broker.uris, (std::vector<std::string>{"tcp://127.0.0.1:1883"}));
  EXPECT_EQ(c.settings.db_path, "var/parkd.db");
  EXPECT_FALSE(c.settings.gate_inbox_sync);
  EXPECT_EQ(c.settings.http_listen, "127.0.0.1:8080");
  ASSERT_EQ(c.lots.size(), 1u);
  const Lot& xj5 = c.lots[0];
  EXPECT_EQ(xj5.id(), "xj5");
  EXPECT_EQ(xj5.spaces().size(), 185u);
  std::vector<std::uint32_t> sizes;
  std::vector<std::string> ids;
  for (const Zone& z : xj5.zones()) {
    sizes.push_back(z.space_count);
    ids.push_back(z.id);
  }
  EXPECT_EQ(sizes, (std::vector<std::uint32_t>{36, 34, 32, 30, 28, 25}));
  EXPECT_EQ(ids, (std::vector<std::string>{"A", "B", "C", "D", "E", "F"}));
  EXPECT_EQ(xj5.find_sensor("sensor-A01"), xj5.find_space("A01"));
  EXPECT_EQ(xj5.find_sensor("sensor-F25"), xj5.find_space("F25"));
  EXPECT_FALSE(xj5.find_space("F26"));
  EXPECT_EQ(xj5.gates().size(), 2u);
  EXPECT_TRUE(xj5.find_gate("north") && xj5.find_gate("east"));
  EXPECT_TRUE(xj5.find_display("north") && xj5.find_display("east"));
  EXPECT_EQ(xj5.buildings().size(), 25u);
  EXPECT_EQ(xj5.spaces()[*xj5.find_space("A01")].kind, SpaceKind::Accessible);
  EXPECT_EQ(xj5.spaces()[*xj5.find_space("D01")].kind, SpaceKind::EvCharging);
  EXPECT_EQ(xj5.timing().debounce_ms, 2'000u);
  EXPECT_EQ(xj5.timing().stale_after_ms, 180'000u);
  EXPECT_EQ(xj5.reserve().reserve_spaces, 10u);
  EXPECT_EQ(xj5.reserve().night_start_minute, 18 * 60);
  EXPECT_EQ(xj5.utc_offset_minutes(), 480);
}

TEST(ConfigLoader, TheShippedPactIsTheSpecs) {
  const ConfigLoad load = load_config_file(kSource / "config/parkd.textproto");
  ASSERT_TRUE(load.config) << all_issues(load.issues);
  ASSERT_EQ(load.config->pact.size(), 1u);
  const PactVersion& v = load.config->pact[0];
  EXPECT_EQ(v.name, "2026-01");
  EXPECT_EQ(format_civil_day(v.effective_from), "2026-01-01");
  EXPECT_EQ(v.terms.owner_monthly, (std::vector<Fen>{15'000, 30'000, 60'000}));
  EXPECT_EQ(v.terms.tenant_monthly, (std::vector<Fen>{20'000, 40'000}));
  EXPECT_EQ(v.terms.tenant_max_cars, 2u);
  EXPECT_EQ(v.terms.visitor_free_ms, 30 * 60'000);
  EXPECT_EQ(v.terms.visitor_cap_per_24h, 4'000);
}

TEST(ConfigLoader, PactVersionsAreChecked) {
  const ConfigLoad load = load_config_text(
      "lots { lot_id: \"x\" sensor_id_prefix: \"s-\" zones { zone_id: \"A\" space_count: 1 } }\n"
      "pact { name: \"a\" effective_from: \"2026-02-30\" owner_monthly_fen: [1] tenant_monthly_fen: [1] }\n"
      "pact { name: \"a\" effective_from: \"2026-03-01\" tenant_monthly_fen: [-5] }\n",
      "p.textproto", ".");
  EXPECT_FALSE(load.config);
  EXPECT_TRUE(has_issue(load.issues, "p.textproto:2:1: pact version 'a' effective_from '2026-02-30' is not a date"))
      << all_issues(load.issues);
  EXPECT_TRUE(has_issue(load.issues, "p.textproto:3:1: pact version 'a' is defined twice")) << all_issues(load.issues);
  EXPECT_TRUE(has_issue(load.issues, "pact version 'a' lists no owner_monthly_fen"));
  EXPECT_TRUE(has_issue(load.issues, "pact version 'a' has a negative amount"));
}

// A district's brokers: the nodes of a cluster, tried in order; each checked at load.
TEST(ConfigLoader, BrokersAreAListTriedInOrderAndEachIsChecked) {
  const char* lot = "lots { lot_id: \"x\" sensor_id_prefix: \"s-\" zones { zone_id: \"A\" space_count: 1 } }\n";
  const ConfigLoad three = load_config_text(
      std::string(lot) + "broker { uris: [\"tcp://127.0.0.1:4222\", \"tcp://127.0.0.1:4223\", \"ssl://127.0.0.1:4224\"] }\n",
      "b.textproto", ".");
  ASSERT_TRUE(three.config) << all_issues(three.issues);
  EXPECT_EQ(three.config->settings.broker.uris,
            (std::vector<std::string>{"tcp://127.0.0.1:4222", "tcp://127.0.0.1:4223", "ssl://127.0.0.1:4224"}));
  const ConfigLoad one = load_config_text(std::string(lot) + "broker { uri: \"tcp://127.0.0.1:1999\" }\n", "o.textproto", ".");
  ASSERT_TRUE(one.config) << all_issues(one.issues);
  EXPECT_EQ(one.config->settings.broker.uris, (std::vector<std::string>{"tcp://127.0.0.1:1999"}));
  const auto refused = [&](const std::string& broker, const std::string& why) {
    const ConfigLoad load = load_config_text(std::string(lot) + broker + "\n", "r.textproto", ".");
    EXPECT_FALSE(load.config) << broker;
    EXPECT_TRUE(has_issue(load.issues, "r.textproto:2:1: broker: " + why)) << broker << ": " << all_issues(load.issues);
  };
  refused("broker { uri: \"tcp://127.0.0.1:1\" uris: [\"tcp://127.0.0.1:2\"] }", "give the broker as uri or as uris, not both");
  refused("broker { uris: [\"127.0.0.1:1883\"] }", "'127.0.0.1:1883' is not a tcp://, ssl://, mqtt:// or mqtts:// URI");
  refused("broker { uris: [\"tcp://127.0.0.1\"] }", "'tcp://127.0.0.1' needs a host and a port (HOST:PORT)");
  refused("broker { uris: [\"tcp://127.0.0.1:70000\"] }", "'tcp://127.0.0.1:70000' has no port from 1 to 65535");
  refused("broker { uris: [\"tcp://127.0.0.1:1\", \"tcp://127.0.0.1:1\"] }", "'tcp://127.0.0.1:1' is listed twice");
  refused("broker { probe_interval_s: 3601 }", "probe_interval_s is 3601; at most 3600 (an hour), or 0 for no probes");
  EXPECT_EQ(one.config->settings.broker.probe_interval_s, 30u);
  const ConfigLoad off = load_config_text(std::string(lot) + "broker { probe_interval_s: 0 }\n", "p.textproto", ".");
  ASSERT_TRUE(off.config) << all_issues(off.issues);
  EXPECT_EQ(off.config->settings.broker.probe_interval_s, 0u);
  refused("broker { connects_at_once: 10001 }", "connects_at_once is 10001; at most 10000, or 0 for no limit");
  EXPECT_EQ(one.config->settings.broker.connects_at_once, 32u);
  const ConfigLoad unlimited = load_config_text(std::string(lot) + "broker { connects_at_once: 0 }\n", "c.textproto", ".");
  ASSERT_TRUE(unlimited.config) << all_issues(unlimited.issues);
  EXPECT_EQ(unlimited.config->settings.broker.connects_at_once, 0u);
  refused("broker { subscribe_timeout_s: 0 }", "subscribe_timeout_s is 0; 1 to 600 seconds (parkd must wait for an answer)");
  refused("broker { subscribe_timeout_s: 601 }", "subscribe_timeout_s is 601; at most 600 (ten minutes)");
  EXPECT_EQ(one.config->settings.broker.subscribe_timeout_s, 30u);
  const ConfigLoad patient = load_config_text(std::string(lot) + "broker { subscribe_timeout_s: 120 }\n", "s.textproto", ".");
  ASSERT_TRUE(patient.config) << all_issues(patient.issues);
  EXPECT_EQ(patient.config->settings.broker.subscribe_timeout_s, 120u);
}

// On a NATS cluster: each node's monitoring endpoint by its broker URI (SessionStoreKeeper).
TEST(ConfigLoader, NatsMonitorsAreByBrokerAndEachIsChecked) {
  const char* lot = "lots { lot_id: \"x\" sensor_id_prefix: \"s-\" zones { zone_id: \"A\" space_count: 1 } }\n";
  const ConfigLoad two = load_config_text(
      std::string(lot) +
          "broker { uris: [\"tcp://127.0.0.1:4222\", \"tcp://127.0.0.1:4223\"] nats_account: \"district\"\n"
          "  nats_monitors { broker: \"tcp://127.0.0.1:4222\" monitor: \"http://127.0.0.1:8222\" }\n"
          "  nats_monitors { broker: \"tcp://127.0.0.1:4223\" monitor: \"http://127.0.0.1:8223\" } }\n",
      "m.textproto", ".");
  ASSERT_TRUE(two.config) << all_issues(two.issues);
  const BrokerSettings& b = two.config->settings.broker;
  ASSERT_EQ(b.nats_monitors.size(), 2u);
  EXPECT_EQ(b.nats_monitors[1].broker, "tcp://127.0.0.1:4223");
  EXPECT_EQ(b.nats_monitors[1].monitor, "http://127.0.0.1:8223");
  EXPECT_EQ(b.nats_account, "district");
  const ConfigLoad none = load_config_text(lot, "n.textproto", ".");
  ASSERT_TRUE(none.config);
  EXPECT_TRUE(none.config->settings.broker.nats_monitors.empty());
  EXPECT_EQ(none.config->settings.broker.nats_account, "$G");
  const auto refused = [&](const std::string& broker, const std::string& why) {
    const ConfigLoad load = load_config_text(std::string(lot) + broker + "\n", "r.textproto", ".");
    EXPECT_FALSE(load.config) << broker;
    EXPECT_TRUE(has_issue(load.issues, "r.textproto:2:1: broker: nats_monitors: " + why)) << broker << ": "
                                                                                          << all_issues(load.issues);
  };
  refused("broker { nats_monitors { broker: \"127.0.0.1:4222\" monitor: \"http://127.0.0.1:8222\" } }",
          "'127.0.0.1:4222' is not a tcp://, ssl://, mqtt:// or mqtts:// URI");
  refused("broker { nats_monitors { broker: \"tcp://127.0.0.1:4222\" monitor: \"https://127.0.0.1:8222\" } }",
          "'https://127.0.0.1:8222' is not an http:// URL");
  refused("broker { nats_monitors { broker: \"tcp://127.0.0.1:4222\" monitor: \"http://127.0.0.1:8222/varz\" } }",
          "'http://127.0.0.1:8222/varz' has no port from 1 to 65535 (and no path: the endpoint itself)");
  refused("broker { nats_monitors { broker: \"tcp://127.0.0.1:4222\" monitor: \"http://127.0.0.1\" } }",
          "'http://127.0.0.1' needs a host and a port (http://HOST:PORT)");
  refused("broker { nats_monitors { broker: \"tcp://127.0.0.1:4222\" monitor: \"http://127.0.0.1:8222\" }"
          " nats_monitors { broker: \"tcp://127.0.0.1:4222\" monitor: \"http://127.0.0.1:8223\" } }",
          "'tcp://127.0.0.1:4222' has two monitors");
  const ConfigLoad spaced = load_config_text(std::string(lot) + "broker { nats_account: \"district 7\" }\n", "r.textproto", ".");
  EXPECT_FALSE(spaced.config);
  EXPECT_TRUE(has_issue(spaced.issues, "r.textproto:2:1: broker: nats_account 'district 7': letters, digits, $, -, _ and . only"))
      << all_issues(spaced.issues);
}

TEST(ConfigLoader, DeviceLimitsHaveDefaultsAndMustAllowAMessage) {
  const char* lot = "lots { lot_id: \"x\" sensor_id_prefix: \"s-\" zones { zone_id: \"A\" space_count: 1 } }\n";
  const ConfigLoad defaults = load_config_text(lot, "d.textproto", ".");
  ASSERT_TRUE(defaults.config);
  EXPECT_EQ(defaults.config->settings.limits.sensor_reports_per_s, 5.0);
  EXPECT_EQ(defaults.config->settings.limits.gate_burst, 50.0);
  const ConfigLoad raised = load_config_text(std::string(lot) + "limits { gate_events_per_s: 100 }\n", "r.textproto", ".");
  ASSERT_TRUE(raised.config);
  EXPECT_EQ(raised.config->settings.limits.gate_events_per_s, 100.0);
  const ConfigLoad synced = load_config_text(std::string(lot) + "store { gate_inbox_sync: true }\n", "s.textproto", ".");
  ASSERT_TRUE(synced.config);
  EXPECT_TRUE(synced.config->settings.gate_inbox_sync);
  const ConfigLoad zero = load_config_text(std::string(lot) + "limits { sensor_burst: 0.5 }\n", "z.textproto", ".");
  EXPECT_FALSE(zero.config);
  EXPECT_TRUE(has_issue(zero.issues, "z.textproto:2:1: every limit must be 1 or more")) << all_issues(zero.issues);
}

TEST(ConfigLoader, TheIntakesPacingHasDefaultsAndRefusesAWindowOutOfRange) {
  const char* lot = "lots { lot_id: \"x\" sensor_id_prefix: \"s-\" zones { zone_id: \"A\" space_count: 1 } }\n";
  const ConfigLoad defaults = load_config_text(lot, "d.textproto", ".");
  ASSERT_TRUE(defaults.config);
  EXPECT_EQ(defaults.config->settings.intake.hold_above_per_s, 5'000.0);
  EXPECT_EQ(defaults.config->settings.intake.hold_window_us, 2'000u);
  const ConfigLoad off = load_config_text(std::string(lot) + "intake { hold_above_per_s: 0 hold_window_us: 500 }\n",
                                          "o.textproto", ".");
  ASSERT_TRUE(off.config) << all_issues(off.issues);
  EXPECT_EQ(off.config->settings.intake.hold_above_per_s, 0.0);
  EXPECT_EQ(off.config->settings.intake.hold_window_us, 500u);
  const ConfigLoad short_window = load_config_text(std::string(lot) + "intake { hold_window_us: 20 }\n", "w.textproto", ".");
  EXPECT_FALSE(short_window.config);
  EXPECT_TRUE(has_issue(short_window.issues, "w.textproto:2:1: intake.hold_window_us must be 50 to 10000 (it is 20)"))
      << all_issues(short_window.issues);
  const ConfigLoad negative = load_config_text(std::string(lot) + "intake { hold_above_per_s: -1 }\n", "n.textproto", ".");
  EXPECT_FALSE(negative.config);
  EXPECT_TRUE(has_issue(negative.issues, "n.textproto:2:1: intake.hold_above_per_s must be 0 (never hold) or more"))
      << all_issues(negative.issues);
}

TEST(ConfigLoader, OneEngineServesTwoDifferentLots) {
  const ConfigLoad load = load_config_file(kSource / "tests/data/configs/two-lots.textproto");
  ASSERT_TRUE(load.config) << all_issues(load.issues);
  ASSERT_EQ(load.config->lots.size(), 2u);
  const Lot& riverside = load.config->lots[1];
  EXPECT_EQ(riverside.id(), "riverside");
  EXPECT_EQ(riverside.find_sensor("mag-0102"), riverside.find_space("L-2"));
  EXPECT_EQ(riverside.zones()[1].name_zh, "lower区");  // defaulted from the id
  EXPECT_EQ(riverside.timing().debounce_ms, 0u);       // an explicit 0 is kept
  EXPECT_EQ(riverside.reserve().night_end_minute, 6 * 60 + 30);

  test::RecordingSink sink;
  Engine engine(load.config->lots, sink);
  const TimeMs t = test::kNoonShanghai;
  engine.on_sensor_report(test::reading("riverside", "mag-0001", "U-1", false, 1), t);
  engine.on_sensor_report(test::reading("riverside", "mag-0001", "U-1", true, 2), t);  // no debounce here
  engine.on_sensor_report(test::reading("xj5", "sensor-A03", "A03", false, 1), t);
  EXPECT_EQ(engine.occupancy(1).state(0), SpaceState::Occupied);
  EXPECT_EQ(engine.occupancy(0).lot_counts().free(), 1u);
  EXPECT_EQ(engine.on_sensor_report(test::reading("xj5", "mag-0001", "U-1", true, 3), t), ReportOutcome::UnknownSensor);
}

TEST(ConfigLoader, SyntaxErrorsGiveFileLineAndColumn) {
  const ConfigLoad load = load_config_text("broker { uri: \"tcp://127.0.0.1:1\" }\nlots { lot_id: \"x\" zones { zone_id: }\n",
                                           "bad.textproto", ".");
  EXPECT_FALSE(load.config);
  ASSERT_FALSE(load.issues.empty());
  EXPECT_EQ(load.issues[0].file, "bad.textproto");
  EXPECT_EQ(load.issues[0].line, 2);
  EXPECT_GT(load.issues[0].column, 1);
}

TEST(ConfigLoader, UnknownFieldsAreErrors) {
  const ConfigLoad load = load_config_text("lots { lot_id: \"x\" colour: \"red\" }\n", "f.textproto", ".");
  EXPECT_FALSE(load.config);
  EXPECT_TRUE(has_issue(load.issues, "f.textproto:1:")) << all_issues(load.issues);
  EXPECT_TRUE(has_issue(load.issues, "colour")) << all_issues(load.issues);
}

TEST(ConfigLoader, SemanticErrorsPointAtTheLineOfTheItem) {
  const std::string text =
      "lot_id: \"x\"\n"                                                   // 1
      "sensor_id_prefix: \"s-\"\n"                                         // 2
      "zones { zone_id: \"A\" space_count: 3 }\n"                          // 3
      "zones { zone_id: \"A\" space_count: 2 }\n"                          // 4
      "zones { zone_id: \"B\" }\n"                                         // 5
      "buildings { building_id: \"1\" nearest_zones: [\"A\", \"Q\"] }\n"  // 6
      "space_kinds { space_id: \"Z09\" kind: SPACE_KIND_ACCESSIBLE }\n"    // 7
      "visitor_reserve { night_start: \"25:00\" }\n";                      // 8
  const LotSpecParse parsed = parse_lot_spec(text, "lots/x.textproto");
  EXPECT_TRUE(has_issue(parsed.issues, "lots/x.textproto:7:1: space_kinds names unknown space 'Z09'"))
      << all_issues(parsed.issues);
  EXPECT_TRUE(has_issue(parsed.issues, "lots/x.textproto:8:")) << all_issues(parsed.issues);
  EXPECT_TRUE(has_issue(parsed.issues, "night_start '25:00' is not a time HH:MM"));
  ASSERT_FALSE(parsed.spec);

  // Without those two, the rest reaches validation, which keeps the lines.
  const std::string rest = text.substr(0, text.find("space_kinds"));
  const LotSpecParse ok_parse = parse_lot_spec(rest, "lots/x.textproto");
  ASSERT_TRUE(ok_parse.spec) << all_issues(ok_parse.issues);
  const LotBuild built = Lot::build(*ok_parse.spec);
  EXPECT_FALSE(built.lot);
  EXPECT_TRUE(has_issue(built.issues, "lots/x.textproto:4:1: zone 'A' is defined twice")) << all_issues(built.issues);
  EXPECT_TRUE(has_issue(built.issues, "lots/x.textproto:5:1: zone 'B' has no spaces")) << all_issues(built.issues);
  EXPECT_TRUE(has_issue(built.issues, "lots/x.textproto:6:")) << all_issues(built.issues);
  EXPECT_TRUE(has_issue(built.issues, "building '1' names unknown zone 'Q'"));
}

TEST(ConfigLoader, ABadLotFileStopsTheWholeConfiguration) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "parkd-config-test";
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "good.textproto") << "lot_id: \"good\" sensor_id_prefix: \"s-\" zones { zone_id: \"A\" space_count: 2 }\n";
    std::ofstream(dir / "bad.textproto") << "lot_id: \"bad\"\nzones { zone_id: \"A\" space_count: 2 spaces { space_id: \"A9\" sensor_id: \"q\" } }\n";
    std::ofstream(dir / "parkd.textproto") << "lot_files: \"good.textproto\"\nlot_files: \"bad.textproto\"\nlot_files: \"missing.textproto\"\n";
  }
  const ConfigLoad load = load_config_file(dir / "parkd.textproto");
  EXPECT_FALSE(load.config);  // never a half-configured engine
  EXPECT_TRUE(has_issue(load.issues, "bad.textproto:2:1: zone 'A' gives both space_count and spaces")) << all_issues(load.issues);
  EXPECT_TRUE(has_issue(load.issues, "parkd.textproto:3:1: cannot read lot file")) << all_issues(load.issues);
  std::filesystem::remove_all(dir);
}

TEST(ConfigLoader, AMissingFileIsReported) {
  const ConfigLoad load = load_config_file("/nonexistent/parkd.textproto");
  EXPECT_FALSE(load.config);
  EXPECT_TRUE(has_issue(load.issues, "/nonexistent/parkd.textproto: cannot read the configuration file"));
}

}  // namespace
}  // namespace parkd
