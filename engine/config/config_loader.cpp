// Text-format configuration → LotSpec (with source locations) → validated Lot.
#include "config_loader.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <tuple>

#include "broker_uris.h"
#include "core/civil_day.h"
#include "parking/v1/config.pb.h"

namespace parkd {
namespace {

namespace pb = google::protobuf;
using ParseInfoTree = pb::TextFormat::ParseInfoTree;

class CollectIssues : public pb::io::ErrorCollector {
 public:
  CollectIssues(ConfigIssues& issues, std::string file) : issues_(issues), file_(std::move(file)) {}
  void AddError(int line, pb::io::ColumnNumber column, const std::string& message) override {
    issues_.push_back(ConfigIssue{file_, line + 1, column + 1, message});
  }
  void AddWarning(int line, pb::io::ColumnNumber column, const std::string& message) override {
    issues_.push_back(ConfigIssue{file_, line + 1, column + 1, "warning treated as error: " + message});
  }

 private:
  ConfigIssues& issues_;
  std::string file_;
};

// Finds where a field of a parsed message was written.
class Locator {
 public:
  Locator(const ParseInfoTree* tree, const pb::Descriptor* descriptor) : tree_(tree), descriptor_(descriptor) {}

  SpecLocation at(const char* field, int index = -1) const {
    if (tree_ == nullptr) return {};
    const pb::FieldDescriptor* fd = descriptor_->FindFieldByName(field);
    if (fd == nullptr) return {};
    const auto loc = tree_->GetLocation(fd, index);
    if (loc.line < 0) return {};
    return SpecLocation{loc.line + 1, loc.column + 1};
  }

  Locator nested(const char* field, int index, const pb::Descriptor* descriptor) const {
    if (tree_ == nullptr) return Locator(nullptr, descriptor);
    const pb::FieldDescriptor* fd = descriptor_->FindFieldByName(field);
    return Locator(fd == nullptr ? nullptr : tree_->GetTreeForNested(fd, index), descriptor);
  }

