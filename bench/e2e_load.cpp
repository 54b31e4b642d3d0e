// End-to-end load driver: sensor clients -> Mosquitto -> parkd -> sign frames, measured against
// the raw broker relay of the same messages and against a bare Paho client doing parkd's job in
// messages (the floor), all in the same run. Starts its own broker and parkd on loopback;
// prints one RESULT line.
#include <mqtt/async_client.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "load_clients.h"
#include "load_processes.h"
#include "parking/v1/messages.pb.h"
#include "support/event_stream_client.h"
#include "support/nats_cluster.h"
#include "support/processes.h"

namespace {

using namespace parkd::bench;
using namespace std::chrono_literals;

// A camera sees a car every few seconds; 50 in flight keeps four of them ahead of parkd without
// making Paho scan a long command queue for a free message id on every publish (that scan cost
// the load generator a third of the machine with 500).
constexpr std::size_t kWindowPerCamera = 50;

struct GateRun {
  double events_per_s = 0;       // until the barrier has every decision; 0 when it did not
  double responder_cpu_us = 0;   // CPU time of parkd (or the echo) per event
};

// Four cameras (one client each, visitors coming and going in pairs at the same gate) publish
// `gate_events` to lot `lot`, answered by parkd (`responder`) or, when it is 0, by a plain echo
// started here; the barrier that counts the decisions is a process of its own.
GateRun run_gates(const std::string& uri, const std::filesystem::path& dir, const std::string& lot, int gate_events,
                  pid_t responder) {
  constexpr int kGates = 4;
  const int per_gate = (gate_events / kGates) & ~1;
  const auto events = per_gate * kGates;
  // In the driver's process, Paho's single receive thread also serves the cameras'
  // acknowledgements, and it stalled the barrier (4,096 of 8,000 seen).
  const std::string out = (dir / (lot + "-barrier.out")).string();
  parkd::test::ChildProcess barrier;
  barrier.start({"/proc/self/exe", "--sink", uri, "parking/" + lot + "/gates/+/decision", std::to_string(events), out},
                dir / (lot + "-barrier.log"));
  parkd::test::ChildProcess echo;
  if (responder == 0) {
    echo.start({"/proc/self/exe", "--echo", uri, lot, out + ".echo"}, dir / "echo.log");
    wait_until_ready(out + ".echo", echo);
    responder = echo.pid();
  }
  wait_until_ready(out + ".ready", barrier);
  auto cameras = connect_senders(uri, lot + "-camera-", kGates, kWindowPerCamera);
  const double cpu0 = cpu_us(responder);
  const auto g0 = Clock::now();
  std::vector<std::thread> threads;
  for (int g = 0; g < kGates; ++g) {
    threads.emplace_back([&, g] {
      std::string gate = "g";  // appended: GCC 12 warns falsely (-Wrestrict) on "g" + std::string
      gate += std::to_string(g);
      const std::string topic = "parking/" + lot + "/gates/" + gate + "/event";
      parking::v1::GateEvent e;
      for (int k = 0; k < per_gate; ++k) {
        e.set_gate_id(gate);
        e.set_seq(static_cast<std::uint64_t>(k + 1));
        e.set_at_ms(1);
        char plate[16];
        std::snprintf(plate, sizeof plate, "苏E%d%04d", g, k / 2);
        e.set_plate(plate);
        e.set_direction(k % 2 == 0 ? parking::v1::DIRECTION_ENTRY : parking::v1::DIRECTION_EXIT);
        cameras[static_cast<std::size_t>(g)]->publish(topic, e.SerializeAsString());
      }
      cameras[static_cast<std::size_t>(g)]->drain();
    });
  }
  for (auto& t : threads) t.join();
  std::uint64_t received = 0;
  Clock::rep last_ns = 0;
  if (barrier.wait(120s) == 0) std::ifstream(out) >> received >> last_ns;
  GateRun run;
  run.responder_cpu_us = (cpu_us(responder) - cpu0) / events;
  for (auto& c : cameras) c->disconnect();
  if (received < static_cast<std::uint64_t>(events)) {
    std::fprintf(stderr, "e2e: %llu of %d gate decisions (%s)\n%s", static_cast<unsigned long long>(received), events,
                 lot.c_str(), parkd::test::read_file(dir / (lot + "-barrier.log")).c_str());
    return run;
  }
  run.events_per_s =
      static_cast<double>(events) / std::chrono::duration<double>(Clock::time_point(Clock::duration(last_ns)) - g0).count();
  return run;
}

// The helpers below wait on parkd's /metrics between phases.
double parkd_metric(int http_port, const std::string& sample) {
  return parkd::test::metric_value(parkd::test::http_get(http_port, "/metrics").body, sample);
}

// With PARKD_E2E_PERF=<folder>, `perf record` samples a process (call graphs) while a CPU phase
// runs, into <folder>/<name>.data, for `perf report -i`. Started before the phase, stopped after.
class PerfRecording {
 public:
  PerfRecording(pid_t pid, const std::string& name) {
    const char* folder = std::getenv("PARKD_E2E_PERF");
    if (folder == nullptr || *folder == '\0') return;
    const std::filesystem::path out = std::filesystem::path(folder) / (name + ".data");
    // PARKD_E2E_PERF_CALL_GRAPH=dwarf,16384 unwinds through Paho and libstdc++, which are built
    // without frame pointers (the default, frame pointers, loses their callers).
    const char* graph = std::getenv("PARKD_E2E_PERF_CALL_GRAPH");
    perf_.start({"perf", "record", "-F", "2000", "--call-graph", graph != nullptr && *graph != '\0' ? graph : "fp", "-o",
                 out.string(), "-p", std::to_string(pid)},
                std::filesystem::path(folder) / (name + ".log"));
    std::this_thread::sleep_for(500ms);  // perf attached
    on_ = true;
  }
  ~PerfRecording() {
    if (!on_) return;
    perf_.signal(SIGINT);
    perf_.wait(30s);
  }
  PerfRecording(const PerfRecording&) = delete;
  PerfRecording& operator=(const PerfRecording&) = delete;

