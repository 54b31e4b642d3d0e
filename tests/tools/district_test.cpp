// tools/district end to end: a generated district of xj5 copies split over two real parkd
// processes on a real Mosquitto, played by one parksim; each parkd decides and shows its own lots
// as they really are, and the play command runs the whole of it.
#include <gtest/gtest.h>
#include <google/protobuf/util/json_util.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "config/token_file.h"
#include "parking/v1/control.pb.h"
#include "parking/v1/messages.pb.h"
#include "support/mqtt_probe.h"
#include "support/processes.h"

namespace parkd {
namespace {

using namespace std::chrono_literals;

struct LotTruth {
  std::string clock;
  std::size_t acknowledged = 0;
  std::map<std::string, bool> occupied;  // space -> occupied
};

LotTruth read_truth(const std::filesystem::path& file) {
  LotTruth t;
  std::istringstream in(test::read_file(file));
  std::string word;
  while (in >> word) {
    if (word == "clock") {
      in >> t.clock;
    } else if (word == "acknowledged_event") {
      std::string gate, seq;
      in >> gate >> seq;
      ++t.acknowledged;
    } else if (word == "space") {
      std::string id, state, told;
      in >> id >> state >> told;
      t.occupied[id] = state == "occupied";
    }
  }
  return t;
}

std::string admin_token(const std::filesystem::path& token_file) {
  const TokenFileRead tokens = read_token_file(token_file.string(), false);
  return tokens.tokens.empty() ? std::string() : tokens.tokens.front().secret;
}

TEST(District, GeneratedLotsSplitOverTwoParkdAreEachDecidedAndShownByTheirOwnParkd) {
  test::TempDir dir;
  test::Broker broker(dir.path() / "broker");
  broker.start();
  const auto district = dir.path() / "district";
  const test::Finished generated =
      test::run_to_end({(test::source_dir() / "tools/district").string(), "generate", "--lots", "2", "--parkd", "2", "--dir",
                        district.string(), "--broker", broker.uri()},
                       dir.path());
  ASSERT_EQ(generated.code, 0) << generated.out << generated.err;
  EXPECT_NE(generated.out.find("parkd-1: 1 lot(s), d0001..d0001"), std::string::npos) << generated.out << generated.err;
  EXPECT_NE(generated.out.find("parkd-2: 1 lot(s), d0002..d0002"), std::string::npos) << generated.out << generated.err;

  // Bad input is named, and writes nothing.
  const test::Finished too_many = test::run_to_end({(test::source_dir() / "tools/district").string(), "generate", "--lots", "2",
                                                    "--parkd", "3", "--dir", (dir.path() / "none").string()},
                                                   dir.path());
  EXPECT_EQ(too_many.code, 2);
  EXPECT_NE(too_many.err.find("--parkd 3 is more than --lots 2"), std::string::npos) << too_many.out << too_many.err;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "none"));

  const std::string parkd_bin = (test::binary_dir() / "bin/parkd").string();
  test::ChildProcess parkd[2];
  int http[2];
  for (int k = 0; k < 2; ++k) {
    http[k] = test::free_loopback_port();
    const std::string name = "parkd-" + std::to_string(k + 1);
    parkd[k].start({parkd_bin, "--config", (district / (name + ".textproto")).string(), "--http",
                    "127.0.0.1:" + std::to_string(http[k]), "--sim-clock"},
                   district / name / "parkd.log");
  }
  {  // every lot's session online before the first SimClock
    test::MqttProbe status(broker.uri(), "status");
    status.subscribe("parking/+/engine/status");
    std::set<std::string> online;
    status.wait_for([&](const test::Received& r) {
      parking::v1::EngineStatus s;
      if (s.ParseFromString(r.payload) && s.online()) online.insert(r.topic);
      return online.size() == 2;
    }, 20s);
    ASSERT_EQ(online.size(), 2u) << test::read_file(district / "parkd-1/parkd.log") << test::read_file(district / "parkd-2/parkd.log");
  }

  const auto out = dir.path() / "parksim.out";
  test::ChildProcess parksim;
  parksim.start({(test::binary_dir() / "bin/parksim").string(), "--config", (district / "district.textproto").string(), "--lots",
                 "all", "--broker", broker.uri(), "--speed", "3000", "--days", "0.3", "--no-faults", "--truth",
                 (dir.path() / "truth").string()},
                out);
  ASSERT_EQ(parksim.wait(test::scaled(180s)), 0) << test::read_file(out);
  const std::string said = test::read_file(out);
  EXPECT_EQ(said.find("no sign frame at the first SimClock"), std::string::npos) << said;
  EXPECT_NE(said.find("parksim: the district, 2 lots"), std::string::npos) << said;