 private:
  const ParseInfoTree* tree_;
  const pb::Descriptor* descriptor_;
};

std::optional<SpaceKind> to_kind(parking::v1::SpaceKind k) {
  switch (k) {
    case parking::v1::SPACE_KIND_UNSPECIFIED:
    case parking::v1::SPACE_KIND_ORDINARY: return SpaceKind::Ordinary;
    case parking::v1::SPACE_KIND_ACCESSIBLE: return SpaceKind::Accessible;
    case parking::v1::SPACE_KIND_EV_CHARGING: return SpaceKind::EvCharging;
    default: return std::nullopt;
  }
}

std::optional<Arrow> to_arrow(parking::v1::Arrow a) {
  switch (a) {
    case parking::v1::ARROW_LEFT: return Arrow::Left;
    case parking::v1::ARROW_RIGHT: return Arrow::Right;
    case parking::v1::ARROW_STRAIGHT: return Arrow::Straight;
    default: return std::nullopt;
  }
}

// "HH:MM" → minute of the day.
std::optional<int> parse_clock(const std::string& text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  int h = 0;
  int m = 0;
  if (std::from_chars(text.data(), text.data() + 2, h).ptr != text.data() + 2) return std::nullopt;
  if (std::from_chars(text.data() + 3, text.data() + 5, m).ptr != text.data() + 5) return std::nullopt;
  if (h < 0 || h > 23 || m < 0 || m > 59) return std::nullopt;
  return h * 60 + m;
}

std::string two_digit_id(const std::string& zone, std::uint32_t n, std::uint32_t count) {
  std::string number = std::to_string(n);
  const std::size_t width = std::max<std::size_t>(2, std::to_string(count).size());
  if (number.size() < width) number.insert(0, width - number.size(), '0');
  return zone + number;
}

// Elements of a list ("[a, b]") carry no location of their own: they point at their owner.
std::vector<ZoneRef> zone_refs(const pb::RepeatedPtrField<std::string>& ids, const Locator& where,
                               const char* field, SpecLocation owner_at) {
  std::vector<ZoneRef> out;
  for (int i = 0; i < ids.size(); ++i) {
    const SpecLocation at = where.at(field, i);
    out.push_back(ZoneRef{ids.Get(i), at.line > 0 ? at : owner_at});
  }
  return out;
}

LotSpec to_spec(const parking::v1::LotConfig& c, const Locator& where, const std::string& file,
                SpecLocation lot_at, ConfigIssues& issues) {
  auto issue = [&](SpecLocation at, std::string message) {
    issues.push_back(ConfigIssue{file, at.line, at.column, std::move(message)});
  };
  LotSpec spec;
  spec.file = file;
  spec.at = lot_at.line > 0 ? lot_at : where.at("lot_id");
  spec.lot_id = c.lot_id();
  spec.name = c.name();
  if (c.has_utc_offset_minutes()) spec.utc_offset_minutes = c.utc_offset_minutes();

  const auto& t = c.timing();
  if (t.has_debounce_ms()) spec.timing.debounce_ms = t.debounce_ms();
  if (t.has_stale_after_ms()) spec.timing.stale_after_ms = t.stale_after_ms();
  if (t.has_frame_interval_ms()) spec.timing.frame_interval_ms = t.frame_interval_ms();
  if (t.has_hold_ms()) spec.timing.hold_ms = t.hold_ms();
  if (t.has_low_battery_mv()) spec.timing.low_battery_mv = t.low_battery_mv();

  const auto& r = c.visitor_reserve();
  const Locator rwhere = where.nested("visitor_reserve", -1, parking::v1::VisitorReserveConfig::descriptor());
  if (!r.night_start().empty()) {
    if (auto m = parse_clock(r.night_start())) {
      spec.reserve.night_start_minute = *m;
    } else {
      issue(rwhere.at("night_start"), "night_start '" + r.night_start() + "' is not a time HH:MM");
    }
  }
  if (!r.night_end().empty()) {
    if (auto m = parse_clock(r.night_end())) {
      spec.reserve.night_end_minute = *m;
    } else {
      issue(rwhere.at("night_end"), "night_end '" + r.night_end() + "' is not a time HH:MM");
    }
  }
  if (r.has_reserve_spaces()) spec.reserve.reserve_spaces = r.reserve_spaces();

  const auto& al = c.alerts();
  const Locator awhere = where.nested("alerts", -1, parking::v1::AlertRulesConfig::descriptor());
  AlertRules& rules = spec.alert_rules;
  if (al.has_blocked_strikes()) rules.blocked_strikes = al.blocked_strikes();
  if (al.has_blocked_window_hours()) rules.blocked_window_ms = std::int64_t{al.blocked_window_hours()} * 3'600'000;
  if (al.has_night_free_minutes()) rules.night_free_ms = std::int64_t{al.night_free_minutes()} * 60'000;
  if (al.has_long_occupancy_days()) rules.long_occupancy_ms = std::int64_t{al.long_occupancy_days()} * 86'400'000;
  if (al.has_flapping_changes()) rules.flapping_changes = al.flapping_changes();
  if (al.has_flapping_window_minutes()) rules.flapping_window_ms = std::int64_t{al.flapping_window_minutes()} * 60'000;
  if (al.has_flapping_quiet_changes()) rules.flapping_quiet_changes = al.flapping_quiet_changes();
  if (al.has_unentered_excess()) rules.unentered_excess = al.unentered_excess();
  if (al.has_unentered_hours()) rules.unentered_ms = std::int64_t{al.unentered_hours()} * 3'600'000;
  if (al.has_unentered_clear_excess()) rules.unentered_clear_excess = al.unentered_clear_excess();
  if (al.has_missed_exits_excess()) rules.missed_exits_excess = al.missed_exits_excess();
  if (al.has_missed_exits_hours()) rules.missed_exits_ms = std::int64_t{al.missed_exits_hours()} * 3'600'000;
  if (al.has_missed_exits_clear_excess()) rules.missed_exits_clear_excess = al.missed_exits_clear_excess();
  if (al.has_record_clear_minutes()) rules.record_clear_ms = std::int64_t{al.record_clear_minutes()} * 60'000;
  for (auto [text, field, minute] : {std::tuple{&al.night_start(), "night_start", &rules.night_start_minute},
                                     std::tuple{&al.night_end(), "night_end", &rules.night_end_minute}}) {
    if (text->empty()) continue;
    if (auto m = parse_clock(*text)) {
      *minute = *m;
    } else {
      issue(awhere.at(field), std::string("alerts.") + field + " '" + *text + "' is not a time HH:MM");
    }
  }

  auto sensor_for = [&](const std::string& space_id, const std::string& explicit_id, SpecLocation at) {
    if (!explicit_id.empty()) return explicit_id;
    if (c.sensor_id_prefix().empty()) {
      issue(at, "space '" + space_id + "' has no sensor_id and the lot sets no sensor_id_prefix");
      return std::string();
    }
    return c.sensor_id_prefix() + space_id;
  };

  for (int zi = 0; zi < c.zones_size(); ++zi) {
    const auto& z = c.zones(zi);
    const Locator zwhere = where.nested("zones", zi, parking::v1::ZoneConfig::descriptor());
    ZoneSpec zone;
    zone.zone_id = z.zone_id();
    zone.name_zh = z.name_zh();
    zone.name_en = z.name_en();
    zone.at = where.at("zones", zi);
    if (z.space_count() > 0 && z.spaces_size() > 0) {
      issue(zone.at, "zone '" + z.zone_id() + "' gives both space_count and spaces; use one");
    } else if (z.space_count() > 100'000) {
      issue(zwhere.at("space_count"), "zone '" + z.zone_id() + "' space_count " + std::to_string(z.space_count()) +
                                          " is not a plausible number of spaces");
    } else if (z.space_count() > 0) {
      const SpecLocation at = zwhere.at("space_count");
      for (std::uint32_t n = 1; n <= z.space_count(); ++n) {
        const std::string id = two_digit_id(z.zone_id(), n, z.space_count());
        zone.spaces.push_back(SpaceSpec{id, sensor_for(id, "", at), SpaceKind::Ordinary, at});
      }
    }
    for (int si = 0; si < z.spaces_size(); ++si) {
      const auto& s = z.spaces(si);
      const SpecLocation at = zwhere.at("spaces", si);
      const auto kind = to_kind(s.kind());
      if (!kind) issue(at, "space '" + s.space_id() + "' has an unknown kind");
      zone.spaces.push_back(
          SpaceSpec{s.space_id(), sensor_for(s.space_id(), s.sensor_id(), at), kind.value_or(SpaceKind::Ordinary), at});
    }
    spec.zones.push_back(std::move(zone));
  }

  for (int i = 0; i < c.space_kinds_size(); ++i) {
    const auto& o = c.space_kinds(i);
    const SpecLocation at = where.at("space_kinds", i);
    SpaceSpec* target = nullptr;
    for (auto& z : spec.zones) {
      for (auto& s : z.spaces) {
        if (s.space_id == o.space_id()) target = &s;
      }
    }
    const auto kind = to_kind(o.kind());
    if (target == nullptr) {
      issue(at, "space_kinds names unknown space '" + o.space_id() + "'");
    } else if (!kind || o.kind() == parking::v1::SPACE_KIND_UNSPECIFIED) {
      issue(at, "space_kinds for '" + o.space_id() + "' needs a kind");
    } else {
      target->kind = *kind;
    }
  }

  for (int di = 0; di < c.displays_size(); ++di) {
    const auto& d = c.displays(di);
    const Locator dwhere = where.nested("displays", di, parking::v1::DisplayConfig::descriptor());
    DisplaySpec display{d.display_id(), {}, where.at("displays", di)};
    for (int ai = 0; ai < d.arrows_size(); ++ai) {
      const auto& a = d.arrows(ai);
      const SpecLocation at = dwhere.at("arrows", ai);
      const auto arrow = to_arrow(a.arrow());
      if (!arrow) {
        issue(at, "arrow toward zone '" + a.zone_id() + "' needs a direction: ARROW_LEFT, ARROW_RIGHT or ARROW_STRAIGHT");
        continue;
      }
      display.arrows.push_back(ArrowSpec{a.zone_id(), *arrow, at});
    }
    spec.displays.push_back(std::move(display));
  }

  for (int gi = 0; gi < c.gates_size(); ++gi) {
    const auto& g = c.gates(gi);
    const Locator gwhere = where.nested("gates", gi, parking::v1::GateConfig::descriptor());
    const SpecLocation at = where.at("gates", gi);
    spec.gates.push_back(GateSpec{g.gate_id(), g.display_id(), zone_refs(g.nearest_zones(), gwhere, "nearest_zones", at), at});
  }
  for (int bi = 0; bi < c.buildings_size(); ++bi) {
    const auto& b = c.buildings(bi);
    const Locator bwhere = where.nested("buildings", bi, parking::v1::BuildingConfig::descriptor());
    const SpecLocation at = where.at("buildings", bi);
    spec.buildings.push_back(BuildingSpec{b.building_id(), zone_refs(b.nearest_zones(), bwhere, "nearest_zones", at), at});
  }
  return spec;
}

template <typename Message>
bool parse_text(std::string_view text, const std::string& file, Message& out, ParseInfoTree& tree,
                ConfigIssues& issues) {
  CollectIssues collector(issues, file);
  pb::TextFormat::Parser parser;
  parser.RecordErrorsTo(&collector);
  parser.WriteLocationsTo(&tree);
  const bool ok = parser.ParseFromString(std::string(text), &out);
  if (!ok && issues.empty()) issues.push_back(ConfigIssue{file, 0, 0, "cannot parse the configuration"});
  return ok;
}

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void build_lot(LotSpec spec, std::vector<Lot>& lots, ConfigIssues& issues) {
  LotBuild built = Lot::build(spec);
  issues.insert(issues.end(), built.issues.begin(), built.issues.end());
  if (built.lot) lots.push_back(std::move(*built.lot));
}

}  // namespace

LotSpecParse parse_lot_spec(std::string_view text, const std::string& file) {
  LotSpecParse out;
  parking::v1::LotConfig config;
  ParseInfoTree tree;
  if (!parse_text(text, file, config, tree, out.issues)) return out;
  LotSpec spec = to_spec(config, Locator(&tree, parking::v1::LotConfig::descriptor()), file, SpecLocation{1, 1}, out.issues);
  if (out.issues.empty()) out.spec = std::move(spec);
  return out;
}

ConfigLoad load_config_text(std::string_view text, const std::string& file, const std::filesystem::path& base_dir) {
  ConfigLoad out;
  parking::v1::ParkdConfig config;
  ParseInfoTree tree;
  if (!parse_text(text, file, config, tree, out.issues)) return out;
  const Locator where(&tree, parking::v1::ParkdConfig::descriptor());

  LoadedConfig loaded;
  DaemonSettings& s = loaded.settings;
  if (!config.broker().uri().empty() || !config.broker().uris().empty()) {
    const SpecLocation at = where.at("broker");
    std::vector<std::string> uris(config.broker().uris().begin(), config.broker().uris().end());
    if (!config.broker().uri().empty()) uris.insert(uris.begin(), config.broker().uri());
    std::string problem;
    if (!config.broker().uri().empty() && !config.broker().uris().empty()) {
      problem = "give the broker as uri or as uris, not both";
    }
    for (std::size_t i = 0; problem.empty() && i < uris.size(); ++i) {
      problem = broker_uri_problem(uris[i]);
      if (problem.empty() && std::find(uris.begin(), uris.begin() + static_cast<std::ptrdiff_t>(i), uris[i]) !=
                                 uris.begin() + static_cast<std::ptrdiff_t>(i)) {
        problem = "'" + uris[i] + "' is listed twice";
      }
    }
    if (problem.empty()) {
      s.broker.uris = std::move(uris);
    } else {
      out.issues.push_back(ConfigIssue{file, at.line, at.column, "broker: " + problem});
    }
  }
  for (const parking::v1::NatsMonitor& m : config.broker().nats_monitors()) {
    std::string problem = broker_uri_problem(m.broker());
    if (problem.empty()) problem = monitor_url_problem(m.monitor());
    if (problem.empty() && std::any_of(s.broker.nats_monitors.begin(), s.broker.nats_monitors.end(),
                                       [&m](const BrokerSettings::NatsMonitor& k) { return k.broker == m.broker(); })) {
      problem = "'" + m.broker() + "' has two monitors";
    }
    if (!problem.empty()) {
      const SpecLocation at = where.at("broker");
      out.issues.push_back(ConfigIssue{file, at.line, at.column, "broker: nats_monitors: " + problem});
      continue;
    }
    s.broker.nats_monitors.push_back({m.broker(), m.monitor()});
  }
  if (const std::string& account = config.broker().nats_account(); !account.empty()) {
    // NATS account names are identifiers; these characters also go into a URL's query as they are.
    const bool plain = std::all_of(account.begin(), account.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '$' || c == '-' || c == '_' || c == '.';
    });
    if (plain) {
      s.broker.nats_account = account;
    } else {
      const SpecLocation at = where.at("broker");
      out.issues.push_back(ConfigIssue{file, at.line, at.column, "broker: nats_account '" + account +
                                                                     "': letters, digits, $, -, _ and . only"});
    }
  }
  if (!config.broker().client_id().empty()) s.broker.client_id = config.broker().client_id();
  s.broker.username = config.broker().username();
  // A count of the broker block: taken when given and at most `most`, else an issue naming it.
  const auto bounded = [&](bool given, std::uint32_t value, std::uint32_t most, const std::string& name,
                           const std::string& otherwise, std::uint32_t& into) {
    if (!given) return;
    if (value <= most) {
      into = value;
      return;
    }
    const SpecLocation at = where.at("broker");
    out.issues.push_back(ConfigIssue{file, at.line, at.column, "broker: " + name + " is " + std::to_string(value) +
                                                                   "; at most " + std::to_string(most) + otherwise});
  };
  bounded(config.broker().has_probe_interval_s(), config.broker().probe_interval_s(), 3'600, "probe_interval_s",
          " (an hour), or 0 for no probes", s.broker.probe_interval_s);
  if (config.broker().has_subscribe_timeout_s() && config.broker().subscribe_timeout_s() == 0) {
    const SpecLocation at = where.at("broker");
    out.issues.push_back(ConfigIssue{file, at.line, at.column,
                                     "broker: subscribe_timeout_s is 0; 1 to 600 seconds (parkd must wait for an answer)"});
  } else {
    bounded(config.broker().has_subscribe_timeout_s(), config.broker().subscribe_timeout_s(), 600,
            "subscribe_timeout_s", " (ten minutes)", s.broker.subscribe_timeout_s);
  }
  bounded(config.broker().has_connects_at_once(), config.broker().connects_at_once(), 10'000, "connects_at_once",
          ", or 0 for no limit", s.broker.connects_at_once);
  if (!config.broker().password_file().empty()) s.broker.password_file = (base_dir / config.broker().password_file()).string();
  if (!config.broker().ca_file().empty()) s.broker.ca_file = (base_dir / config.broker().ca_file()).string();
  if (!config.broker().cert_file().empty()) s.broker.cert_file = (base_dir / config.broker().cert_file()).string();
  if (!config.broker().key_file().empty()) s.broker.key_file = (base_dir / config.broker().key_file()).string();
  if (!config.store().db_path().empty()) s.db_path = config.store().db_path();
  s.gate_inbox_sync = config.store().gate_inbox_sync();
  if (!config.http().listen().empty()) s.http_listen = config.http().listen();
  if (!config.http().token_file().empty()) s.token_file = (base_dir / config.http().token_file()).string();
  if (!config.http().console_dir().empty()) s.console_dir = (base_dir / config.http().console_dir()).lexically_normal().string();
  const auto http_file = [&](const std::string& f) { return f.empty() ? f : (base_dir / f).lexically_normal().string(); };
  s.http_tls_cert_file = http_file(config.http().tls_cert_file());
  s.http_tls_key_file = http_file(config.http().tls_key_file());
  s.http_tls_ca_file = http_file(config.http().tls_ca_file());
  s.allow_plain_http = config.http().allow_plain_http();
  if (s.http_tls_cert_file.empty() != s.http_tls_key_file.empty()) {
    const SpecLocation at = where.at("http");
    out.issues.push_back(ConfigIssue{file, at.line, at.column, "HTTPS needs both tls_cert_file and tls_key_file"});
  } else if (auto refusal = plain_http_refusal(s)) {
    const SpecLocation at = where.at("http");
    out.issues.push_back(ConfigIssue{file, at.line, at.column, *refusal});
  }
  const auto& limits = config.limits();
  if (limits.has_sensor_reports_per_s()) s.limits.sensor_reports_per_s = limits.sensor_reports_per_s();
  if (limits.has_sensor_burst()) s.limits.sensor_burst = limits.sensor_burst();
  if (limits.has_gate_events_per_s()) s.limits.gate_events_per_s = limits.gate_events_per_s();
  if (limits.has_gate_burst()) s.limits.gate_burst = limits.gate_burst();
  for (double v : {s.limits.sensor_reports_per_s, s.limits.sensor_burst, s.limits.gate_events_per_s, s.limits.gate_burst}) {
    if (!(v >= 1.0)) {
      const SpecLocation at = where.at("limits");
      out.issues.push_back(ConfigIssue{file, at.line, at.column, "every limit must be 1 or more"});
      break;
    }
  }
  const auto& intake = config.intake();
  if (intake.has_hold_above_per_s()) s.intake.hold_above_per_s = intake.hold_above_per_s();
  if (intake.has_hold_window_us()) s.intake.hold_window_us = intake.hold_window_us();
  if (!(s.intake.hold_above_per_s >= 0) || std::isinf(s.intake.hold_above_per_s)) {
    const SpecLocation at = where.at("intake");
    out.issues.push_back(ConfigIssue{file, at.line, at.column, "intake.hold_above_per_s must be 0 (never hold) or more"});
  }
  if (s.intake.hold_window_us < 50 || s.intake.hold_window_us > 10'000) {
    const SpecLocation at = where.at("intake");
    out.issues.push_back(ConfigIssue{file, at.line, at.column,
                                     "intake.hold_window_us must be 50 to 10000 (it is " + std::to_string(s.intake.hold_window_us) + ")"});
  }

