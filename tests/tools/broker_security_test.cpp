// The locked-down broker that parkd-broker-setup makes, with the real Mosquitto and parkd: no
// anonymous clients, each device only on its own topics, parkd's own check of what a sensor
// claims, signs reading only their own frame, and TLS only for clients that trust the CA.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "parking/v1/messages.pb.h"
#include "support/mqtt_probe.h"
#include "support/processes.h"

namespace parkd {
namespace {

using namespace std::chrono_literals;

constexpr const char* kLot = R"(
lot_id: "tlot"
sensor_id_prefix: "s-"
timing { debounce_ms: 0 stale_after_ms: 600000 frame_interval_ms: 0 hold_ms: 60000 }
visitor_reserve { reserve_spaces: 0 }
zones { zone_id: "A" space_count: 2 }
displays { display_id: "north" arrows { zone_id: "A" arrow: ARROW_LEFT } }
displays { display_id: "east" arrows { zone_id: "A" arrow: ARROW_RIGHT } }
gates { gate_id: "north" display_id: "north" nearest_zones: ["A"] }
gates { gate_id: "east" display_id: "east" nearest_zones: ["A"] }
buildings { building_id: "1" nearest_zones: ["A"] }
)";

std::string report(const std::string& space, bool occupied, std::uint64_t seq) {
  parking::v1::SensorReport r;
  r.set_sensor_id("s-" + space);
  r.set_space_id(space);
  r.set_boot_id(1);
  r.set_seq(seq);
  r.set_observed_at_ms(1);
  r.set_occupied(occupied);
  r.set_kind(parking::v1::REPORT_KIND_CHANGE);
  r.set_battery_mv(3'000);
  return r.SerializeAsString();
}

std::uint32_t free_on(const test::Received& m) {
  parking::v1::DisplayFrame f;
  f.ParseFromString(m.payload);
  return f.free_total();
}

class BrokerSecurityTest : public ::testing::Test {
 protected:
  // Whatever a test did, the parkd still running must stop cleanly: exit 0 on SIGTERM (under
  // ThreadSanitizer a race report makes it 66).
  void TearDown() override {
    if (parkd.running()) {
      EXPECT_EQ(parkd.stop(), 0) << test::read_file(dir.path() / "parkd.log");
    }
  }
  void SetUp() override {
    std::ofstream(dir.path() / "tlot.textproto") << kLot;
    std::ofstream(dir.path() / "parkd.textproto")
        << "broker { client_id: \"parkd\" username: \"parkd\" password_file: \"secure/credentials/parkd.password\" "
           "probe_interval_s: 1 }\n"
        << "lot_files: \"tlot.textproto\"\n";
    std::filesystem::create_directories(dir.path() / "mosquitto");
    std::filesystem::copy_file(test::source_dir() / "config/mosquitto/parkd-broker.conf",
                               dir.path() / "mosquitto/parkd-broker.conf");
    const auto setup = test::run_to_end({(test::binary_dir() / "bin/parkd-broker-setup").string(), "--config",
                                         (dir.path() / "parkd.textproto").string(), "--out",
                                         (dir.path() / "secure").string(), "--port", std::to_string(port),
                                         "--tls-port", std::to_string(tls_port), "--console-host", "192.0.2.10",
                                         "--console-host", "office.example"},
                                        dir.path(), 60s);
    ASSERT_EQ(setup.code, 0) << setup.out << setup.err;
    broker = std::make_unique<test::Broker>(dir.path() / "broker", dir.path() / "secure/mosquitto.conf", port);
    broker->start();
    ASSERT_TRUE(test::wait_for_port(tls_port, 10s));
  }

  test::ProbeLogin as(const std::string& user) {
    return test::ProbeLogin{user, test::read_file(dir.path() / "secure/credentials" / (user + ".password")).substr(0, 24), ""};
  }
  std::string uri() const { return "tcp://127.0.0.1:" + std::to_string(port); }

  void start_parkd() {
    parkd.start({(test::binary_dir() / "bin/parkd").string(), "--config", (dir.path() / "parkd.textproto").string(), "--broker",
                 uri(), "--db", (dir.path() / "parkd.db").string(), "--http",
                 "127.0.0.1:" + std::to_string(http_port)},
                dir.path() / "parkd.log");
  }
  // How many MQTT messages parkd has received so far (its /metrics).
  long messages_received() {
    const std::string m = test::http_get(http_port, "/metrics").body;
    const std::string key = "\nparkd_mqtt_messages_total ";
    const auto at = m.find(key);
    return at == std::string::npos ? -1 : std::stol(m.substr(at + key.size()));
  }
  int http_port = test::free_loopback_port();

  test::TempDir dir;
  int port = test::free_loopback_port();
  int tls_port = test::free_loopback_port();
  std::unique_ptr<test::Broker> broker;
  test::ChildProcess parkd;
};

TEST_F(BrokerSecurityTest, AnonymousClientsAndWrongPasswordsAreRefused) {
  EXPECT_THROW(test::MqttProbe(uri(), "anonymous"), std::runtime_error);
  test::ProbeLogin wrong = as("tlot-s-A01");
  wrong.password = "not-the-password";
  EXPECT_THROW(test::MqttProbe(uri(), "guess", wrong), std::runtime_error);
  EXPECT_NO_THROW(test::MqttProbe(uri(), "sensor", as("tlot-s-A01")));
}

TEST_F(BrokerSecurityTest, EachDeviceUsesOnlyItsOwnTopicsAndParkdChecksWhatSensorsClaim) {
  start_parkd();
  test::MqttProbe north(uri(), "sign-north", as("tlot-sign-north"));
  north.subscribe("parking/tlot/displays/+/frame");  // granted at SUBACK, filtered at delivery
  test::MqttProbe east(uri(), "sign-east", as("tlot-sign-east"));
  east.subscribe("parking/tlot/displays/east/frame");
  test::MqttProbe a01(uri(), "s-A01", as("tlot-s-A01"));
  test::MqttProbe a02(uri(), "s-A02", as("tlot-s-A02"));
  a01.publish("parking/tlot/sensors/s-A01/report", report("A01", false, 1));
  a02.publish("parking/tlot/sensors/s-A02/report", report("A02", false, 1));
  auto is_frame = [](const std::string& display, std::uint32_t free) {
    return [display, free](const test::Received& m) {
      return m.topic == "parking/tlot/displays/" + display + "/frame" && free_on(m) == free;
    };
  };
  ASSERT_TRUE(north.wait_for(is_frame("north", 2), 10s)) << test::read_file(dir.path() / "parkd.log");
  ASSERT_TRUE(east.wait_for(is_frame("east", 2), 10s));
  north.clear();

  // A01 posing as A02 on A02's topic: the broker drops it (QoS 1 still acknowledged).
  a01.publish("parking/tlot/sensors/s-A02/report", report("A02", true, 2));
  // A01 on its own topic, naming A02 in the payload: parkd refuses it.
  a01.publish("parking/tlot/sensors/s-A01/report", report("A02", true, 3));
  // A01's own truth gets through.
  a01.publish("parking/tlot/sensors/s-A01/report", report("A01", true, 4));
  ASSERT_TRUE(north.wait_for(is_frame("north", 1), 10s));
  // A01's messages reach parkd in the order sent: its seq 4 was taken, so the posing one, had
  // the broker let it through, would have been counted before it. Two reports, the refused one
  // and seq 4: 4 messages, not 5.
  EXPECT_EQ(messages_received(), 4) << test::read_file(dir.path() / "parkd.log");
  for (const auto& m : north.received()) {
    EXPECT_NE(m.topic, "parking/tlot/displays/east/frame") << "the north sign read the east sign's frame";
    if (m.topic == "parking/tlot/displays/north/frame") {
      EXPECT_GE(free_on(m), 1u) << "A02 was never really taken";
    }
  }
  const std::string log = test::read_file(dir.path() / "parkd.log");
  EXPECT_NE(log.find("topic_mismatch"), std::string::npos) << log;

  // A camera may not post decisions for its barrier, nor a sign publish frames.
  test::MqttProbe barrier(uri(), "barrier-north", as("tlot-barrier-north"));
  barrier.subscribe("parking/tlot/gates/north/decision");
  test::MqttProbe camera(uri(), "camera-north", as("tlot-camera-north"));
  camera.publish("parking/tlot/gates/north/decision", "forged");
  east.publish("parking/tlot/displays/north/frame", "forged");
  parking::v1::GateEvent e;
  e.set_gate_id("north");
  e.set_seq(1);
  e.set_at_ms(1);
  e.set_plate("沪A12345");
  e.set_direction(parking::v1::DIRECTION_ENTRY);
  camera.publish("parking/tlot/gates/north/event", e.SerializeAsString());
  const auto decision = barrier.wait_for([](const test::Received&) { return true; }, 10s);
  ASSERT_TRUE(decision);
  parking::v1::GateDecision d;
  EXPECT_TRUE(d.ParseFromString(decision->payload) && d.event_seq() == 1) << "the first thing the barrier saw was forged";
  // The forged frame was routed before the event was even sent; parkd's own frame for the space
  // it now holds for that car comes after it to the same sign.
  ASSERT_TRUE(north.wait_for(is_frame("north", 0), 10s)) << test::read_file(dir.path() / "parkd.log");
  for (const auto& m : north.received()) EXPECT_NE(m.payload, "forged");

  // parkd's probes of its own subscriptions pass the ACL too (a refused one would be dropped
  // without a word, and parkd could not tell a stalled subscription from quiet devices).
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  const auto probes_back = [&] {
    const std::string written = test::read_file(dir.path() / "parkd.log");
    return written.find("the probe came back through parking/tlot/sensors/+/+") != std::string::npos &&
           written.find("the probe came back through parking/tlot/gates/+/event") != std::string::npos;
  };
  while (!probes_back() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(50ms);
  EXPECT_TRUE(probes_back()) << test::read_file(dir.path() / "parkd.log");
}

// Issue #12 behind the ACL: parkd's alerts reach the broker (a refused publish would be
// acknowledged and dropped without a word), and a sign cannot read them.
TEST_F(BrokerSecurityTest, ParkdsAlertsPassTheAclAndOnlyItsAccountReadsThem) {
  start_parkd();
  test::MqttProbe office(uri(), "office-alerts", as("parkd"));
  office.subscribe("parking/tlot/alerts/+");
  test::MqttProbe sign(uri(), "sign-north", as("tlot-sign-north"));
  sign.subscribe("parking/tlot/alerts/+");
  test::MqttProbe a01(uri(), "s-A01", as("tlot-s-A01"));
  // A01's sensor changes its mind 20 times (debounce 0 here), at the pace the default rate
  // limit of a sensor allows (5 a second after a burst of 20).
  for (std::uint64_t seq = 1; seq <= 21; ++seq) {
    a01.publish("parking/tlot/sensors/s-A01/report", report("A01", seq % 2 == 0, seq));
    std::this_thread::sleep_for(100ms);
  }
  const auto alert = office.wait_for([](const test::Received& m) { return !m.payload.empty(); }, 10s);
  ASSERT_TRUE(alert) << test::read_file(dir.path() / "parkd.log");
  parking::v1::Alert a;
  ASSERT_TRUE(a.ParseFromString(alert->payload));
  EXPECT_EQ(a.kind(), "FLAPPING_SENSOR");
  EXPECT_EQ(a.space_id(), "A01");
  EXPECT_FALSE(sign.wait_for([](const test::Received&) { return true; }, 500ms)) << "a sign read an alert";
}

TEST_F(BrokerSecurityTest, TlsConnectsOnlyClientsThatTrustThePrivateCa) {
  const std::string tls = "ssl://127.0.0.1:" + std::to_string(tls_port);
  test::ProbeLogin login = as("tlot-sign-north");
  login.ca_file = (dir.path() / "secure/tls/ca.crt").string();
  EXPECT_NO_THROW(test::MqttProbe(tls, "tls-with-ca", login));
  login.ca_file.clear();
  EXPECT_THROW(test::MqttProbe(tls, "tls-without-ca", login), std::runtime_error);

  // parkd itself over TLS with its own credentials.
  std::ofstream(dir.path() / "parkd-tls.textproto")
      << "broker { uri: \"" << tls << "\" client_id: \"parkd\" username: \"parkd\" "
      << "password_file: \"secure/credentials/parkd.password\" ca_file: \"secure/tls/ca.crt\" }\n"
      << "lot_files: \"tlot.textproto\"\n";
  parkd.start({(test::binary_dir() / "bin/parkd").string(), "--config", (dir.path() / "parkd-tls.textproto").string(),
               "--db", (dir.path() / "parkd.db").string(), "--http", "127.0.0.1:" + std::to_string(test::free_loopback_port())},
              dir.path() / "parkd.log");
  test::MqttProbe sign(uri(), "sign-north", as("tlot-sign-north"));
  sign.subscribe("parking/tlot/engine/status");
  EXPECT_TRUE(sign.wait_for([](const test::Received& m) {
    parking::v1::EngineStatus s;
    return s.ParseFromString(m.payload) && s.online();
  }, 10s)) << test::read_file(dir.path() / "parkd.log");
}

TEST_F(BrokerSecurityTest, TheConsoleAndTheApiSpeakHttpsWithTheCertificateFromTheSameCa) {
  // Issue #13: HTTPS from the configuration, its certificate made by parkd-broker-setup.
  const auto names = test::run_to_end({"openssl", "x509", "-in", (dir.path() / "secure/tls/console.crt").string(), "-noout",
                                       "-ext", "subjectAltName"},
                                      dir.path());
  EXPECT_NE(names.out.find("IP Address:127.0.0.1"), std::string::npos) << names.out;
  EXPECT_NE(names.out.find("IP Address:192.0.2.10"), std::string::npos) << names.out;
  EXPECT_NE(names.out.find("DNS:office.example"), std::string::npos) << names.out;

  std::ofstream(dir.path() / "parkd-https.textproto")
      << "broker { client_id: \"parkd\" username: \"parkd\" password_file: \"secure/credentials/parkd.password\" }\n"
      << "lot_files: \"tlot.textproto\"\n"
      << "http { tls_cert_file: \"secure/tls/console.crt\" tls_key_file: \"secure/tls/console.key\" "
      << "tls_ca_file: \"secure/tls/ca.crt\" console_dir: \"" << (test::source_dir() / "web").string() << "\" }\n";
  parkd.start({(test::binary_dir() / "bin/parkd").string(), "--config", (dir.path() / "parkd-https.textproto").string(),
               "--broker", uri(), "--db", (dir.path() / "parkd.db").string(), "--http", "127.0.0.1:" + std::to_string(http_port)},
              dir.path() / "parkd.log");
  ASSERT_TRUE(test::wait_for_port(http_port, 20s)) << test::read_file(dir.path() / "parkd.log");
  const std::string endpoint = "https://127.0.0.1:" + std::to_string(http_port);
  const std::string token_file = (dir.path() / "parkd.token").string();
  const std::string parkctl = (test::binary_dir() / "bin/parkctl").string();

  // parkctl trusts the configuration's CA; without it the certificate is refused.
  const auto status = test::run_to_end({parkctl, "--config", (dir.path() / "parkd-https.textproto").string(), "--endpoint",
                                        endpoint, "--token-file", token_file, "status"},
                                       dir.path());
  EXPECT_EQ(status.code, 0) << status.out << status.err;
  EXPECT_NE(status.out.find("tlot"), std::string::npos) << status.out;
  const auto untrusted = test::run_to_end({parkctl, "--endpoint", endpoint, "--token-file", token_file, "--ca-file",
                                           "/etc/ssl/certs/ca-certificates.crt", "status"},
                                          dir.path());
  EXPECT_EQ(untrusted.code, 3) << untrusted.out << untrusted.err;
  EXPECT_NE(untrusted.err.find("certificate verify failed"), std::string::npos) << untrusted.err;
  EXPECT_EQ(test::http_get(http_port, "/healthz").status, 0) << "no plain HTTP on the HTTPS port";

  // A browser's view: the console over HTTPS, and a session cookie that is never sent in clear.
  std::ofstream(dir.path() / "client.py") << R"(import json, ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile=sys.argv[2])
page = urllib.request.urlopen(sys.argv[1] + "/", context=ctx).read()
token = [l.split(":")[-1] for l in open(sys.argv[3]).read().split("\n") if l and not l.startswith("#")][0]
req = urllib.request.Request(sys.argv[1] + "/v1/session", data=json.dumps({"token": token}).encode(),
                             headers={"Content-Type": "application/json"}, method="POST")
reply = urllib.request.urlopen(req, context=ctx)
print("console" if b"<!doctype html>" in page else "no console")
print(reply.headers["Set-Cookie"])
)";
  const auto browser = test::run_to_end({"python3", (dir.path() / "client.py").string(), endpoint,
                                         (dir.path() / "secure/tls/ca.crt").string(), token_file},
                                        dir.path());
  EXPECT_EQ(browser.code, 0) << browser.err;
  EXPECT_NE(browser.out.find("console\n"), std::string::npos) << browser.out;
  EXPECT_NE(browser.out.find("; HttpOnly; SameSite=Strict; Secure"), std::string::npos) << browser.out;
}

}  // namespace
}  // namespace parkd