  std::size_t events = 0;
  for (int k = 0; k < 2; ++k) {
    const std::string token = admin_token(district / ("parkd-" + std::to_string(k + 1)) / "parkd.token");
    std::size_t acknowledged = 0;
    {
      const std::string lot = "d000" + std::to_string(k + 1);
      const LotTruth truth = read_truth(dir.path() / ("truth." + lot));
      ASSERT_EQ(truth.occupied.size(), 185u) << lot;
      acknowledged += truth.acknowledged;
      // parkd has applied everything once its clock reads parksim's last SimClock.
      std::string status;
      const auto settled = std::chrono::steady_clock::now() + test::scaled(20s);
      while (std::chrono::steady_clock::now() < settled) {
        status = test::http_get(http[k], "/v1/status").body;
        if (status.find("\"now_ms\":\"" + truth.clock + "\"") != std::string::npos) break;
        std::this_thread::sleep_for(100ms);
      }
      ASSERT_NE(status.find("\"now_ms\":\"" + truth.clock + "\""), std::string::npos) << status;
      const test::HttpResult r = test::http_get(http[k], "/v1/spaces?lot=" + lot, token);
      parking::v1::SpaceList list;
      ASSERT_TRUE(r.status == 200 && google::protobuf::util::JsonStringToMessage(r.body, &list).ok()) << r.body;
      ASSERT_EQ(list.spaces_size(), 185) << lot;
      std::string wrong;
      std::size_t taken = 0;
      for (const auto& space : list.spaces()) {
        EXPECT_EQ(space.lot_id(), lot);
        const bool occupied = truth.occupied.at(space.space_id());
        taken += occupied ? 1 : 0;
        const bool right = occupied ? space.state() == "occupied" : (space.state() == "free" || space.state() == "held");
        if (!right) wrong += " " + space.space_id() + " is " + (occupied ? "taken" : "empty") + ", parkd says " + space.state();
      }
      EXPECT_TRUE(wrong.empty()) << lot << ":" << wrong;
      EXPECT_GT(taken, 50u) << lot << ": most residents' cars are home at night";
      // The other parkd does not serve this lot, and says which it does.
      const test::HttpResult other = test::http_get(http[1 - k], "/v1/spaces?lot=" + lot,
                                                    admin_token(district / ("parkd-" + std::to_string(2 - k)) / "parkd.token"));
      EXPECT_EQ(other.status, 404) << other.body;
      EXPECT_NE(other.body.find("unknown_lot"), std::string::npos) << other.body;
    }
    // Every gate event of its lots that the broker acknowledged is decided by it, once.
    double decided = 0;
    const auto deadline = std::chrono::steady_clock::now() + test::scaled(20s);
    while (std::chrono::steady_clock::now() < deadline) {
      const std::string page = test::http_get(http[k], "/metrics").body;
      decided = 0;
      std::istringstream lines(page);
      for (std::string line; std::getline(lines, line);) {
        if (line.rfind("parkd_gate_decisions_total{", 0) == 0) decided += std::stod(line.substr(line.rfind(' ') + 1));
      }
      if (decided >= static_cast<double>(acknowledged)) break;
      std::this_thread::sleep_for(100ms);
    }
    EXPECT_EQ(decided, static_cast<double>(acknowledged)) << "parkd-" << k + 1;
    events += acknowledged;
  }
  EXPECT_GT(events, 20u) << "the early departures went through the gates";
  for (auto& p : parkd) EXPECT_EQ(p.stop(), 0);
}

// `tools/district play` as an operator runs it: its own Mosquitto, the parkd processes, the
// residents imported, parksim over every lot, and what each parkd took.
TEST(District, PlayRunsTheWholeDistrictAndSaysWhatEachParkdTook) {
  test::TempDir dir;
  setenv("PARKD_BUILD_DIR", test::binary_dir().c_str(), 1);
  const test::Finished played =
      test::run_to_end({(test::source_dir() / "tools/district").string(), "play", "--lots", "2", "--parkd", "2", "--speed", "3000",
                        "--days", "0.02", "--dir", (dir.path() / "district").string()},
                       dir.path(), test::scaled(180s));
  unsetenv("PARKD_BUILD_DIR");
  ASSERT_EQ(played.code, 0) << played.out << played.err;
  const std::string said = played.out + played.err;
  EXPECT_NE(said.find("district: 2 lots over 2 parkd on Mosquitto"), std::string::npos) << said;
  EXPECT_NE(said.find("every parkd online, residents imported"), std::string::npos) << said;
  EXPECT_EQ(said.find("no sign frame at the first SimClock"), std::string::npos) << said;
  // One line per parkd: its one lot, the messages it took and its CPU time per message; and how
  // long the broker took to acknowledge its publishes.
  EXPECT_NE(said.find("\nparkd-1      1 "), std::string::npos) << said;
  EXPECT_NE(said.find("\nparkd-2      1 "), std::string::npos) << said;
  EXPECT_NE(said.find("parkd-2: a publish to the broker's acknowledgement p50 "), std::string::npos) << said;
  // Everything parksim sent was taken: the sums match.
  const auto at = said.find("sensor reports: parksim sent ");
  ASSERT_NE(at, std::string::npos) << said;
  long sent = -1, accepted = -2, events = -1, decided = -2;
  ASSERT_EQ(std::sscanf(said.c_str() + at, "sensor reports: parksim sent %ld, parkd accepted %ld; gate events: parksim sent %ld, parkd decided %ld",
                        &sent, &accepted, &events, &decided), 4) << said;
  EXPECT_GT(sent, 5'000) << said;  // 2 lots x 0.02 days: ~10,600
  EXPECT_EQ(accepted, sent) << said;
  EXPECT_EQ(decided, events) << said;  // at night: few or none
}

}  // namespace
}  // namespace parkd