  for (int i = 0; i < config.pact_size(); ++i) {
    const auto& v = config.pact(i);
    const SpecLocation at = where.at("pact", i);
    auto issue = [&](std::string message) { out.issues.push_back(ConfigIssue{file, at.line, at.column, std::move(message)}); };
    PactVersion version;
    version.name = v.name();
    if (version.name.empty()) issue("a pact version needs a name");
    for (const auto& other : loaded.pact) {
      if (other.name == version.name && !version.name.empty()) issue("pact version '" + version.name + "' is defined twice");
    }
    if (auto day = parse_civil_day(v.effective_from())) {
      version.effective_from = *day;
      for (const auto& other : loaded.pact) {
        if (other.effective_from == *day) issue("two pact versions take effect on " + v.effective_from());
      }
    } else {
      issue("pact version '" + version.name + "' effective_from '" + v.effective_from() + "' is not a date YYYY-MM-DD");
    }
    PactTerms& t = version.terms;
    t.owner_monthly.assign(v.owner_monthly_fen().begin(), v.owner_monthly_fen().end());
    t.tenant_monthly.assign(v.tenant_monthly_fen().begin(), v.tenant_monthly_fen().end());
    if (t.owner_monthly.empty()) issue("pact version '" + version.name + "' lists no owner_monthly_fen");
    if (t.tenant_monthly.empty()) issue("pact version '" + version.name + "' lists no tenant_monthly_fen");
    t.tenant_max_cars = v.has_tenant_max_cars() ? v.tenant_max_cars() : static_cast<std::uint32_t>(t.tenant_monthly.size());
    if (v.has_visitor_free_minutes()) t.visitor_free_ms = static_cast<TimeMs>(v.visitor_free_minutes()) * 60'000;
    if (v.has_visitor_fen_per_started_hour()) t.visitor_per_started_hour = v.visitor_fen_per_started_hour();
    if (v.has_visitor_cap_fen_per_24h()) t.visitor_cap_per_24h = v.visitor_cap_fen_per_24h();
    if (v.has_lease_grace_days()) {
      t.lease_grace_days = v.lease_grace_days();
      if (t.lease_grace_days > 62) issue("pact version '" + version.name + "' lease_grace_days " + std::to_string(t.lease_grace_days) + " is more than two months");
    }
    bool negative = t.visitor_per_started_hour < 0 || t.visitor_cap_per_24h < 0;
    for (Fen f : t.owner_monthly) negative |= f < 0;
    for (Fen f : t.tenant_monthly) negative |= f < 0;
    if (negative) issue("pact version '" + version.name + "' has a negative amount");
    loaded.pact.push_back(std::move(version));
  }
  if (loaded.pact.empty()) loaded.pact.push_back(PactVersion{"default", 0, PactTerms{}});

