// Core throughput and memory: sensor reports through topic parsing, decoding, the engine and
// frame generation on one core, for xj5 and for 1,000 lots of 200 spaces.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>
#include <random>
#include <string>
#include <vector>

#include "config/config_loader.h"
#include "core/engine.h"
#include "sensors/sensor_report_decoder.h"
#include "sensors/topic.h"

// Live heap bytes, as glibc hands them out (usable size, so allocator rounding counts too).
// new and delete are both replaced here, so pairing malloc with free is right.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
static std::atomic<std::int64_t> g_live_bytes{0};

void* operator new(std::size_t n) {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  g_live_bytes.fetch_add(static_cast<std::int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
  return p;
}
void operator delete(void* p) noexcept {
  if (p == nullptr) return;
  g_live_bytes.fetch_sub(static_cast<std::int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept { operator delete(p); }

namespace parkd {
namespace {

class CountingSink : public EngineSink {
 public:
  void publish_frame(const DisplayFrame& frame) override {
    ++frames;
    benchmark::DoNotOptimize(frame.free_total);
  }
  std::uint64_t frames = 0;
};

std::vector<Lot> many_lots(int lots, int zones, int spaces_per_zone) {
  std::vector<Lot> out;
  out.reserve(static_cast<std::size_t>(lots));
  for (int l = 0; l < lots; ++l) {
    LotSpec spec;
    spec.lot_id = "lot" + std::to_string(l);
    DisplaySpec display{"gate", {}, {}};
    GateSpec gate{"gate", "gate", {}, {}};
    for (int z = 0; z < zones; ++z) {
      ZoneSpec zone;
      zone.zone_id = std::string(1, static_cast<char>('A' + z));
      for (int s = 1; s <= spaces_per_zone; ++s) {
        const std::string id = zone.zone_id + (s < 10 ? "0" : "") + std::to_string(s);
        zone.spaces.push_back(SpaceSpec{id, "sensor-" + id, SpaceKind::Ordinary, {}});
      }
      display.arrows.push_back(ArrowSpec{zone.zone_id, Arrow::Straight, {}});
      gate.nearest_zones.push_back(ZoneRef{zone.zone_id, {}});
      spec.zones.push_back(std::move(zone));
    }
    spec.displays.push_back(display);
    spec.gates.push_back(gate);
    LotBuild built = Lot::build(spec);
    if (!built.lot) std::abort();
    out.push_back(std::move(*built.lot));
  }
  return out;
}

std::vector<Lot> xj5_lots() {
  ConfigLoad load = load_config_file(std::string(PARKD_SOURCE_DIR) + "/config/parkd.textproto");
  if (!load.config) std::abort();
  return std::move(load.config->lots);
}

// A replayable stream of reports: mostly heartbeats, one in ten a change of state. Topics and
// payloads sit back to back in one buffer, read in order, so the harness itself costs next to
// nothing: what is measured is the pipeline.
class ReportStream {
 public:
  explicit ReportStream(const Engine& engine) {
    for (std::size_t l = 0; l < engine.lot_count(); ++l) {
      for (const Space& s : engine.lot(l).spaces()) {
        sensors_.push_back(Sensor{sensor_report_topic(engine.lot(l).id(), s.sensor_id), s.sensor_id, s.id});
      }
    }
    refill();
  }

  struct Message {
    std::string_view topic;
    std::string_view payload;
  };

  Message next(benchmark::State& state) {
    if (cursor_ == entries_.size()) {
      state.PauseTiming();
      refill();
      state.ResumeTiming();
    }
    const Entry& e = entries_[cursor_++];
    return Message{std::string_view(buffer_).substr(e.topic_at, e.topic_size),
                   std::string_view(buffer_).substr(e.payload_at, e.payload_size)};
  }

 private:
  struct Sensor {
    std::string topic;
    std::string sensor_id;
    std::string space_id;
    std::uint64_t seq = 0;
    bool occupied = false;
  };
  struct Entry {
    std::uint32_t topic_at, topic_size, payload_at, payload_size;
  };

  void refill() {
    entries_.clear();
    buffer_.clear();
    entries_.reserve(kPool);
    buffer_.reserve(kPool * 96);
    parking::v1::SensorReport r;
    std::string payload;
    for (std::size_t i = 0; i < kPool; ++i) {
      Sensor& s = sensors_[rng_() % sensors_.size()];
      const bool change = rng_() % 10 == 0;
      if (change) s.occupied = !s.occupied;
      r.set_sensor_id(s.sensor_id);
      r.set_space_id(s.space_id);
      r.set_boot_id(1);
      r.set_seq(++s.seq);
      r.set_observed_at_ms(1'793'592'000'000);
      r.set_occupied(s.occupied);
      r.set_kind(change ? parking::v1::REPORT_KIND_CHANGE : parking::v1::REPORT_KIND_HEARTBEAT);
      r.set_battery_mv(3'000);
      r.SerializeToString(&payload);
      Entry e{};
      e.topic_at = static_cast<std::uint32_t>(buffer_.size());
      e.topic_size = static_cast<std::uint32_t>(s.topic.size());
      buffer_ += s.topic;
      e.payload_at = static_cast<std::uint32_t>(buffer_.size());
      e.payload_size = static_cast<std::uint32_t>(payload.size());
      buffer_ += payload;
      entries_.push_back(e);
    }
    cursor_ = 0;
  }

  static constexpr std::size_t kPool = 1 << 20;
  std::vector<Sensor> sensors_;
  std::vector<Entry> entries_;
  std::string buffer_;
  std::size_t cursor_ = 0;
  std::mt19937_64 rng_{2026};
};

// Reports arrive at 1,000 per simulated millisecond: debounces, holds and frame throttling run
// on that clock, so guidance work is what a real stream at that rate would cause.
// Arg 0: topic parsing and decoding only (a breakdown); arg 1: the whole pipeline, one report
// at a time; arg 2: the whole pipeline in batches of 16, as parkd drains what has arrived.
template <typename MakeLots>
void run_pipeline(benchmark::State& state, MakeLots make_lots) {
  const bool whole = state.range(0) >= 1;
  const bool batched = state.range(0) == 2;
  const std::int64_t before = g_live_bytes.load();
  CountingSink sink;
  auto engine = std::make_unique<Engine>(make_lots(), sink);
  TimeMs now = 1'793'592'000'000;
  engine->advance(now);
  const std::int64_t engine_bytes = g_live_bytes.load() - before;
  std::size_t spaces = 0;
  for (std::size_t l = 0; l < engine->lot_count(); ++l) spaces += engine->lot(l).spaces().size();

  ReportStream stream(*engine);
  SensorReportDecoder decoder;
  std::uint64_t accepted = 0;
  std::uint64_t n = 0;
  if (batched) {
    constexpr std::size_t kBatch = 16;
    SensorReportDecoder batch_decoder(SensorReportDecoder::kDefaultMaxPayload, kBatch);
    std::vector<SensorReading> readings;
    std::array<ReportOutcome, kBatch> outcomes{};
    for (auto _ : state) {
      const auto m = stream.next(state);
      const Topic topic = parse_topic(m.topic);
      const DecodedReport d = batch_decoder.decode(topic.lot_id, topic.device_id, m.payload, readings.size());
      if (d.reading) readings.push_back(*d.reading);
      if (readings.size() == kBatch) {
        engine->on_sensor_reports(readings, now, outcomes);
        for (auto o : outcomes) accepted += o == ReportOutcome::Accepted ? 1 : 0;
        readings.clear();
      }
      if (++n % 1'000 == 0) ++now;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(n));
    state.counters["bytes_per_space"] = static_cast<double>(engine_bytes) / static_cast<double>(spaces);
    state.counters["accepted_share"] = n == 0 ? 0.0 : static_cast<double>(accepted) / static_cast<double>(n);
    state.counters["frames"] = static_cast<double>(sink.frames);
    return;
  }
  for (auto _ : state) {
    const auto m = stream.next(state);
    const Topic topic = parse_topic(m.topic);
    const DecodedReport d = decoder.decode(topic.lot_id, topic.device_id, m.payload);
    if (whole && d.reading) accepted += engine->on_sensor_report(*d.reading, now) == ReportOutcome::Accepted ? 1 : 0;
    if (++n % 1'000 == 0) ++now;
    if (whole) engine->advance(now);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
  state.counters["bytes_per_space"] = static_cast<double>(engine_bytes) / static_cast<double>(spaces);
  state.counters["accepted_share"] = n == 0 ? 0.0 : static_cast<double>(accepted) / static_cast<double>(n);
  state.counters["frames"] = static_cast<double>(sink.frames);
}

// bytes_per_space counts everything the engine holds: the lots as loaded and the runtime state.
void BM_ReportPipeline_xj5(benchmark::State& state) { run_pipeline(state, [] { return xj5_lots(); }); }
void BM_ReportPipeline_1000x200(benchmark::State& state) {
  run_pipeline(state, [] { return many_lots(1'000, 4, 50); });
}

// Baseline measured in the same run: protobuf parsing alone of the same payloads.
void BM_ParseOnly(benchmark::State& state) {
  CountingSink sink;
  Engine engine(xj5_lots(), sink);
  ReportStream stream(engine);
  parking::v1::SensorReport r;
  for (auto _ : state) {
    const auto m = stream.next(state);
    benchmark::DoNotOptimize(r.ParseFromArray(m.payload.data(), static_cast<int>(m.payload.size())));
  }
  state.SetItemsProcessed(state.iterations());
}

// Baseline of the machine: one dependent random read in a 64 MiB array, the cost that bounds
// a report once the lots no longer fit in cache (1,000 lots x 200 spaces).
void BM_RandomMemoryRead(benchmark::State& state) {
  const std::size_t n = (64u << 20) / sizeof(std::uint32_t);
  std::vector<std::uint32_t> next(n);
  std::vector<std::uint32_t> order(n);
  for (std::uint32_t i = 0; i < n; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937_64(7));
  for (std::size_t i = 0; i < n; ++i) next[order[i]] = order[(i + 1) % n];
  std::uint32_t at = 0;
  for (auto _ : state) {
    at = next[at];
    benchmark::DoNotOptimize(at);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_ParseOnly)->MinTime(0.5);
BENCHMARK(BM_RandomMemoryRead)->MinTime(0.5);
BENCHMARK(BM_ReportPipeline_xj5)->MinTime(0.5)->ArgName("whole")->Arg(0)->Arg(1)->Arg(2);
BENCHMARK(BM_ReportPipeline_1000x200)->MinTime(1)->ArgName("whole")->Arg(0)->Arg(1)->Arg(2);

}  // namespace
}  // namespace parkd

BENCHMARK_MAIN();