 private:
  parkd::test::ChildProcess perf_;
  bool on_ = false;
};

// Latency quantile of a sorted sample, -1 when there is none.
double quantile(const std::vector<double>& ms, double p) {
  return ms.empty() ? -1.0 : ms[std::min(ms.size() - 1, static_cast<std::size_t>(p * static_cast<double>(ms.size())))];
}

// Sleeps until `due` and notes how late the wake-up came, in ms: the host's own scheduling noise
// in a latency window (a VM whose vCPUs are paused shows here first).
Clock::time_point wake_at(Clock::time_point due, std::vector<double>& late) {
  std::this_thread::sleep_until(due);
  const auto now = Clock::now();
  late.push_back(std::chrono::duration<double, std::milli>(now - due).count());
  return now;
}

// The raw relay's latency at 1,000 reports/s: the driver's own clients publish to a subscriber in
// the driver (one hop through the broker, the same Paho threads that carry the sign's frames in
// parkd's measurement); returns the sorted latencies in ms.
// `timer_late`: how late the driver's 1 ms timer woke for each sample, sorted (wake_at).
std::vector<double> relay_latency(const std::string& uri, int samples, std::vector<double>& timer_late) {
  Receiver probe(uri, "relay-probe", "parking/relay-latency/sensors/#", Receiver::Keep::kReports);
  auto senders = connect_senders(uri, "relay-latency-");
  std::vector<Clock::time_point> sent(static_cast<std::size_t>(samples));
  const auto start = Clock::now();
  for (int k = 0; k < samples; ++k) {
    sent[static_cast<std::size_t>(k)] = wake_at(start + std::chrono::microseconds(1'000LL * k), timer_late);
    const int sensor = stream_sensor(static_cast<std::uint64_t>(k));
    senders[static_cast<std::size_t>(k % kPublishers)]->publish(report_topic("relay-latency", sensor),
                                                                report(sensor, false, static_cast<std::uint64_t>(k), false));
  }
  for (auto& s : senders) s->drain();
  std::this_thread::sleep_for(200ms);
  std::vector<double> ms;
  for (const auto& a : probe.arrivals()) {
    if (a.seq < sent.size()) ms.push_back(std::chrono::duration<double, std::milli>(a.at - sent[a.seq]).count());
  }
  for (auto& s : senders) s->disconnect();
  probe.disconnect();
  std::sort(ms.begin(), ms.end());
  std::sort(timer_late.begin(), timer_late.end());
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  const auto driver_start = Clock::now();
  if (const int code = run_child_mode(std::vector<std::string>(argv, argv + argc)); code >= 0) return code;
  const int messages = argc > 1 ? std::atoi(argv[1]) : 100'000;
  const int latency_samples = argc > 2 ? std::atoi(argv[2]) : 5'000;
  const int gate_events = argc > 3 ? std::atoi(argv[3]) : 10'000;
  // The CPU phases send changes in whole pairs of passes over the sensors (they end all free).
  const std::uint64_t cpu_messages = std::max<std::uint64_t>(2 * kSensors, static_cast<std::uint64_t>(messages) / 2 / (2 * kSensors) * (2 * kSensors));
  const int processes = publisher_processes();
  parkd::test::TempDir dir;
  // PARKD_BENCH_BROKER=nats: the whole run on a three-node NATS JetStream cluster (MQTT on every
  // node, streams replicated to all three), every client and parkd on its first node, instead of
  // one Mosquitto: a district's broker against a compound's (docs/scaling.md).
  const bool on_nats = std::getenv("PARKD_BENCH_BROKER") != nullptr && std::string(std::getenv("PARKD_BENCH_BROKER")) == "nats";
  std::optional<parkd::test::Broker> mosquitto;
  std::optional<parkd::test::NatsCluster> nats;
  if (on_nats) {
    nats.emplace(dir.path() / "nats", 3);
    nats->start();
  } else {
    mosquitto.emplace(dir.path() / "broker");
    // PARKD_BENCH_BROKER_AUTOSAVE=N: the broker saves its persistence file every N s instead of
    // the shipped 30 (0: only when it stops), to see what the save costs the latency.
    if (const char* autosave = std::getenv("PARKD_BENCH_BROKER_AUTOSAVE"); autosave != nullptr) {
      std::ofstream(dir.path() / "broker" / "mosquitto.conf", std::ios::app) << "autosave_interval " << std::atoi(autosave) << "\n";
    }
    mosquitto->start();
  }
  const std::string uri = on_nats ? nats->mqtt_uri(0) : mosquitto->uri();
  // The broker's CPU time: Mosquitto's one process, or the cluster's three.
  const auto broker_cpu_us = [&] {
    if (!on_nats) return cpu_us(mosquitto->pid());
    double sum = 0;
    for (std::size_t i = 0; i < nats->size(); ++i) sum += cpu_us(nats->pid(static_cast<int>(i)));
    return sum;
  };

  // 1. The raw relay: the same messages, from the same publisher processes, to a plain subscriber
  //    in a process of its own; no parkd. Then its latency at 1,000 reports/s.
  double raw_per_s = 0;
  double raw_broker_busy = 0;  // of one core, while the raw relay ran: Mosquitto has one thread
  {
    const std::string out = (dir.path() / "raw-sink.out").string();
    parkd::test::ChildProcess sink;
    sink.start({"/proc/self/exe", "--sink", uri, "parking/relay/sensors/#", std::to_string(messages), out},
               dir.path() / "raw-sink.log");
    wait_until_ready(out + ".ready", sink);
    PublisherFleet fleet(uri, dir.path(), "relay", processes, static_cast<std::uint64_t>(messages), 1, false);
    const double broker_cpu_before = broker_cpu_us();
    const auto t0 = fleet.go();
    if (!fleet.finish() || sink.wait(120s) != 0) {
      std::fprintf(stderr, "e2e: the raw subscriber did not receive every message\n");
      return 1;
    }
    std::uint64_t received = 0;
    Clock::rep last_ns = 0;
    std::ifstream(out) >> received >> last_ns;
    const double seconds = std::chrono::duration<double>(Clock::time_point(Clock::duration(last_ns)) - t0).count();
    raw_per_s = static_cast<double>(received) / seconds;
    raw_broker_busy = (broker_cpu_us() - broker_cpu_before) / 1e6 / seconds;
  }
  std::vector<double> raw_timer_late;
  const std::vector<double> raw_ms = relay_latency(uri, latency_samples, raw_timer_late);

  // 2. parkd: debounce and frame interval 0, so a change shows on the sign at once.
  {
    std::ofstream lot(dir.path() / "bench.textproto");
    lot << "lot_id: \"bench\"\ntiming { debounce_ms: 0 frame_interval_ms: 0 stale_after_ms: 3600000 }\n"
        << "zones { zone_id: \"Z\"\n";
    for (int i = 0; i < kSensors; ++i) lot << "  spaces { space_id: \"" << space_id(i) << "\" sensor_id: \"" << sensor_id(i) << "\" }\n";
    lot << "}\ndisplays { display_id: \"gate\" arrows { zone_id: \"Z\" arrow: ARROW_STRAIGHT } }\n"
        << "gates { gate_id: \"g0\" display_id: \"gate\" nearest_zones: [\"Z\"] }\n"
        << "gates { gate_id: \"g1\" display_id: \"gate\" nearest_zones: [\"Z\"] }\n"
        << "gates { gate_id: \"g2\" display_id: \"gate\" nearest_zones: [\"Z\"] }\n"
        << "gates { gate_id: \"g3\" display_id: \"gate\" nearest_zones: [\"Z\"] }\n"
        << "visitor_reserve { reserve_spaces: 0 }\n";
    // A load test floods on purpose: the per-device limits are lifted.
    // PARKD_BENCH_GATE_SYNC=1: every gate event flushed to the disk before its acknowledgement.
    const char* sync = std::getenv("PARKD_BENCH_GATE_SYNC");
    std::ofstream(dir.path() / "parkd.textproto")
        << "broker { client_id: \"parkd-bench\" }\nlot_files: \"bench.textproto\"\n"
        << (sync != nullptr && std::string(sync) == "1" ? "store { gate_inbox_sync: true }\n" : "")
        << "limits { sensor_reports_per_s: 1e9 sensor_burst: 1e9 gate_events_per_s: 1e9 gate_burst: 1e9 }\n"
        // PARKD_BENCH_INTAKE="hold_above_per_s: 0": parkd woken at every arrival (an A/B of the pacing).
        << (std::getenv("PARKD_BENCH_INTAKE") != nullptr ? "intake { " + std::string(std::getenv("PARKD_BENCH_INTAKE")) + " }\n" : "");
  }
  parkd::test::ChildProcess parkd;
  // PARKD_BENCH_PARKD runs another build of parkd (an A/B against an older commit) in this harness.
  const char* other_parkd = std::getenv("PARKD_BENCH_PARKD");
  const int http_port = parkd::test::free_loopback_port();
  parkd.start({other_parkd != nullptr ? std::string(other_parkd) : (parkd::test::binary_dir() / "bin/parkd").string(), "--config", (dir.path() / "parkd.textproto").string(),
               "--broker", uri, "--db", (dir.path() / "parkd.db").string(), "--http",
               "127.0.0.1:" + std::to_string(http_port)},
              dir.path() / "parkd.log");
  Receiver sign(uri, "sign", "parking/bench/displays/gate/frame", Receiver::Keep::kFrames);
  auto senders = connect_senders(uri, "sensors-");
  std::this_thread::sleep_for(1s);  // parkd subscribed

  // Warm-up: every sensor reports free once.
  for (int i = 0; i < kSensors; ++i) senders[static_cast<std::size_t>(i % kPublishers)]->publish(report_topic("bench", i), report(i, false, 1, false));
  for (auto& s : senders) s->drain();
  if (!sign.wait_for_free(kSensors, 30s)) {
    std::fprintf(stderr, "e2e: parkd never showed %d free spaces\n%s", kSensors, parkd::test::read_file(dir.path() / "parkd.log").c_str());
    return 1;
  }

  // 3. CPU per report, every report a change: parkd, then the floor (a bare Paho client that
  //    receives the same stream and publishes as many retained frames as parkd did).
  double parkd_cpu_us = 0;
  double frames_per_1000 = 0;
  double per_wake = 0;  // reports the strand took up per wake-up (a post or a held drain)
  {
    const std::string messages_sample = "parkd_mqtt_messages_total";
    const std::string frames_sample = "parkd_frames_published_total{display=\"bench/gate\"}";
    const double messages0 = parkd_metric(http_port, messages_sample);
    const double frames0 = parkd_metric(http_port, frames_sample);
    const std::string batches_sample = "parkd_batch_work_seconds_count";
    const double batches0 = parkd_metric(http_port, batches_sample);
    PublisherFleet fleet(uri, dir.path(), "bench", processes, cpu_messages, 1'000'000, true);
    PerfRecording perf(parkd.pid(), "parkd");
    const double cpu0 = cpu_us(parkd.pid());
    fleet.go();
    if (!fleet.finish()) return 1;
    const auto give_up = Clock::now() + 120s;
    while (parkd_metric(http_port, messages_sample) < messages0 + static_cast<double>(cpu_messages) && Clock::now() < give_up) {
      std::this_thread::sleep_for(20ms);
    }
    if (!sign.wait_for_free(kSensors, 60s)) {
      std::fprintf(stderr, "e2e: parkd never showed the end of the changes\n");
      return 1;
    }
    parkd_cpu_us = (cpu_us(parkd.pid()) - cpu0) / static_cast<double>(cpu_messages);
    frames_per_1000 = (parkd_metric(http_port, frames_sample) - frames0) * 1000.0 / static_cast<double>(cpu_messages);
    per_wake = static_cast<double>(cpu_messages) / std::max(1.0, parkd_metric(http_port, batches_sample) - batches0);
  }
  double floor_cpu_us = 0;
  {
    const std::string out = (dir.path() / "floor.out").string();
    parkd::test::ChildProcess floor;
    floor.start({"/proc/self/exe", "--floor", uri, "floor", std::to_string(cpu_messages),
                 std::to_string(static_cast<std::uint64_t>(frames_per_1000 + 0.5)), out},
                dir.path() / "floor.log");
    wait_until_ready(out + ".ready", floor);
    PublisherFleet fleet(uri, dir.path(), "floor", processes, cpu_messages, 1, true);
    PerfRecording perf(floor.pid(), "floor");
    const double cpu0 = cpu_us(floor.pid());
    fleet.go();
    if (!fleet.finish()) return 1;
    const auto give_up = Clock::now() + 120s;
    while (!std::filesystem::exists(out) && floor.running() && Clock::now() < give_up) std::this_thread::sleep_for(5ms);
    if (!std::filesystem::exists(out)) {
      std::fprintf(stderr, "e2e: the floor did not receive every report\n%s",
                   parkd::test::read_file(dir.path() / "floor.log").c_str());
      return 1;
    }
    floor_cpu_us = (cpu_us(floor.pid()) - cpu0) / static_cast<double>(cpu_messages);
    floor.stop();
  }

  // 4. Throughput: heartbeats (the bulk of real traffic) from the publisher processes, then one
  //    change that marks the end.
  double parkd_per_s = 0;
  {
    PublisherFleet fleet(uri, dir.path(), "bench", processes, static_cast<std::uint64_t>(messages), 2'000'000, false);
    const auto t0 = fleet.go();
    if (!fleet.finish()) return 1;
    senders[0]->publish(report_topic("bench", 0), report(0, true, 10'000'000, false));
    senders[0]->drain();
    if (!sign.wait_for_free(kSensors - 1, 120s)) {
      std::fprintf(stderr, "e2e: the final change never reached the sign\n");
      return 1;
    }
    parkd_per_s = static_cast<double>(messages + 1) / std::chrono::duration<double>(Clock::now() - t0).count();
  }

  // Latency at 1,000 reports/s. parkd may fold reports that arrive together into one frame,
  // so frames are matched by content: reports sweep the free count down (occupying spaces one
  // after another), then up, then down..., and a report is shown by the first frame after it
  // was sent whose free count has reached the value the report produced. A plain subscriber in
  // the driver (the mirror) receives the same reports: its latency is the harness's and the
  // broker's own in the same window, so a tail there is not parkd's. Measured three times: as
  // is, again, then with browsers following GET /v1/events (issue #13: they must not delay the
  // signs).
  std::uint32_t free_now = kSensors - 1;
  std::uint64_t round_seq = 20'000'000;
  std::size_t frames_seen = 0;
  int swept = 0;  // reports of the sweep so far: a second measurement goes on where the first stopped
  // PARKD_E2E_DUMP=<file>: every sample as "<sign|mirror> <measurement> <ms since its start> <latency ms>"
  // (the mirror's also with the seconds since the driver started, to line stalls up across measurements;
  // the sign's also with the report's send to the frame's generated_at_ms by the system clock, ±1 ms:
  // a late frame made late was late reaching parkd, one made on time was late leaving it).
  std::FILE* dump = std::getenv("PARKD_E2E_DUMP") != nullptr ? std::fopen(std::getenv("PARKD_E2E_DUMP"), "w") : nullptr;
  int measurement = 0;
  Receiver mirror(uri, "mirror", "parking/bench/sensors/#", Receiver::Keep::kReports);
  struct Latency {
    std::vector<double> sign;    // report to the frame that shows it, ms, sorted
    std::vector<double> mirror;  // report to the mirror, ms, sorted
    int folded = 0;              // reports before a turn of the sweep taken up in one batch with it
    std::vector<double> timer_late;  // how late the driver's 1 ms timer woke for each report, ms, sorted
  };
  auto measure_latency = [&]() {
    sign.clear();
    mirror.clear();
    struct Sent {
      Clock::time_point at;
      std::uint32_t free_after;
      bool downward;
      double system_ms;  // the same moment by the system clock, which parkd's frames carry
    };
    std::vector<Sent> sent;
    sent.reserve(static_cast<std::size_t>(latency_samples));
    constexpr int kSweep = kSensors - 1;
    const std::uint64_t first_seq = round_seq + 1;
    const auto start = Clock::now();
    std::vector<double> timer_late;
    for (int k = 0; k < latency_samples; ++k) {
      wake_at(start + std::chrono::microseconds(1'000LL * k), timer_late);
      const bool downward = ((swept + k) / kSweep) % 2 == 0;
      const int step = (swept + k) % kSweep;
      const int sensor = downward ? 1 + step : kSweep - step;
      free_now += downward ? -1u : 1u;
      sent.push_back(Sent{Clock::now(), free_now, downward,
                          std::chrono::duration<double, std::milli>(std::chrono::system_clock::now().time_since_epoch()).count()});
      // By sensor, not by sample: at a turn of the sweep one sensor reports twice in a row (taken,
      // then free again), and on two connections the broker may hand parkd the second first; parkd
      // then rightly drops the first by its seq, and no frame ever shows it (a window of 5,000
      // "saw 4,999"). A real sensor has one connection.
      senders[static_cast<std::size_t>(sensor % kPublishers)]->publish(report_topic("bench", sensor),
                                                                       report(sensor, downward, ++round_seq, false));
    }
    swept += latency_samples;
    for (auto& s : senders) s->drain();
    std::this_thread::sleep_for(500ms);
    ++measurement;
    const auto since_start = [&](Clock::time_point at) { return std::chrono::duration<double, std::milli>(at - start).count(); };
    Latency latency;
    std::sort(timer_late.begin(), timer_late.end());
    latency.timer_late = std::move(timer_late);
    for (const auto& a : mirror.arrivals()) {
      if (a.seq < first_seq || a.seq >= first_seq + sent.size()) continue;
      const Sent& r = sent[a.seq - first_seq];
      latency.mirror.push_back(std::chrono::duration<double, std::milli>(a.at - r.at).count());
      if (dump) std::fprintf(dump, "mirror %d %.3f %.3f %.3f\n", measurement, since_start(r.at), latency.mirror.back(), std::chrono::duration<double>(r.at - driver_start).count());
    }
    const auto frames = sign.arrivals();
    frames_seen = frames.size();
    const auto shows = [&](std::size_t g, const Sent& r) {
      return r.downward ? frames[g].free_total <= r.free_after : frames[g].free_total >= r.free_after;
    };
    std::size_t f = 0;
    for (std::size_t i = 0; i < sent.size(); ++i) {
      const Sent& r = sent[i];
      while (f < frames.size() && frames[f].at < r.at) ++f;  // frames before the report cannot show it
      std::size_t g = f;
      while (g < frames.size() && !shows(g, r)) ++g;
      std::size_t turn = i + 1;
      while (g == frames.size() && turn < sent.size() && sent[turn].downward == r.downward) ++turn;
      // Within a stall's reach only: a report lost before a turn far away is a report lost.
      if (g == frames.size() && turn < sent.size() && sent[turn].at - r.at <= 50ms) {
        // Near the sweep's turn: when parkd took this report in one batch with the turn and the
        // reports that undo it, as it must after a stall, the sign rightly never showed its
        // count. The first frame after the turn's report that shows the turn stands for them
        // (an upper bound of their latency).
        g = f;
        while (g < frames.size() && (frames[g].at < sent[turn].at || !shows(g, sent[turn]))) ++g;
        if (g < frames.size()) ++latency.folded;
      }
      if (g == frames.size()) {
        // Said, so that a harness fault can be told from parkd's: the frames around it.
        std::string around;
        for (std::size_t h = f >= 3 ? f - 3 : 0; h < std::min(frames.size(), f + 4); ++h) {
          around += " " + std::to_string(frames[h].free_total) + "@" +
                    std::to_string(static_cast<long long>(std::chrono::duration<double, std::milli>(frames[h].at - start).count()));
        }
        std::fprintf(stderr, "e2e: report %zu of measurement %d (%s to %u free, sent at %.1f ms) never shown; frames:%s\n", i,
                     measurement, r.downward ? "down" : "up", r.free_after, since_start(r.at), around.c_str());
        continue;
      }
      latency.sign.push_back(std::chrono::duration<double, std::milli>(frames[g].at - r.at).count());
      if (dump) {
        std::fprintf(dump, "sign %d %.3f %.3f %.1f\n", measurement, since_start(r.at), latency.sign.back(),
                     static_cast<double>(frames[g].generated_at_ms) - r.system_ms);
      }
    }
    std::sort(latency.sign.begin(), latency.sign.end());
    std::sort(latency.mirror.begin(), latency.mirror.end());
    return latency;
  };
  // parkd's stage histograms (/metrics): per name, (bucket bound in s, cumulative count).
  using StageCounts = std::map<std::string, std::vector<std::pair<double, double>>>;
  static const std::vector<std::pair<std::string, std::string>> kStages = {
      {"parkd_queue_wait_seconds", "arrival (Paho's callback) to the strand"},
      {"parkd_batch_work_seconds", "the strand's work per batch"},
      {"parkd_ingest_to_frame_seconds", "arrival to the frame handed to Paho"},
      {"parkd_publish_to_ack_seconds", "a frame handed to Paho to the broker's PUBACK"}};
  const auto stage_counts = [&] {
    StageCounts out;
    const std::string metrics = parkd::test::http_get(http_port, "/metrics").body;
    for (const auto& [name, what] : kStages) {
      const std::string key = name + "_bucket{le=\"";
      for (std::size_t at = metrics.find(key); at != std::string::npos; at = metrics.find(key, at + 1)) {
        const std::size_t bound_at = at + key.size();
        const std::string bound = metrics.substr(bound_at, metrics.find('"', bound_at) - bound_at);
        const double count = std::atof(metrics.c_str() + metrics.find("} ", bound_at) + 2);
        out[name].emplace_back(bound == "+Inf" ? 1e9 : std::atof(bound.c_str()), count);
      }
    }
    return out;
  };
  // A quantile as the bound of the bucket it falls in ("≤ 0.25 ms"), of the counts since `before`.
  const auto print_stages = [](const char* window, const StageCounts& before, const StageCounts& after) {
    for (const auto& [name, what] : kStages) {
      const auto it = after.find(name);
      if (it == after.end() || it->second.empty()) continue;
      std::vector<std::pair<double, double>> buckets = it->second;
      if (const auto b = before.find(name); b != before.end() && b->second.size() == buckets.size()) {
        for (std::size_t i = 0; i < buckets.size(); ++i) buckets[i].second -= b->second[i].second;
      }
      const double total = buckets.back().second;
      const auto bound = [&](double q) {
        if (total <= 0) return std::string("-");
        for (const auto& [le, cumulative] : buckets) {
          if (cumulative < q * total) continue;
          if (le >= 1e9) return std::string("> 1 s");
          char text[32];
          std::snprintf(text, sizeof text, "≤ %g ms", le * 1e3);
          return std::string(text);
        }
        return std::string("-");
      };
      std::printf("parkd stage (%s), %s: %.0f observed, p50 %s, p99 %s, p99.9 %s\n", window, what.c_str(), total,
                  bound(0.5).c_str(), bound(0.99).c_str(), bound(0.999).c_str());
    }
  };
  const StageCounts stages_before = stage_counts();
  const Latency first = measure_latency();
  const std::vector<double>& ms = first.sign;
  const StageCounts stages_after = stage_counts();
  // Later measurements come out slower than the first with nothing added (seen: p99 ~1 ms, then
  // ~1 ms, then ~50 ms), so bench/run compares the third one with and without browsers across
  // runs (PARKD_E2E_EVENT_STREAMS=0 and 50), never with the first.
  const Latency again = measure_latency();
  const std::vector<double>& ms_again = again.sign;

  // The same with N browsers on the event feed, each read by a thread of this process.
  const int streams = std::getenv("PARKD_E2E_EVENT_STREAMS") != nullptr ? std::atoi(std::getenv("PARKD_E2E_EVENT_STREAMS")) : 50;
  std::atomic<bool> stop_reading{false};
  std::atomic<std::uint64_t> events_read{0};
  std::vector<std::thread> readers;
  std::string token;
  {
    std::ifstream tokens(dir.path() / "parkd.token");
    for (std::string line; std::getline(tokens, line);) {
      if (!line.empty() && line[0] != '#') token = line.substr(line.rfind(':') + 1);
    }
  }
  for (int i = 0; i < streams; ++i) {
    readers.emplace_back([&, i] {
      parkd::test::EventStreamClient client(http_port, "/v1/events", {"Authorization: Bearer " + token});
      if (client.status() != 200) {
        std::fprintf(stderr, "e2e: event stream %d refused\n", i);
        return;
      }
      while (!stop_reading) events_read += client.skim(100ms);
    });
  }
  std::this_thread::sleep_for(500ms);
  const StageCounts third_before = stage_counts();
  const Latency third = measure_latency();
  const std::vector<double>& ms_streams = third.sign;
  const StageCounts third_after = stage_counts();
  stop_reading = true;
  for (auto& t : readers) t.join();
  std::printf("with %d event streams (%llu events read): p50 %.3f ms, p99 %.3f ms (the measurement before, without: "
              "%.3f, %.3f)\n",
              streams, static_cast<unsigned long long>(events_read.load()), quantile(ms_streams, 0.5),
              quantile(ms_streams, 0.99), quantile(ms_again, 0.5), quantile(ms_again, 0.99));
  // Gate events with durability on, against a plain echo in its own process (parse the event,
  // publish a decision) over the same broker, cameras and barrier in the same run.
  const GateRun echo_gates = run_gates(uri, dir.path(), "echo", gate_events, 0);
  const GateRun gates = run_gates(uri, dir.path(), "bench", gate_events, parkd.pid());
  if (echo_gates.events_per_s <= 0 || gates.events_per_s <= 0) return 1;

  const long rss = parkd::test::rss_kb(parkd.pid());
  // Where a report's time goes inside parkd, at 1,000 reports/s (the first latency measurement)
  // and over the whole run, from its /metrics histograms.
  print_stages("at 1,000 reports/s", stages_before, stages_after);
  print_stages("the third measurement", third_before, third_after);
  print_stages("whole run", {}, stage_counts());

  for (auto& s : senders) s->disconnect();
  sign.disconnect();
  parkd.stop();
  std::printf("reports seen on the sign: %zu of %d (%zu frames; %d reports before a turn of the sweep taken up with it)\n",
              ms.size(), latency_samples, frames_seen, first.folded);
  std::printf("gate events with durability on: %.0f/s, %.0f us of parkd's CPU each; a plain echo: %.0f/s, %.0f us each "
              "(4 gates, QoS 1, until the decision is received)\n",
              gates.events_per_s, gates.responder_cpu_us, echo_gates.events_per_s, echo_gates.responder_cpu_us);
  std::printf("reports, every one a change (%llu, %d publisher processes): parkd %.1f us of CPU each (%.0f frames per "
              "1,000, %.1f reports per wake-up of its engine); the floor, a bare Paho client doing that in messages: "
              "%.1f us each; ratio %.2f\n",
              static_cast<unsigned long long>(cpu_messages), processes, parkd_cpu_us, frames_per_1000, per_wake,
              floor_cpu_us, parkd_cpu_us / floor_cpu_us);
  std::printf("latency at 1,000 reports/s: raw relay (one hop) p50 %.3f ms, p99 %.3f ms (the driver's 1 ms timer late "
              "p99 %.3f ms in its window); parkd to the sign p50 %.3f ms, p99 %.3f ms\n",
              quantile(raw_ms, 0.5), quantile(raw_ms, 0.99), quantile(raw_timer_late, 0.99), quantile(ms, 0.5),
              quantile(ms, 0.99));
  for (const auto& [name, l] : {std::pair<const char*, const Latency*>{"first", &first}, {"again", &again}, {"third", &third}}) {
    std::printf("latency, %s measurement: to the sign p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms; the same reports to the "
                "mirror p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms; the driver's 1 ms timer late p99 %.3f ms, p99.9 %.3f ms\n",
                name, quantile(l->sign, 0.5), quantile(l->sign, 0.99), quantile(l->sign, 0.999), quantile(l->mirror, 0.5),
                quantile(l->mirror, 0.99), quantile(l->mirror, 0.999), quantile(l->timer_late, 0.99),
                quantile(l->timer_late, 0.999));
  }
  std::printf("RESULT reports_per_s=%.0f raw_relay_per_s=%.0f ratio_to_raw=%.2f p50_ms=%.3f p99_ms=%.3f rss_mb=%.1f "
              "gate_events_per_s=%.0f gate_echo_per_s=%.0f gate_cpu_us=%.0f gate_echo_cpu_us=%.0f "
              "event_streams=%d p50_again_ms=%.3f p99_again_ms=%.3f p50_streams_ms=%.3f p99_streams_ms=%.3f "
              "raw_p50_ms=%.3f raw_p99_ms=%.3f cpu_us=%.1f floor_cpu_us=%.1f cpu_ratio_to_floor=%.2f "
              "frames_per_1000=%.0f publisher_processes=%d mirror_p99_ms=%.3f mirror_p99_again_ms=%.3f "
              "mirror_p99_streams_ms=%.3f raw_broker_busy=%.2f timer_late_p99_ms=%.3f raw_timer_late_p99_ms=%.3f\n",
              parkd_per_s, raw_per_s, parkd_per_s / raw_per_s, quantile(ms, 0.5), quantile(ms, 0.99), static_cast<double>(rss) / 1024.0,
              gates.events_per_s, echo_gates.events_per_s, gates.responder_cpu_us, echo_gates.responder_cpu_us, streams,
              quantile(ms_again, 0.5), quantile(ms_again, 0.99), quantile(ms_streams, 0.5), quantile(ms_streams, 0.99),
              quantile(raw_ms, 0.5), quantile(raw_ms, 0.99), parkd_cpu_us, floor_cpu_us, parkd_cpu_us / floor_cpu_us,
              frames_per_1000, processes, quantile(first.mirror, 0.99), quantile(again.mirror, 0.99),
              quantile(third.mirror, 0.99), raw_broker_busy, quantile(first.timer_late, 0.99), quantile(raw_timer_late, 0.99));
  // The later measurements may miss a few reports (their tail is longer, see above): said, not failed.
  if (ms_again.size() != ms.size() || ms_streams.size() != ms.size()) {
    std::printf("reports seen on the sign in the later measurements: %zu and %zu of %d\n", ms_again.size(),
                ms_streams.size(), latency_samples);
  }
  return ms.size() == static_cast<std::size_t>(latency_samples) ? 0 : 1;
}