  for (int i = 0; i < config.lots_size(); ++i) {
    const Locator lwhere = where.nested("lots", i, parking::v1::LotConfig::descriptor());
    build_lot(to_spec(config.lots(i), lwhere, file, where.at("lots", i), out.issues), loaded.lots, out.issues);
  }
  for (int i = 0; i < config.lot_files_size(); ++i) {
    const std::filesystem::path lot_path = base_dir / config.lot_files(i);
    const auto text_of_lot = read_file(lot_path);
    if (!text_of_lot) {
      const SpecLocation at = where.at("lot_files", i);
      out.issues.push_back(ConfigIssue{file, at.line, at.column, "cannot read lot file '" + lot_path.string() + "'"});
      continue;
    }
    LotSpecParse parsed = parse_lot_spec(*text_of_lot, lot_path.string());
    out.issues.insert(out.issues.end(), parsed.issues.begin(), parsed.issues.end());
    if (parsed.spec) build_lot(std::move(*parsed.spec), loaded.lots, out.issues);
  }
  if (config.lots_size() == 0 && config.lot_files_size() == 0) {
    out.issues.push_back(ConfigIssue{file, 0, 0, "the configuration defines no lot"});
  }
  for (std::size_t i = 0; i < loaded.lots.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (loaded.lots[i].id() == loaded.lots[j].id()) {
        out.issues.push_back(ConfigIssue{file, 0, 0, "lot '" + loaded.lots[i].id() + "' is defined twice"});
      }
    }
  }
  if (out.issues.empty()) out.config = std::move(loaded);
  return out;
}

