// parkctl end to end: the real parkd (xj5, simulated clock) on a real Mosquitto and SQLite, the
// real parkctl binary; every command, its tables and JSON, the token, the audit log, the bills
// against golden files, the notice against the bills, and the exit codes of the error paths.
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>
#include <sstream>

#include "core/billing.h"
#include "core/civil_day.h"
#include "parking/v1/control.pb.h"
#include "parking/v1/messages.pb.h"
#include "support/mqtt_probe.h"
#include "support/processes.h"

namespace parkd {
namespace {

using namespace std::chrono_literals;

// Local time of xj5 (UTC+8) as Unix ms.
TimeMs local(int y, int mo, int d, int h, int mi) {
  return local_day_start_ms(civil_day(y, mo, d), 480) + (h * 60 + mi) * kMsPerMinute;
}

class ParkctlTest : public ::testing::Test {
 protected:
  // Whatever a test did, the parkd still running must stop cleanly: exit 0 on SIGTERM (under
  // ThreadSanitizer a race report makes it 66).
  void TearDown() override {
    if (parkd.running()) {
      EXPECT_EQ(parkd.stop(), 0) << log();
    }
  }
  void SetUp() override {
    broker.start();
    token_file = dir.path() / "var" / "parkd.token";
    parkd.start({(test::binary_dir() / "bin/parkd").string(), "--config",
                 (test::source_dir() / "config/parkd.textproto").string(), "--broker", broker.uri(), "--db",
                 (dir.path() / "var" / "parkd.db").string(), "--http", "127.0.0.1:" + std::to_string(http_port),
                 "--sim-clock"},
                dir.path() / "parkd.log");
    ASSERT_TRUE(test::wait_for_port(http_port, 10s)) << log();
    devices = std::make_unique<test::MqttProbe>(broker.uri(), "devices");
    devices->subscribe("parking/xj5/gates/+/decision");
    devices->subscribe("parking/xj5/engine/status");
    wait_until_online();
  }

  // parkd subscribes before it says it is online: from then on nothing published is missed.
  void wait_until_online() {
    ASSERT_TRUE(devices->wait_for([](const test::Received& r) {
      parking::v1::EngineStatus s;
      return r.topic == "parking/xj5/engine/status" && s.ParseFromString(r.payload) && s.online();
    })) << log();
    devices->clear();
  }

  std::string log() { return test::read_file(dir.path() / "parkd.log"); }

  // Stops parkd and starts it again on the same database, token file and port.
  void restart_parkd() {
    ASSERT_EQ(parkd.stop(), 0) << log();
    devices->clear();
    parkd.start({(test::binary_dir() / "bin/parkd").string(), "--config",
                 (test::source_dir() / "config/parkd.textproto").string(), "--broker", broker.uri(), "--db",
                 (dir.path() / "var" / "parkd.db").string(), "--http", "127.0.0.1:" + std::to_string(http_port),
                 "--sim-clock"},
                dir.path() / "parkd.log");
    ASSERT_TRUE(test::wait_for_port(http_port, 10s));
    wait_until_online();
  }

  // A token file of its own (mode 0600) holding one `name:role:secret` line.
  std::string token_file_for(const std::string& line) {
    const auto path = dir.path() / (line.substr(0, line.find(':')) + ".token");
    std::ofstream(path) << line << "\n";
    ::chmod(path.c_str(), 0600);
    return path.string();
  }

  // parkctl with the endpoint and, unless `with_token` is false, the token file parkd made.
  test::Finished parkctl(std::vector<std::string> args, bool with_token = true) {
    std::vector<std::string> argv = {(test::binary_dir() / "bin/parkctl").string(), "--endpoint",
                                     "http://127.0.0.1:" + std::to_string(http_port)};
    if (with_token) {
      argv.push_back("--token-file");
      argv.push_back(token_file.string());
    }
    argv.insert(argv.end(), args.begin(), args.end());
    return test::run_to_end(argv, dir.path());
  }

  // parkctl run again every 50 ms, up to 5 s, until its output holds `wanted` (what was sent over
  // the broker reaches parkd a moment later); the last run either way.
  test::Finished parkctl_until(const std::vector<std::string>& args, const std::string& wanted) {
    test::Finished run;
    for (int i = 0; i < 100; ++i) {
      run = parkctl(args);
      if (run.out.find(wanted) != std::string::npos) break;
      std::this_thread::sleep_for(50ms);
    }
    return run;
  }

  void clock(TimeMs at) {
    parking::v1::SimClock c;
    c.set_now_ms(at);
    devices->publish("parking/sim/clock", c.SerializeAsString());
  }
  // The clock, and parkd's time there before a call that goes over HTTP, not over the broker.
  void clock_taken(TimeMs at) {
    clock(at);
    const std::string now = "\"now_ms\":\"" + std::to_string(at) + "\"";
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (test::http_get(http_port, "/v1/status").body.find(now) == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(20ms);
    }
    ASSERT_NE(test::http_get(http_port, "/v1/status").body.find(now), std::string::npos) << log();
  }

  void report(const std::string& space, bool occupied) {
    parking::v1::SensorReport r;
    r.set_sensor_id("sensor-" + space);
    r.set_space_id(space);
    r.set_boot_id(1);
    r.set_seq(++seq_);
    r.set_observed_at_ms(1);
    r.set_occupied(occupied);
    r.set_kind(parking::v1::REPORT_KIND_CHANGE);
    r.set_battery_mv(space == "A05" ? 2'300 : 3'000);
    devices->publish("parking/xj5/sensors/sensor-" + space + "/report", r.SerializeAsString());
  }

