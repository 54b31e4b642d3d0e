// The load driver's helper processes (see load_processes.h).
#include "load_processes.h"

#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <optional>
#include <stdexcept>
#include <thread>

#include "bulk_clients.h"
#include "parking/v1/messages.pb.h"

namespace parkd::bench {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

void wait_for_file(const fs::path& path) {
  while (!fs::exists(path)) std::this_thread::sleep_for(200us);
}

// The raw relay's clients (the bulk load's publishers and the sink): BulkPublisher and
// BulkSubscriber, unless PARKD_E2E_RELAY_CLIENTS=mosquitto asks for the libmosquitto clients the
// latency windows use (the harness before session 24, for A/B runs).
bool bulk_clients() {
  const char* v = std::getenv("PARKD_E2E_RELAY_CLIENTS");
  return v == nullptr || std::strcmp(v, "mosquitto") != 0;
}

// --publish: threads [first, first + threads) of kPublishers, each a client of its own, publish
// their share of the stream once `go` exists.
int publish(const std::string& uri, const std::string& lot, int first, int threads, std::uint64_t messages,
            std::uint64_t seq_base, bool changes, const fs::path& go, const fs::path& ready) {
  const std::string prefix = lot + "-publisher-" + std::to_string(first) + "-";
  std::vector<std::unique_ptr<Sender>> senders;
  std::vector<std::unique_ptr<BulkPublisher>> bulk;
  if (bulk_clients()) {
    for (int i = 0; i < threads; ++i) {
      bulk.push_back(std::make_unique<BulkPublisher>(uri, prefix + std::to_string(i), kWindowPerClient, kBulkBatch));
    }
  } else {
    senders = connect_senders(uri, prefix, threads);
  }
  std::ofstream(ready) << "ready\n";
  wait_for_file(go);
  const auto play = [&](auto& client, int i) {
    for (std::uint64_t k = static_cast<std::uint64_t>(first + i); k < messages; k += kPublishers) {
      const int sensor = stream_sensor(k);
      client.publish(report_topic(lot, sensor), report(sensor, changes && stream_occupied(k), seq_base + k, !changes));
    }
    client.drain();
  };
  std::vector<std::thread> workers;
  for (int i = 0; i < threads; ++i) {
    workers.emplace_back([&, i] {
      const auto at = static_cast<std::size_t>(i);
      if (bulk.empty()) {
        play(*senders[at], i);
      } else {
        play(*bulk[at], i);
      }
    });
  }
  for (auto& w : workers) w.join();
  for (auto& s : senders) s->disconnect();
  for (auto& b : bulk) b->disconnect();
  return 0;
}

// --sink: a plain subscriber; counts `expected` messages and writes the steady-clock time of the
// last one (ns) to `out`.
int sink(const std::string& uri, const std::string& filter, std::uint64_t expected, const std::string& out) {
  if (bulk_clients()) {
    BulkSubscriber subscriber(uri, "sink-" + std::to_string(::getpid()), filter);
    std::ofstream(out + ".ready") << "ready\n";
    const std::uint64_t count = subscriber.receive(expected, Clock::now() + 300s);
    std::ofstream(out) << count << " " << subscriber.last().time_since_epoch().count() << "\n";
    return count == expected ? 0 : 1;
  }
  Receiver receiver(uri, "sink-" + std::to_string(::getpid()), filter, Receiver::Keep::kNothing);
  std::ofstream(out + ".ready") << "ready\n";
  const auto give_up = Clock::now() + 300s;
  while (receiver.count() < expected && Clock::now() < give_up) std::this_thread::sleep_for(1ms);
  std::ofstream(out) << receiver.count() << " " << receiver.last().time_since_epoch().count() << "\n";
  receiver.disconnect();
  return receiver.count() == expected ? 0 : 1;
}

// --floor: parkd's job in messages and nothing else, with the bare Paho C++ client parkd uses: a
// QoS 1 subscription to the lot's reports (acknowledged when the callback returns) and, for
// every 1,000 reports, `frames_per_1000` retained QoS 1 frames to two signs, published from the
// callback with parkd's discipline (Paho's buffers and in-flight limit as parkd sets them, at
// most 500 frames outstanding, a sign's newer frame replacing one still waiting). No parsing,
// no state, no store. Writes "<reports> <frames>" to `out` once `expected` reports have come and
// every frame was acknowledged, then waits to be stopped (the driver reads its CPU time).
int floor_subscriber(const std::string& uri, const std::string& lot, std::uint64_t expected,
                     std::uint64_t frames_per_1000, const std::string& out) {
  constexpr std::uint64_t kWindow = 500;
  mqtt::create_options options(MQTTVERSION_3_1_1);
  options.set_max_buffered_messages(static_cast<int>(kWindow) + 100);
  mqtt::async_client client(uri, "floor-" + std::to_string(::getpid()), options, nullptr);
  std::mutex mutex;  // Paho calls back on its receive thread; the lock keeps that an assumption
  std::uint64_t reports = 0, frames = 0, sent = 0, acknowledged = 0;
  std::optional<mqtt::message_ptr> waiting[2];  // per sign, the newest frame not yet sent
  std::atomic<bool> done{false};
  parking::v1::DisplayFrame frame;
  frame.set_display_id("d");
  class Acknowledged : public mqtt::iaction_listener {
   public:
    explicit Acknowledged(std::function<void()> done) : done_(std::move(done)) {}
    void on_success(const mqtt::token&) override { done_(); }
    void on_failure(const mqtt::token&) override { done_(); }

   private:
    std::function<void()> done_;
  };
  std::unique_ptr<Acknowledged> listener;
  const auto publish = [&](mqtt::message_ptr m) {  // under the lock
    ++sent;
    client.publish(std::move(m), nullptr, *listener);
  };
  const auto check_done = [&] {  // under the lock
    if (reports >= expected && acknowledged == sent && !waiting[0] && !waiting[1]) done = true;
  };
  listener = std::make_unique<Acknowledged>([&] {
    std::lock_guard lock(mutex);
    ++acknowledged;
    for (auto& w : waiting) {
      if (w && sent - acknowledged < kWindow) {
        publish(std::move(*w));
        w.reset();
      }
    }
    check_done();
  });
  client.set_message_callback([&](mqtt::const_message_ptr) {
    std::lock_guard lock(mutex);
    ++reports;
    while (frames < reports * frames_per_1000 / 1000) {
      ++frames;
      frame.set_seq(frames);
      frame.set_free_total(static_cast<std::uint32_t>(reports % kSensors));
      const std::size_t sign = frames % 2;
      auto m = mqtt::make_message("parking/" + lot + "/displays/d" + std::to_string(sign) + "/frame",
                                  frame.SerializeAsString(), 1, true);
      if (sent - acknowledged < kWindow) {
        publish(std::move(m));
      } else {
        waiting[sign] = std::move(m);
      }
    }
    check_done();
  });
  client.connect(mqtt::connect_options_builder().mqtt_version(MQTTVERSION_3_1_1).clean_session(true).max_inflight(1'000).finalize())->wait();
  client.subscribe("parking/" + lot + "/sensors/#", 1)->wait();
  std::ofstream(out + ".ready") << "ready\n";
  const auto give_up = Clock::now() + 100s;
  while (!done && Clock::now() < give_up) std::this_thread::sleep_for(1ms);
  std::lock_guard lock(mutex);
  if (!done) {
    std::printf("floor: gave up with %llu of %llu reports and %llu of %llu frames acknowledged\n",
                static_cast<unsigned long long>(reports), static_cast<unsigned long long>(expected),
                static_cast<unsigned long long>(acknowledged), static_cast<unsigned long long>(sent));
    std::fflush(stdout);
    ::_exit(1);
  }
  std::ofstream(out + ".tmp") << reports << " " << sent << "\n";
  fs::rename(out + ".tmp", out);
  for (;;) ::pause();  // until the driver stops it
}

// --echo: what parkd does at a gate minus parkd: each event of `lot` is parsed and answered with a
// decision, no store, no rules, published from a thread of its own with at most 500 in flight, as
// parkd does (Paho scans its queue for a message id on every publish). The baseline of the gate
// measurement.
int echo_gates(const std::string& uri, const std::string& lot, const std::string& ready) {
  PahoSender out(uri, "echo-" + std::to_string(::getpid()));
  out.connect()->wait();
  std::mutex mutex;
  std::condition_variable arrived;
  std::deque<std::pair<std::string, std::string>> decisions;
  mqtt::async_client in(uri, "echo-in-" + std::to_string(::getpid()), mqtt::create_options(MQTTVERSION_3_1_1), nullptr);
  in.set_message_callback([&](mqtt::const_message_ptr m) {
    parking::v1::GateEvent e;
    if (!e.ParseFromString(m->get_payload_str())) return;
    parking::v1::GateDecision d;
    d.set_gate_id(e.gate_id());
    d.set_event_seq(e.seq());
    d.set_plate(e.plate());
    d.set_admit(true);
    std::lock_guard lock(mutex);
    decisions.emplace_back("parking/" + lot + "/gates/" + e.gate_id() + "/decision", d.SerializeAsString());
    arrived.notify_one();
  });
  in.connect(mqtt::connect_options_builder().mqtt_version(MQTTVERSION_3_1_1).clean_session(true).finalize())->wait();
  in.subscribe("parking/" + lot + "/gates/+/event", 1)->wait();
  std::ofstream(ready) << "ready\n";
  for (;;) {  // until the driver stops it
    std::unique_lock lock(mutex);
    arrived.wait(lock, [&] { return !decisions.empty(); });
    auto [topic, payload] = std::move(decisions.front());
    decisions.pop_front();
    lock.unlock();
    out.publish(topic, payload);
  }
}

std::uint64_t number(const std::string& text) { return std::strtoull(text.c_str(), nullptr, 10); }

}  // namespace

int run_child_mode(const std::vector<std::string>& a) {
  if (a.size() < 2) return -1;
  const std::string& mode = a[1];
  if (mode == "--publish" && a.size() == 11) {
    return publish(a[2], a[3], static_cast<int>(number(a[4])), static_cast<int>(number(a[5])), number(a[6]), number(a[7]),
                   a[8] == "changes", a[9], a[10]);
  }
  if (mode == "--sink" && a.size() == 6) return sink(a[2], a[3], number(a[4]), a[5]);
  if (mode == "--floor" && a.size() == 7) return floor_subscriber(a[2], a[3], number(a[4]), number(a[5]), a[6]);
  if (mode == "--echo" && a.size() == 5) return echo_gates(a[2], a[3], a[4]);
  return -1;
}

void wait_until_ready(const fs::path& file, parkd::test::ChildProcess& helper) {
  while (!fs::exists(file) && helper.running()) std::this_thread::sleep_for(5ms);
}

int publisher_processes() {
  const char* env = std::getenv("PARKD_E2E_PUBLISHER_PROCESSES");
  const int n = env != nullptr ? std::atoi(env) : 4;
  if (n < 1 || kPublishers % n != 0) {
    throw std::invalid_argument("PARKD_E2E_PUBLISHER_PROCESSES must divide " + std::to_string(kPublishers));
  }
  return n;
}

PublisherFleet::PublisherFleet(const std::string& uri, const fs::path& dir, const std::string& lot, int processes,
                               std::uint64_t messages, std::uint64_t seq_base, bool changes)
    : go_file_(dir / (lot + "-go-" + std::to_string(seq_base))) {
  const int threads = kPublishers / processes;
  std::vector<fs::path> ready;
  for (int p = 0; p < processes; ++p) {
    const std::string name = lot + "-publisher-" + std::to_string(seq_base) + "-" + std::to_string(p);
    ready.push_back(dir / (name + ".ready"));
    logs_.push_back(dir / (name + ".log"));
    children_.push_back(std::make_unique<parkd::test::ChildProcess>());
    children_.back()->start({"/proc/self/exe", "--publish", uri, lot, std::to_string(p * threads), std::to_string(threads),
                             std::to_string(messages), std::to_string(seq_base), changes ? "changes" : "heartbeats",
                             go_file_.string(), ready.back().string()},
                            logs_.back());
  }
  for (std::size_t p = 0; p < ready.size(); ++p) {
    while (!fs::exists(ready[p])) {
      if (!children_[p]->running()) throw std::runtime_error("a publisher failed to start: " + parkd::test::read_file(logs_[p]));
      std::this_thread::sleep_for(2ms);
    }
  }
}

Clock::time_point PublisherFleet::go() {
  const auto at = Clock::now();
  std::ofstream(go_file_) << "go\n";
  return at;
}

bool PublisherFleet::finish() {
  bool ok = true;
  for (std::size_t p = 0; p < children_.size(); ++p) {
    if (children_[p]->wait(300s) != 0) {
      std::fprintf(stderr, "e2e: publisher %zu failed:\n%s", p, parkd::test::read_file(logs_[p]).c_str());
      ok = false;
    }
  }
  return ok;
}

}  // namespace parkd::bench