ConfigLoad load_config_file(const std::filesystem::path& path) {
  const auto text = read_file(path);
  if (!text) {
    ConfigLoad out;
    out.issues.push_back(ConfigIssue{path.string(), 0, 0, "cannot read the configuration file"});
    return out;
  }
  return load_config_text(*text, path.string(), path.parent_path());
}

std::string default_config_file() {
  std::error_code ignored;
  if (std::filesystem::exists(kSourceTreeConfigFile, ignored) || !std::filesystem::exists(kInstalledConfigFile, ignored)) {
    return kSourceTreeConfigFile;
  }
  return kInstalledConfigFile;
}

std::optional<std::string> plain_http_refusal(const DaemonSettings& settings) {
  if (!settings.http_tls_cert_file.empty() || settings.allow_plain_http) return std::nullopt;
  std::string host = settings.http_listen.substr(0, settings.http_listen.rfind(':'));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.rfind("127.", 0) == 0 || host == "localhost" || host == "::1") return std::nullopt;
  return "http listens on " + settings.http_listen +
         ", off loopback, without HTTPS: tokens and residents' plates would cross the network in clear; set "
         "tls_cert_file and tls_key_file (parkd-broker-setup --console-host makes them), or allow_plain_http: true";
}

std::string control_token_file(const DaemonSettings& settings) {
  if (!settings.token_file.empty()) return settings.token_file;
  return (std::filesystem::path(settings.db_path).parent_path() / "parkd.token").string();
}

}  // namespace parkd