  // The sensors of A01-A07 speak (A06 and A07 taken), then time moves past the debounce.
  void sensors_speak(TimeMs at) {
    clock(at);
    for (const char* s : {"A01", "A02", "A03", "A04", "A05"}) report(s, false);
    for (const char* s : {"A06", "A07"}) report(s, true);
    clock(at + 5'000);
  }

  // A gate event; waits for its decision and returns it.
  parking::v1::GateDecision gate(const std::string& gate_id, std::uint64_t seq, const std::string& plate, bool entry) {
    parking::v1::GateEvent e;
    e.set_gate_id(gate_id);
    e.set_seq(seq);
    e.set_at_ms(1);
    e.set_plate(plate);
    e.set_direction(entry ? parking::v1::DIRECTION_ENTRY : parking::v1::DIRECTION_EXIT);
    devices->publish("parking/xj5/gates/" + gate_id + "/event", e.SerializeAsString());
    parking::v1::GateDecision d;
    const auto m = devices->wait_for([&](const test::Received& r) {
      parking::v1::GateDecision candidate;
      return candidate.ParseFromString(r.payload) && candidate.gate_id() == gate_id && candidate.event_seq() == seq;
    });
    EXPECT_TRUE(m) << "no decision for " << gate_id << " #" << seq << "\n" << log();
    if (m) d.ParseFromString(m->payload);
    return d;
  }

  void import_october() {
    const auto households = parkctl({"import", "households", (test::source_dir() / "tests/data/registry/households-2026-10.csv").string()});
    ASSERT_EQ(households.code, 0) << households.err;
    EXPECT_NE(households.out.find("4 added"), std::string::npos) << households.out;
    const auto vehicles = parkctl({"import", "vehicles", (test::source_dir() / "tests/data/registry/vehicles-2026-10.csv").string()});
    ASSERT_EQ(vehicles.code, 0) << vehicles.err;
    const auto removed = parkctl({"vehicle", "remove", "沪C30001", "--removed-on", "2026-10-11"});
    ASSERT_EQ(removed.code, 0) << removed.err;
  }

  test::TempDir dir;
  test::Broker broker{dir.path() / "broker"};
  test::ChildProcess parkd;
  int http_port = test::free_loopback_port();
  std::filesystem::path token_file;
  std::unique_ptr<test::MqttProbe> devices;
  std::uint64_t seq_ = 0;
};

TEST_F(ParkctlTest, StatusSpacesAndSensorsShowTheLotInAlignedTablesOrJson) {
  sensors_speak(local(2026, 10, 5, 9, 50));
  const test::Finished status = parkctl_until({"status"}, "all                  5         2");
  ASSERT_EQ(status.code, 0) << status.err;
  // Chinese names take two columns each: the counts still line up under their headings.
  EXPECT_NE(status.out.find("ZONE  NAME        FREE  OCCUPIED  HELD  CLOSED  SUSPECT  UNKNOWN  TOTAL\n"
                            "A     A区 Zone A     5         2     0       0        0       29     36\n"),
            std::string::npos)
      << status.out;
  EXPECT_NE(status.out.find("all                  5         2     0       0        0      178    185"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("active alerts 0, cars inside by the gates (counting begins)"), std::string::npos)
      << "178 spaces not heard from yet: " << status.out;
  EXPECT_NE(status.out.find("simulated clock, broker online)"), std::string::npos) << status.out;
  EXPECT_EQ(status.out.find("does not hear"), std::string::npos) << status.out;

  const auto json = parkctl({"--json", "status"});
  ASSERT_EQ(json.code, 0);
  EXPECT_NE(json.out.find("\"free\":5"), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"clock\":\"simulated\""), std::string::npos) << json.out;

  const auto occupied = parkctl({"spaces", "--zone", "A", "--state", "occupied"});
  ASSERT_EQ(occupied.code, 0) << occupied.err;
  EXPECT_NE(occupied.out.find("A06"), std::string::npos);
  EXPECT_NE(occupied.out.find("A07"), std::string::npos);
  EXPECT_EQ(occupied.out.find("A01"), std::string::npos);
  EXPECT_NE(occupied.out.find("2 space(s)"), std::string::npos) << occupied.out;

  const auto low = parkctl({"sensors", "--low-battery"});
  ASSERT_EQ(low.code, 0);
  EXPECT_NE(low.out.find("sensor-A05"), std::string::npos) << low.out;
  EXPECT_NE(low.out.find("2300 mV LOW"), std::string::npos) << low.out;
  EXPECT_NE(low.out.find("1 sensor(s)"), std::string::npos) << low.out;

  const auto one = parkctl({"space", "A06"});
  ASSERT_EQ(one.code, 0);
  EXPECT_NE(one.out.find("occupied"), std::string::npos);
  EXPECT_NE(one.out.find("2026-10-05 09:50"), std::string::npos) << one.out;  // last heard, local time

  // The broker gone: the counts are what parkd heard last, and status says so first.
  devices.reset();
  broker.stop();
  const test::Finished deaf = parkctl_until({"status"}, "broker disconnected");
  EXPECT_EQ(deaf.code, 0) << deaf.err;
  EXPECT_NE(deaf.out.find(", broker disconnected)\nparkd does not hear this lot's sensors and cameras now"), std::string::npos)
      << deaf.out;
}

// Issue #12: an alert as the office sees it in parkctl, dismissed by a guard and audited.
TEST_F(ParkctlTest, AlertsListWhatWasSeenAndAGuardDismissesOneWithAReason) {
  TimeMs at = local(2026, 10, 5, 9, 50);
  sensors_speak(at);
  at += 5'000;
  // A03's sensor changes its mind 20 times within a few minutes (each change outlasts the debounce).
  for (int i = 1; i <= 20; ++i) {
    report("A03", i % 2 == 1);
    at += 3'000;
    clock(at);
  }
  const test::Finished alerts = parkctl_until({"alerts"}, "FLAPPING_SENSOR");
  ASSERT_EQ(alerts.code, 0) << alerts.err;
  EXPECT_NE(alerts.out.find("FLAPPING_SENSOR  xj5/A03  since 2026-10-05 01:5"), std::string::npos) << alerts.out;
  EXPECT_NE(alerts.out.find("A03: its sensor changed 20 times within 60 minutes — check or replace the sensor"),
            std::string::npos) << alerts.out;
  EXPECT_NE(alerts.out.find("A03：传感器60分钟内变化20次"), std::string::npos) << alerts.out;
  EXPECT_NE(alerts.out.find("1 active alert(s)"), std::string::npos) << alerts.out;
  const std::string id = alerts.out.substr(0, alerts.out.find(' '));
  ASSERT_EQ(id.rfind("A03-flapping_sensor-", 0), 0u) << alerts.out;

  const std::string viewer_line = "committee:viewer:viewer-secret-0123456789";
  const std::string guard_line = "gate-wang:guard:guard-secret-0123456789";
  std::ofstream(token_file, std::ios::app) << viewer_line << "\n" << guard_line << "\n";
  const std::string viewer = token_file_for(viewer_line);
  const std::string guard = token_file_for(guard_line);
  restart_parkd();  // tokens are read at start; the alert is kept across it
  clock(at + 1'000);  // with the simulated clock, what was kept comes back at the first SimClock
  const test::Finished kept = parkctl_until({"alerts", "--json"}, "\"alert_id\":\"" + id + "\"");
  EXPECT_NE(kept.out.find("\"alert_id\":\"" + id + "\""), std::string::npos) << kept.out << log();
  const auto refused = parkctl({"--token-file", viewer, "alert", "dismiss", id, "--reason", "x"}, false);
  EXPECT_EQ(refused.code, 4) << refused.err;
  EXPECT_EQ(parkctl({"--token-file", guard, "alert", "dismiss", id}, false).code, 2) << "a reason is required";
  EXPECT_EQ(parkctl({"--token-file", guard, "alert", "dismiss", "A03-nothing-1", "--reason", "x"}, false).code, 5);
  const auto dismissed = parkctl({"--token-file", guard, "alert", "dismiss", id, "--reason", "sensor replaced 已更换"}, false);
  ASSERT_EQ(dismissed.code, 0) << dismissed.err;
  EXPECT_NE(dismissed.out.find(id + " dismissed (dismissed: sensor replaced 已更换)"), std::string::npos) << dismissed.out;
  EXPECT_NE(parkctl({"alerts"}).out.find("0 active alert(s)"), std::string::npos);
  const auto history = parkctl({"alerts", "--all"});
  EXPECT_NE(history.out.find(id), std::string::npos) << history.out;
  EXPECT_NE(history.out.find("(dismissed: sensor replaced 已更换)"), std::string::npos) << history.out;
  const auto audit = parkctl({"--json", "audit"});
  EXPECT_NE(audit.out.find("\"action\":\"alert.dismiss\""), std::string::npos) << audit.out;
  EXPECT_NE(audit.out.find("\"token_name\":\"gate-wang\""), std::string::npos) << audit.out;
}

// Issue #12: a visitor past the pact's 24 h, from the gates' record: kept across a restart,
// shown to a viewer without its plate, ended by its exit.
TEST_F(ParkctlTest, AVisitorInsidePastTheOverstayIsAnAlertUntilItLeaves) {
  TimeMs at = local(2026, 10, 5, 9, 50);
  sensors_speak(at);
  ASSERT_TRUE(gate("north", 1, "沪B40001", true).admit());
  const std::string viewer_line = "committee:viewer:viewer-secret-0123456789";
  std::ofstream(token_file, std::ios::app) << viewer_line << "\n";
  const std::string viewer = token_file_for(viewer_line);
  restart_parkd();  // the record of the cars inside is kept, and tokens are read at start
  at += 24 * 60 * kMsPerMinute + 5'000;
  clock(at);  // a day later: the restored visitor is past its overstay
  const test::Finished alerts = parkctl_until({"alerts"}, "VISITOR_OVERSTAY");
  ASSERT_EQ(alerts.code, 0) << alerts.err;
  EXPECT_NE(alerts.out.find("VISITOR_OVERSTAY  xj5/沪B40001  since 2026-10-06 01:5"), std::string::npos) << alerts.out << log();
  EXPECT_NE(alerts.out.find("沪B40001: a visitor's car inside since 10-05 09:5"), std::string::npos) << alerts.out;
  EXPECT_NE(alerts.out.find("longer than the pact's 24 h — contact its driver or the household it visited"),
            std::string::npos) << alerts.out;
  const auto seen_by_viewer = parkctl({"--token-file", viewer, "--json", "alerts"}, false);
  ASSERT_EQ(seen_by_viewer.code, 0) << seen_by_viewer.err;
  EXPECT_NE(seen_by_viewer.out.find("VISITOR_OVERSTAY"), std::string::npos) << seen_by_viewer.out;
  EXPECT_EQ(seen_by_viewer.out.find("40001"), std::string::npos) << "no plate for a viewer: " << seen_by_viewer.out;
  EXPECT_NE(seen_by_viewer.out.find("沪B·4***1: a visitor's car"), std::string::npos) << seen_by_viewer.out;

  // Dismissed, it stays dismissed across a restart: the same stay is not raised again.
  const auto listed = parkctl({"--json", "alerts"});
  const auto key = listed.out.find("\"alert_id\":\"");
  ASSERT_NE(key, std::string::npos) << listed.out;
  const std::string id = listed.out.substr(key + 12, listed.out.find('"', key + 12) - key - 12);
  const auto dismissed = parkctl({"alert", "dismiss", id, "--reason", "the household asked the office for a week"});
  ASSERT_EQ(dismissed.code, 0) << dismissed.err;
  restart_parkd();
  at += 60 * kMsPerMinute;
  clock(at);
  // Until parkd's clock reads `at`: the overstay was due before it.
  const test::Finished status = parkctl_until({"--json", "status"}, "\"now_ms\":\"" + std::to_string(at) + "\"");
  ASSERT_NE(status.out.find("\"now_ms\":\"" + std::to_string(at) + "\""), std::string::npos) << status.out;
  const auto quiet = parkctl({"alerts"});
  EXPECT_NE(quiet.out.find("0 active alert(s)"), std::string::npos) << quiet.out << log();

  const auto out = gate("north", 2, "沪B40001", false);
  EXPECT_EQ(out.reason(), "VISITOR_EXIT");
  EXPECT_EQ(out.fee_due_fen(), 4'500) << "one day, capped, and the first hour of the next";
  const test::Finished after = parkctl_until({"alerts"}, "0 active alert(s)");
  EXPECT_NE(after.out.find("0 active alert(s)"), std::string::npos) << after.out;
  const auto history = parkctl({"alerts", "--all"});
  EXPECT_NE(history.out.find("VISITOR_OVERSTAY"), std::string::npos) << history.out;
  EXPECT_NE(history.out.find("(dismissed: the household asked the office for a week)"), std::string::npos)
      << history.out;
}

TEST_F(ParkctlTest, ClosingNeedsTheTokenIsAuditedAndSurvivesARestart) {
  {  // on the simulated clock, before the first SimClock parkd has no time and no restored states yet
    const auto early = parkctl({"close", "A01", "--reason", "repainting"});
    EXPECT_EQ(early.code, 1);
    EXPECT_NE(early.err.find("has had no SimClock yet"), std::string::npos) << early.err;
  }
  sensors_speak(local(2026, 10, 5, 9, 50));
  EXPECT_EQ(parkctl({"close", "A01", "--reason", "repainting"}, /*with_token=*/false).code, 4);
  {
    std::ofstream(dir.path() / "wrong.token") << "intruder:0123456789abcdef0123456789abcdef\n";
    ::chmod((dir.path() / "wrong.token").c_str(), 0600);
    const auto wrong = parkctl({"--token-file", (dir.path() / "wrong.token").string(), "close", "A01", "--reason", "x"}, false);
    EXPECT_EQ(wrong.code, 4);
    EXPECT_NE(wrong.err.find("not one of parkd's"), std::string::npos) << wrong.err;
  }
  const auto closed = parkctl({"close", "A01", "--reason", "repainting 重新划线"});
  ASSERT_EQ(closed.code, 0) << closed.err;
  EXPECT_NE(closed.out.find("xj5/A01 is closed (repainting 重新划线)"), std::string::npos) << closed.out;

  const auto audit = parkctl({"--json", "audit"});
  ASSERT_EQ(audit.code, 0);
  EXPECT_NE(audit.out.find("\"action\":\"space.close\""), std::string::npos) << audit.out;
  EXPECT_NE(audit.out.find("\"token_name\":\"operator\""), std::string::npos);
  EXPECT_NE(audit.out.find("\\\"state\\\":\\\"free\\\""), std::string::npos) << "before: free";
  EXPECT_NE(audit.out.find("\\\"state\\\":\\\"closed\\\""), std::string::npos) << "after: closed";

  // The closure and its reason outlive parkd.
  restart_parkd();
  clock(local(2026, 10, 5, 10, 0));
  const test::Finished after = parkctl_until({"space", "A01"}, "closed");
  EXPECT_NE(after.out.find("closed  repainting 重新划线"), std::string::npos) << after.out << log();
  const auto opened = parkctl({"open", "A01"});
  EXPECT_EQ(opened.code, 0) << opened.err;
  const auto table = parkctl({"audit"});
  EXPECT_NE(table.out.find("space.open"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("space.close"), std::string::npos) << table.out;

  // Its history, newest first: opened (unknown: its sensor has not spoken since the restart),
  // closed with the reason, free at the sensors' first word; the restart put the closure back
  // without adding a change.
  const auto changes = parkctl({"space", "A01", "--history", "10"});
  ASSERT_EQ(changes.code, 0) << changes.err;
  EXPECT_NE(changes.out.find("3 change(s), newest first\n"), std::string::npos) << changes.out;
  const auto opened_at = changes.out.find("2026-10-05 10:00  unknown");
  const auto closed_at = changes.out.find("2026-10-05 09:50  closed   repainting 重新划线");
  const auto first_at = changes.out.find("2026-10-05 09:50  free");
  EXPECT_LT(opened_at, closed_at) << changes.out;
  EXPECT_LT(closed_at, first_at) << changes.out;
  EXPECT_NE(first_at, std::string::npos) << changes.out;
  const auto bad = parkctl({"space", "A01", "--history", "lots"});
  EXPECT_EQ(bad.code, 6) << bad.out;
  EXPECT_NE(bad.err.find("limit must be a whole number from 1 to 500, not 'lots'"), std::string::npos) << bad.err;
}

TEST_F(ParkctlTest, ErrorsSayWhatIsWrongWithDistinctExitCodes) {
  clock(local(2026, 10, 5, 9, 50));
  const auto unknown = parkctl({"space", "Z99"});
  EXPECT_EQ(unknown.code, 5);
  EXPECT_NE(unknown.err.find("no space 'Z99'"), std::string::npos) << unknown.err;
  EXPECT_EQ(parkctl({"spaces", "--state", "parked"}).code, 6);
  EXPECT_EQ(parkctl({"household", "show", "H404"}).code, 5);
  EXPECT_EQ(parkctl({"vehicle", "remove", "沪A99999"}).code, 5);
  EXPECT_EQ(parkctl({"bill", "--month", "2026-13"}).code, 6);
  // Issue #14: a month no pact version covers was an empty CSV with exit 0.
  for (std::vector<std::string> args : {std::vector<std::string>{"bill", "--month", "2023-10"},
                                        std::vector<std::string>{"bill", "--month", "2025-12", "--visitors"},
                                        std::vector<std::string>{"notice", "--month", "2025-12"}}) {
    const auto uncovered = parkctl(args);
    EXPECT_EQ(uncovered.code, 6) << args[2];
    EXPECT_TRUE(uncovered.out.empty()) << "no file at all";
    EXPECT_NE(uncovered.err.find("no pact version covers " + args[2] + ": the first takes effect on 2026-01-01"),
              std::string::npos) << uncovered.err;
  }
  const auto usage = parkctl({"close", "A01"});  // no reason
  EXPECT_EQ(usage.code, 2);
  EXPECT_NE(usage.err.find("--reason is required"), std::string::npos) << usage.err;
  EXPECT_EQ(parkctl({"frobnicate"}).code, 2);
  const auto help = parkctl({"bill", "--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("usage: parkctl [global options] bill --month YYYY-MM"), std::string::npos) << help.out;

  const auto bad_plate = parkctl({"vehicle", "add", "沪I12345", "H1"});
  EXPECT_EQ(bad_plate.code, 6);
  const auto no_household = parkctl({"vehicle", "add", "沪A12345", "H404"});
  EXPECT_EQ(no_household.code, 6);
  EXPECT_NE(no_household.err.find("household 'H404' is not registered"), std::string::npos) << no_household.err;

  // A bad file: every problem by line and column, and nothing imported.
  std::ofstream(dir.path() / "bad.csv") << "household_id,building,room,household_type,lease_end\n"
                                           "H1,3,101,owner,\nH2,7,502,renter,\nH3,,303,tenant,2026-02-30\n";
  const auto bad = parkctl({"import", "households", (dir.path() / "bad.csv").string()});
  EXPECT_EQ(bad.code, 6);
  EXPECT_NE(bad.err.find("line 3, column 4: household_type 'renter' is neither owner nor tenant"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("line 4, column 2: building is empty"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("line 4, column 5:"), std::string::npos) << bad.err;
  EXPECT_EQ(parkctl({"household", "show", "H1"}).code, 5);  // the good first row was not kept either

  ASSERT_EQ(parkd.stop(), 0);
  const auto down = parkctl({"status"});
  EXPECT_EQ(down.code, 3);
  EXPECT_NE(down.err.find("is it running?"), std::string::npos) << down.err;
}

TEST_F(ParkctlTest, TheOctoberBillMatchesTheHandComputedGoldenFileAndTheHouseholdShowsItsCars) {
  clock(local(2026, 10, 5, 9, 50));
  import_october();
  const auto out_file = dir.path() / "bill.csv";
  const auto bill = parkctl({"bill", "--month", "2026-10", "--out", out_file.string()});
  ASSERT_EQ(bill.code, 0) << bill.err;
  EXPECT_EQ(test::read_file(out_file), test::read_file(test::source_dir() / "tests/data/golden/bill-2026-10.csv"));
  const auto excel = parkctl({"bill", "--month", "2026-10", "--excel"});
  EXPECT_EQ(excel.out.rfind("\xEF\xBB\xBFmonth,household_id,", 0), 0u);

  const auto h2 = parkctl({"household", "show", "H2"});
  ASSERT_EQ(h2.code, 0) << h2.err;
  EXPECT_NE(h2.out.find("沪B20003         2026-03-01              3       600.00"), std::string::npos) << h2.out;
  EXPECT_NE(h2.out.find("1050.00 yuan"), std::string::npos) << h2.out;

  // A vehicle added today ranks after the others; a plate in force cannot be added twice.
  EXPECT_EQ(parkctl({"vehicle", "add", "沪A10003", "H1"}).code, 0);
  EXPECT_EQ(parkctl({"vehicle", "add", "沪A10003", "H2"}).code, 6);
  const auto h1 = parkctl({"--json", "household", "show", "H1"});
  EXPECT_NE(h1.out.find("\"plate\":\"沪A10003\",\"household_id\":\"H1\",\"registered_on\":\"2026-10-05\""), std::string::npos) << h1.out;
  const auto audit = parkctl({"audit"});
  for (const char* action : {"import.households", "import.vehicles", "vehicle.remove", "vehicle.add"}) {
    EXPECT_NE(audit.out.find(action), std::string::npos) << action << "\n" << audit.out;
  }
}

// Sums the last column but one (amount) of a bill CSV with a header, in fen.
Fen bill_total(const std::string& csv, std::size_t amount_column) {
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  Fen total = 0;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream row(line);
    std::string cell;
    while (std::getline(row, cell, ',')) cells.push_back(cell);
    const std::string amount = cells.at(amount_column);
    const auto dot = amount.find('.');
    total += std::stoll(amount.substr(0, dot)) * 100 + std::stoll(amount.substr(dot + 1));
  }
  return total;
}

TEST_F(ParkctlTest, VisitorsAreBilledAsTheGoldenFileAndTheNoticeAddsUpToTheBills) {
  clock(local(2026, 10, 5, 9, 50));
  import_october();
  sensors_speak(local(2026, 10, 5, 9, 59));  // sensors go stale after 3 silent minutes
  clock(local(2026, 10, 5, 10, 0));
  const auto first = gate("north", 1, "京A12345", true);
  ASSERT_TRUE(first.admit()) << first.reason() << " " << first.message_en();
  ASSERT_TRUE(gate("north", 2, "沪D55555", true).admit());
  ASSERT_TRUE(gate("east", 1, "粤B77777", true).admit());
  EXPECT_FALSE(gate("north", 3, "XYZ", true).admit());
  const auto inside = parkctl({"visitors"});
  EXPECT_NE(inside.out.find("京A12345  north  2026-10-05 10:00"), std::string::npos) << inside.out;
  EXPECT_NE(inside.out.find("3 visitor(s) inside"), std::string::npos) << inside.out;
  clock(local(2026, 10, 5, 10, 20));
  EXPECT_EQ(gate("north", 4, "沪D55555", false).fee_due_fen(), 0);
  clock(local(2026, 10, 5, 12, 31));
  EXPECT_EQ(gate("east", 2, "粤B77777", false).fee_due_fen(), 1'500);
  // The night, in 2-minute steps with the sensors speaking (they go stale after 3 silent
  // minutes): A06 and A07 stay taken.
  for (TimeMs t = local(2026, 10, 5, 21, 0); t <= local(2026, 10, 6, 7, 0); t += 2 * kMsPerMinute) {
    clock(t);
    for (const char* s : {"A01", "A02", "A03", "A04", "A05"}) report(s, false);
    for (const char* s : {"A06", "A07"}) report(s, true);
  }
  clock(local(2026, 10, 6, 16, 0));
  const auto leaving = gate("north", 5, "京A12345", false);
  EXPECT_EQ(leaving.fee_due_fen(), 7'000);  // 30 hours: 40.00 + 30.00

  const auto visitors = parkctl({"bill", "--month", "2026-10", "--visitors"});
  ASSERT_EQ(visitors.code, 0) << visitors.err;
  EXPECT_EQ(visitors.out, test::read_file(test::source_dir() / "tests/data/golden/visitors-2026-10.csv"));

  const auto bill = parkctl({"bill", "--month", "2026-10"});
  const auto notice = parkctl({"notice", "--month", "2026-10"});
  ASSERT_EQ(notice.code, 0) << notice.err;
  const std::string fees = yuan(bill_total(bill.out, 9));
  const std::string takings = yuan(bill_total(visitors.out, 8));
  EXPECT_EQ(takings, "85.00");
  const std::size_t total = notice.out.find("| 合计 Total |");
  ASSERT_NE(total, std::string::npos) << notice.out;
  const std::string total_row = notice.out.substr(total, notice.out.find('\n', total) - total);
  EXPECT_NE(total_row.find("|  | " + fees + " |"), std::string::npos) << fees << "\n" << notice.out;
  EXPECT_NE(notice.out.find("| 3 | 1 | " + takings + " | 1 |"), std::string::npos) << notice.out;
  EXPECT_NE(notice.out.find("京A·1***5 (30 h)"), std::string::npos) << notice.out;
  EXPECT_EQ(notice.out.find("京A12345"), std::string::npos) << "a plate in clear";
  EXPECT_EQ(notice.out.find("H1"), std::string::npos) << "a household named";
  EXPECT_NE(notice.out.find("| 拒绝 refused: INVALID_PLATE | 1 |"), std::string::npos) << notice.out;
  // The 30-hour visitor was an alert from its 24th hour to its exit.
  EXPECT_NE(notice.out.find("| 访客超时 VISITOR_OVERSTAY | 1 | 6.0 | 0 |"), std::string::npos) << notice.out;
  // Night samples every 5 minutes of parkd's time, each seeing A06 and A07 taken.
  // (Matched by hand: std::regex makes GCC 12 warn falsely under the sanitizers.)
  const auto row = notice.out.find("| xj5 | 185 | 2 (1.1%) | 2026-10-0");
  ASSERT_NE(row, std::string::npos) << notice.out;
  const std::string line = notice.out.substr(row, notice.out.find('\n', row) - row);
  EXPECT_TRUE(line[34] == '5' || line[34] == '6') << line;  // the night of 10-05 to 10-06
  EXPECT_NE(line.find(" | 2.0 (1.1%) | "), std::string::npos) << line;

  const auto html = parkctl({"notice", "--month", "2026-10", "--html"});
  ASSERT_EQ(html.code, 0);
  EXPECT_EQ(html.out.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.out.find("<td>" + fees + "</td>"), std::string::npos);
  EXPECT_NE(html.out.find("京A·1***5"), std::string::npos);
}

// The published figures of a closed month never change: a stay settled by hand may end in an
// ended month until its bills are issued, not after (the owners' bills of a closed month are
// frozen the same way; their corrections go to the open month).
TEST_F(ParkctlTest, AStaySettledByHandCannotEndInAMonthWhoseBillsWereIssued) {
  clock(local(2026, 10, 30, 9, 50));
  sensors_speak(local(2026, 10, 30, 9, 59));
  clock(local(2026, 10, 30, 10, 0));
  ASSERT_TRUE(gate("north", 1, "京A12345", true).admit()) << log();
  ASSERT_TRUE(gate("north", 2, "京A23456", true).admit()) << log();
  clock_taken(local(2026, 11, 3, 9, 0));

  const auto before_issue = parkctl({"visitor", "close", "京A12345", "--reason", "the guard's notes", "--at", "2026-10-31 11:40"});
  ASSERT_EQ(before_issue.code, 0) << "October is not issued yet: " << before_issue.err;
  ASSERT_EQ(parkctl({"bill", "--month", "2026-10"}).code, 0);  // the first export of an ended month issues it
  const auto october = parkctl({"bill", "--month", "2026-10", "--visitors"});
  ASSERT_NE(october.out.find("京A12345"), std::string::npos) << october.out;
  const auto october_notice = parkctl({"notice", "--month", "2026-10"});

  const auto refused = parkctl({"visitor", "close", "京A23456", "--reason", "the guard's notes", "--at", "2026-10-31 12:00"});
  EXPECT_EQ(refused.code, 6) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("is in 2026-10, whose bills were issued"), std::string::npos) << refused.err;
  EXPECT_EQ(parkctl({"bill", "--month", "2026-10", "--visitors"}).out, october.out);
  EXPECT_EQ(parkctl({"notice", "--month", "2026-10"}).out, october_notice.out);
  const auto inside = parkctl({"visitors"});
  EXPECT_NE(inside.out.find("京A23456"), std::string::npos) << "still open: " << inside.out;

  const auto settled = parkctl({"visitor", "close", "京A23456", "--reason", "left 2026-10-31 12:00 by the guard's notes",
                                "--at", "2026-11-01 00:00"});
  ASSERT_EQ(settled.code, 0) << settled.err;
  EXPECT_NE(parkctl({"bill", "--month", "2026-11", "--visitors"}).out.find("京A23456"), std::string::npos);
  EXPECT_EQ(parkctl({"bill", "--month", "2026-10", "--visitors"}).out, october.out);
}

TEST_F(ParkctlTest, GuardsOpenBarriersTheOfficeSettlesStaysAndGrantsPassesAllAudited) {
  // Issue #17 cases 2 and 3 at the real gates: a guard's open reaches the barrier; a session
  // whose exit was unread is settled with the fee for the time the guard noted; an ambulance on
  // civil plates gets a pass; a police car needs none.
  clock(local(2026, 11, 2, 9, 50));
  sensors_speak(local(2026, 11, 2, 9, 59));  // sensors go stale after 3 silent minutes
  clock(local(2026, 11, 2, 10, 0));

  const auto open = parkctl({"gate", "open", "north", "--reason", "plate covered in mud", "--plate", "沪A98765"});
  ASSERT_EQ(open.code, 0) << open.err;
  const auto opened = devices->wait_for([](const test::Received& r) {
    parking::v1::GateDecision d;
    return r.topic == "parking/xj5/gates/north/decision" && d.ParseFromString(r.payload) && d.reason() == "OPENED_BY_GUARD" &&
           d.admit() && d.event_seq() == 0 && d.plate() == "沪A98765";
  });
  EXPECT_TRUE(opened) << "the barrier never heard of it\n" << log();
  EXPECT_EQ(parkctl({"gate", "open", "nowhere", "--reason", "x"}).code, 5);
  EXPECT_EQ(parkctl({"gate", "open", "north"}).code, 2) << "a reason is required";

  const auto visitor = gate("north", 1, "京A12345", true);
  ASSERT_TRUE(visitor.admit()) << visitor.reason() << ": " << visitor.message_en() << "\n" << log();
  clock(local(2026, 11, 2, 13, 0));
  EXPECT_EQ(gate("north", 2, "京A1?345", false).reason(), "EXIT_PLATE_UNREAD");
  const auto early = parkctl({"visitor", "close", "京A12345", "--reason", "x", "--at", "2026-11-02 09:00"});
  EXPECT_EQ(early.code, 6) << "before the entry: " << early.out << early.err;
  const auto settled = parkctl({"visitor", "close", "京A12345", "--reason", "left at 11:40 by the guard's notes", "--at",
                                "2026-11-02 11:40"});
  ASSERT_EQ(settled.code, 0) << settled.err;
  EXPECT_NE(settled.out.find("fee 10.00 yuan"), std::string::npos) << settled.out;  // 1 h 40 min: 2 started hours
  EXPECT_EQ(parkctl({"visitor", "waive", "京A12345", "--reason", "again"}).code, 5) << "nothing open any more";
  const auto inside = parkctl({"visitors"});
  EXPECT_NE(inside.out.find("0 visitor(s) inside"), std::string::npos) << inside.out;

  const auto grant = parkctl({"pass", "grant", "沪A55555", "--reason", "ambulance, Tongren hospital", "--until", "2026-11-30"});
  ASSERT_EQ(grant.code, 0) << grant.err;
  clock(local(2026, 11, 3, 2, 0));
  const auto ambulance = gate("east", 1, "沪A55555", true);
  EXPECT_TRUE(ambulance.admit());
  EXPECT_EQ(ambulance.reason(), "SPECIAL_PASS");
  EXPECT_EQ(ambulance.vehicle_class(), parking::v1::VEHICLE_CLASS_SERVICE);
  const auto police = gate("east", 2, "沪A1234警", true);
  EXPECT_TRUE(police.admit()) << police.message_en();
  EXPECT_EQ(police.reason(), "SERVICE_VEHICLE");
  ASSERT_EQ(parkctl({"pass", "revoke", "沪A55555", "--reason", "the loan ended"}).code, 0);
  const auto passes = parkctl({"pass", "list"});
  EXPECT_NE(passes.out.find("2026-11-30  operator    2026-11-03  -"), std::string::npos) << "revoked from today\n" << passes.out;

  // The visitor bill shows the settled stay with who settled it; the notice counts the opens.
  const auto visitors = parkctl({"bill", "--month", "2026-11", "--visitors"});
  EXPECT_NE(visitors.out.find("closed by operator: left at 11:40 by the guard's notes"), std::string::npos) << visitors.out;
  const auto notice = parkctl({"notice", "--month", "2026-11"});
  EXPECT_NE(notice.out.find("| 保安手动开闸 opened by a guard | 1 |"), std::string::npos) << notice.out;
  EXPECT_NE(notice.out.find("| 特种车辆与特许通行 service vehicles and passes (free) | 2 |"), std::string::npos) << notice.out;
  const auto audit = parkctl({"audit"});
  for (const char* action : {"gate.open", "visitor.close", "pass.grant", "pass.revoke"}) {
    EXPECT_NE(audit.out.find(action), std::string::npos) << action << "\n" << audit.out;
  }
}

TEST_F(ParkctlTest, ACarThatNeedsAnAccessibleSpaceIsSentToOneAndTheSignsCountThemApart) {
  // Issue #17 case 4 at the real gate: release 1 never gave out A01 and A02 (accessible) and
  // had no way to say a car needs one; they counted as free on the signs all the same.
  clock(local(2026, 11, 2, 9, 50));
  import_october();
  ASSERT_EQ(parkctl({"vehicle", "add", "沪A66666", "H1", "--registered-on", "2026-11-01", "--accessible", "yes"}).code, 0);
  const auto shown = parkctl({"household", "show", "H1"});
  EXPECT_NE(shown.out.find("沪A66666  accessible"), std::string::npos) << shown.out;
  sensors_speak(local(2026, 11, 2, 9, 59));
  clock(local(2026, 11, 2, 10, 0));
  const auto accessible = gate("north", 1, "沪A66666", true);
  EXPECT_TRUE(accessible.assigned_space() == "A01" || accessible.assigned_space() == "A02") << accessible.assigned_space();
  const auto other = gate("north", 2, "沪A10001", true);  // H1's first car: no need
  EXPECT_NE(other.assigned_space(), "A01");
  EXPECT_NE(other.assigned_space(), "A02");
  // A01-A05 spoke free: on the sign, A01 and A02 are counted apart (A01 is held now).
  devices->subscribe("parking/xj5/displays/+/frame");
  const auto frame = devices->wait_for([](const test::Received& r) {
    parking::v1::DisplayFrame f;
    return r.topic.find("/frame") != std::string::npos && f.ParseFromString(r.payload) && f.free_accessible() == 1;
  });
  EXPECT_TRUE(frame) << "a frame with the one accessible space left\n" << log();
  ASSERT_EQ(parkctl({"vehicle", "correct", "沪A66666", "--accessible", "no", "--electric", "yes"}).code, 0);
  EXPECT_NE(parkctl({"household", "show", "H1"}).out.find("沪A66666  charger"), std::string::npos);
  EXPECT_EQ(parkctl({"vehicle", "correct", "沪A66666", "--electric", "maybe"}).code, 6);
}

TEST_F(ParkctlTest, ABackupTakenWhileTheGatesDecideRestoresToTheSameBillsAndNotice) {
  // Issue #14: parkctl backup FILE, taken while a camera keeps sending; restored into a fresh
  // folder, a new parkd gives October's issued bill byte for byte, and the same notice.
  clock(local(2026, 10, 5, 9, 50));
  import_october();
  sensors_speak(local(2026, 10, 5, 9, 59));
  clock(local(2026, 10, 5, 10, 0));
  ASSERT_TRUE(gate("north", 1, "京A12345", true).admit());
  clock(local(2026, 10, 5, 12, 31));
  EXPECT_EQ(gate("north", 2, "京A12345", false).fee_due_fen(), 1'500);
  clock(local(2026, 11, 2, 9, 0));  // October has ended: its first export issues it
  const auto october = parkctl({"bill", "--month", "2026-10"});
  ASSERT_EQ(october.code, 0) << october.err;
  const auto notice = parkctl({"notice", "--month", "2026-10"});
  ASSERT_EQ(notice.code, 0) << notice.err;

  EXPECT_EQ(parkctl({"backup", (dir.path() / "nope.db").string()}, false).code, 4) << "no token, no backup";
  std::atomic<bool> sending{true};
  std::thread camera([&] {
    parking::v1::GateEvent e;
    for (std::uint64_t seq = 10; sending; ++seq) {
      e.set_gate_id("east");
      e.set_seq(seq);
      e.set_plate(seq % 2 == 0 ? "苏E55555" : "苏E55556");
      e.set_direction(seq % 4 < 2 ? parking::v1::DIRECTION_ENTRY : parking::v1::DIRECTION_EXIT);
      devices->publish("parking/xj5/gates/east/event", e.SerializeAsString());
      std::this_thread::sleep_for(2ms);
    }
  });
  const auto backup = parkctl({"backup", (dir.path() / "backup.db").string()});
  sending = false;
  camera.join();
  ASSERT_EQ(backup.code, 0) << backup.err;
  EXPECT_NE(backup.out.find("backup of parkd's database written to"), std::string::npos) << backup.out;
  struct stat st {};
  ASSERT_EQ(::stat((dir.path() / "backup.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_NE(parkctl({"audit"}).out.find("backup"), std::string::npos);
  ASSERT_EQ(parkd.stop(), 0) << log();

  // A fresh folder with only the backup in it.
  std::filesystem::create_directories(dir.path() / "restored");
  std::filesystem::copy_file(dir.path() / "backup.db", dir.path() / "restored" / "parkd.db");
  token_file = dir.path() / "restored" / "parkd.token";
  parkd.start({(test::binary_dir() / "bin/parkd").string(), "--config", (test::source_dir() / "config/parkd.textproto").string(),
               "--broker", broker.uri(), "--db", (dir.path() / "restored" / "parkd.db").string(), "--http",
               "127.0.0.1:" + std::to_string(http_port), "--sim-clock"},
              dir.path() / "parkd.log");
  ASSERT_TRUE(test::wait_for_port(http_port, 10s)) << log();
  clock(local(2026, 11, 2, 9, 5));
  EXPECT_EQ(parkctl({"bill", "--month", "2026-10"}).out, october.out);
  EXPECT_EQ(parkctl({"notice", "--month", "2026-10"}).out, notice.out);
  EXPECT_EQ(parkctl({"bill", "--month", "2026-10", "--visitors"}).out.find("京A12345") != std::string::npos, true);
}


TEST_F(ParkctlTest, EachRoleSeesAndDoesWhatTheContractSaysAndTheAuditNamesTheHolder) {
  // Issue #13: release 1 answered every read without a token, plates and households included.
  const std::string viewer = "committee:viewer:viewer-secret-0123456789";
  const std::string guard = "gate-wang:guard:guard-secret-0123456789";
  const std::string clerk = "clerk-li:clerk:clerk-secret-0123456789";
  std::ofstream(token_file, std::ios::app) << viewer << "\n" << guard << "\n" << clerk << "\n";
  restart_parkd();
  const auto as = [&](const std::string& line, std::vector<std::string> args) {
    args.insert(args.begin(), {"--token-file", token_file_for(line)});
    return parkctl(args, false);
  };
  clock(local(2026, 11, 2, 9, 50));
  import_october();
  sensors_speak(local(2026, 11, 2, 9, 59));
  clock(local(2026, 11, 2, 10, 0));
  const auto resident = gate("north", 1, "沪A10001", true);
  ASSERT_FALSE(resident.assigned_space().empty()) << resident.message_en();

  // Without a token: the public status only.
  EXPECT_EQ(parkctl({"status"}, false).code, 0);
  const auto anonymous = parkctl({"spaces"}, false);
  EXPECT_EQ(anonymous.code, 4);
  EXPECT_NE(anonymous.err.find("send Authorization: Bearer <token>, or sign in"), std::string::npos) << anonymous.err;
  EXPECT_NE(anonymous.err.find("no token to send"), std::string::npos) << anonymous.err;

  // A viewer sees the lot, with the held space but not whose car it is held for.
  const auto seen = as(viewer, {"--json", "spaces", "--state", "held"});
  ASSERT_EQ(seen.code, 0) << seen.err;
  EXPECT_NE(seen.out.find(resident.assigned_space()), std::string::npos) << seen.out;
  EXPECT_EQ(seen.out.find("沪A10001"), std::string::npos) << "a viewer sees no plate\n" << seen.out;
  EXPECT_EQ(as(viewer, {"sensors"}).code, 0);
  const auto visitors = as(viewer, {"visitors"});
  EXPECT_EQ(visitors.code, 4);
  EXPECT_NE(visitors.err.find("'committee' has the role viewer; this call needs guard or above"), std::string::npos)
      << visitors.err;
  EXPECT_EQ(as(viewer, {"close", "A03", "--reason", "x"}).code, 4);

  // A guard sees the plate and closes a space; the registry is the office's.
  EXPECT_NE(as(guard, {"--json", "spaces", "--state", "held"}).out.find("沪A10001"), std::string::npos);
  EXPECT_EQ(as(guard, {"visitors"}).code, 0);
  const auto closed = as(guard, {"close", "A03", "--reason", "a tricycle on it"});
  EXPECT_EQ(closed.code, 0) << closed.err;
  EXPECT_EQ(as(guard, {"household", "show", "H1"}).code, 4);
  EXPECT_EQ(as(guard, {"bill", "--month", "2026-10"}).code, 4);

  // A clerk keeps the registry and the bills; the audit log and backups are the admin's.
  EXPECT_EQ(as(clerk, {"household", "show", "H1"}).code, 0);
  const auto added = as(clerk, {"vehicle", "add", "沪A77777", "H1", "--registered-on", "2026-11-01"});
  EXPECT_EQ(added.code, 0) << added.err;
  EXPECT_EQ(as(clerk, {"bill", "--month", "2026-10"}).code, 0);
  EXPECT_EQ(as(clerk, {"audit"}).code, 4);
  EXPECT_EQ(as(clerk, {"backup", (dir.path() / "clerk.db").string()}).code, 4);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "clerk.db"));

  const auto audit = parkctl({"--json", "audit"});
  ASSERT_EQ(audit.code, 0) << audit.err;
  EXPECT_NE(audit.out.find(R"("token_name":"gate-wang","action":"space.close")"), std::string::npos) << audit.out;
  EXPECT_NE(audit.out.find(R"("token_name":"clerk-li","action":"vehicle.add")"), std::string::npos) << audit.out;
}

TEST_F(ParkctlTest, ABrowserSignsInWithACookieAndItsChangesNeedTheCsrfValue) {
  std::ofstream(token_file, std::ios::app) << "gate-wang:guard:guard-secret-0123456789\n";
  restart_parkd();
  sensors_speak(local(2026, 11, 2, 9, 59));
  const auto in = test::http_request(http_port, "POST", "/v1/session", {"Content-Type: application/json"},
                                     R"({"token": "guard-secret-0123456789"})");
  ASSERT_EQ(in.status, 200) << in.body;
  const std::string set_cookie = in.header("Set-Cookie");
  EXPECT_NE(set_cookie.find("; HttpOnly; SameSite=Strict"), std::string::npos) << set_cookie;
  const std::string cookie = "Cookie: " + set_cookie.substr(0, set_cookie.find(';'));
  parking::v1::SessionInfo session;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(in.body, &session).ok()) << in.body;
  EXPECT_EQ(session.role(), "guard");
  EXPECT_EQ(test::http_get(http_port, "/v1/visitors").status, 401);
  EXPECT_EQ(test::http_request(http_port, "GET", "/v1/visitors", {cookie}).status, 200);
  const std::string reason = R"({"reason": "cones"})";
  EXPECT_EQ(test::http_request(http_port, "POST", "/v1/spaces/A04/close", {cookie}, reason).status, 403);
  const auto closed = test::http_request(http_port, "POST", "/v1/spaces/A04/close", {cookie, "X-Parkd-Csrf: " + session.csrf()}, reason);
  EXPECT_EQ(closed.status, 200) << closed.body;
  EXPECT_EQ(closed.header("Cache-Control"), "no-store");
  EXPECT_NE(parkctl({"space", "A04"}).out.find("closed  cones"), std::string::npos);
  EXPECT_EQ(test::http_request(http_port, "DELETE", "/v1/session", {cookie, "X-Parkd-Csrf: " + session.csrf()}).status, 200);
  EXPECT_EQ(test::http_request(http_port, "GET", "/v1/visitors", {cookie}).status, 401);
}

}  // namespace
}  // namespace parkd
