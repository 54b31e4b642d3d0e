// The count rules keep one "since" each; overstays wait in a small heap checked against the
// record when they fall due.
#include "inside_watch.h"

#include <algorithm>

#include "visitor_bill.h"

namespace parkd {

InsideWatch::InsideWatch(const Lot& lot)
    : lot_(lot),
      clear_after_(lot.alert_rules().record_clear_ms),
      transit_(lot.timing().hold_ms),
      unentered_{AlertKind::OccupiedWithoutEntry, lot.alert_rules().unentered_excess, lot.alert_rules().unentered_ms,
                 lot.alert_rules().unentered_clear_excess},
      missed_exits_{AlertKind::MissedExits, lot.alert_rules().missed_exits_excess, lot.alert_rules().missed_exits_ms,
                    lot.alert_rules().missed_exits_clear_excess} {}

std::int64_t InsideWatch::excess(const CountRule& rule) const {
  const std::int64_t occupied = occupied_;
  const std::int64_t inside = inside_;
  return rule.kind == AlertKind::OccupiedWithoutEntry ? occupied - inside : inside - occupied;
}

void InsideWatch::evaluate(CountRule& rule, TimeMs at) {
  const std::int64_t e = excess(rule);
  const bool heading = rule.active ? e <= static_cast<std::int64_t>(rule.clear_excess)
                                   : e >= static_cast<std::int64_t>(rule.raise_excess);
  if (heading) {
    rule.broken = kNever;
    if (rule.since == kNever) rule.since = at;
  } else if (rule.since != kNever && rule.broken == kNever) {
    rule.broken = at;  // a dip: the time goes on unless it outlasts a car's transit
  }
}

TimeMs InsideWatch::due(const CountRule& rule) const {
  if (rule.since == kNever) return kNever;
  if (rule.broken != kNever) return rule.broken + transit_;  // then the dip ends the run
  return rule.since + (rule.active ? clear_after_ : rule.raise_after);
}

void InsideWatch::on_counts(std::uint32_t occupied, std::uint32_t inside, TimeMs at) {
  occupied_ = occupied;
  inside_ = inside;
  evaluate(unentered_, at);
  evaluate(missed_exits_, at);
}

void InsideWatch::visitor_in(const CarInside& car) {
  if (car.visitor && car.overstay_at > 0) overstays_.push(Overstay{car.overstay_at, car.plate, car.entered_at});
}

void InsideWatch::car_out(std::string_view plate, TimeMs at, std::string how) {
  const auto it = std::find_if(active_.begin(), active_.end(), [&](const Alert& a) {
    return a.kind == AlertKind::VisitorOverstay && a.plate == plate;
  });
  if (it != active_.end()) clear(it, at, std::move(how));
}

std::string InsideWatch::local_time(TimeMs t) const {
  return local_time_text(t, lot_.utc_offset_minutes()).substr(5);  // "MM-DD HH:MM": the year goes
}

void InsideWatch::flip(CountRule& rule, TimeMs at, const CarsInside& cars) {
  rule.since = kNever;
  rule.broken = kNever;
  if (rule.active) {
    rule.active = false;
    const auto it = std::find_if(active_.begin(), active_.end(), [&](const Alert& a) { return a.kind == rule.kind; });
    if (it != active_.end()) clear(it, at, "balanced");
    return;
  }
  rule.active = true;
  Alert a;
  a.lot_id = lot_.id();
  a.kind = rule.kind;
  a.alert_id = make_alert_id(lot_.id(), rule.kind, at);
  a.raised_at = at;
  const auto [span_zh, span_en] = duration_words(rule.raise_after);
  const std::string occupied = std::to_string(occupied_);
  const std::string inside = std::to_string(inside_);
  if (rule.kind == AlertKind::OccupiedWithoutEntry) {
    a.detail_zh = lot_.id() + "：" + occupied + "个车位有车，闸口记录场内只有" + inside + "辆车，已持续" + span_zh +
                  "——请巡查是否有三轮车、杂物或未经道闸进入的车辆";
    a.detail_en = lot_.id() + ": " + occupied + " spaces occupied but the gates' record has " + inside +
                  " cars inside, for " + span_en +
                  " — look for tricycles, objects on spaces, or cars that came in past the barrier";
  } else {
    std::string names_zh;
    std::string names_en;
    for (const CarInside& car : cars.longest(5)) {
      const std::string when = local_time(car.entered_at);
      names_zh += (names_zh.empty() ? "" : "、") + car.plate + "（" + when + "起）";
      names_en += (names_en.empty() ? "" : ", ") + car.plate + " (since " + when + ")";
    }
    a.detail_zh = lot_.id() + "：闸口记录场内" + inside + "辆车，只有" + occupied + "个车位有车，已持续" + span_zh +
                  "——出口摄像头可能漏拍车辆" + (names_zh.empty() ? "" : "；在场最久的车：" + names_zh);
    a.detail_en = lot_.id() + ": the gates' record has " + inside + " cars inside but only " + occupied +
                  " spaces are occupied, for " + span_en + " — an exit camera may be missing cars" +
                  (names_en.empty() ? "" : "; inside longest: " + names_en);
  }
  raise(std::move(a));
}

void InsideWatch::advance(TimeMs now, const CarsInside& cars) {
  for (CountRule* rule : {&unentered_, &missed_exits_}) {
    while (due(*rule) <= now) {
      const TimeMs at = due(*rule);
      if (rule->broken != kNever) {  // the dip outlasted a transit: the run is over
        rule->since = kNever;
        rule->broken = kNever;
        continue;
      }
      // A flip is looked at again from its own time: the count may already say otherwise.
      flip(*rule, at, cars);
      evaluate(*rule, at);
    }
  }
  while (!overstays_.empty() && overstays_.top().due <= now) {
    const Overstay o = overstays_.top();
    overstays_.pop();
    const CarInside* car = cars.find(o.plate);
    if (car == nullptr || !car->visitor || car->entered_at != o.entered_at) continue;  // left, or a new stay
    if (overstay_dismissed_.erase({o.plate, o.entered_at}) > 0) continue;  // dismissed before a restart
    const bool raised = std::any_of(active_.begin(), active_.end(), [&](const Alert& a) {
      return a.kind == AlertKind::VisitorOverstay && a.plate == o.plate;
    });
    if (raised) continue;
    Alert a;
    a.lot_id = lot_.id();
    a.kind = AlertKind::VisitorOverstay;
    a.plate = o.plate;
    // Not by plate: the id is shown to readers who may not see plates, and is a topic level.
    a.alert_id = make_alert_id(lot_.id(), a.kind, o.due);
    for (int n = 2; std::any_of(active_.begin(), active_.end(), [&](const Alert& b) { return b.alert_id == a.alert_id; });
         ++n) {
      a.alert_id = make_alert_id(lot_.id(), a.kind, o.due) + "-" + std::to_string(n);
    }
    a.raised_at = o.due;
    const auto [limit_zh, limit_en] = duration_words(o.due - o.entered_at);
    const std::string since = local_time(o.entered_at);
    a.detail_zh = o.plate + "：访客车辆自" + since + "起在场已超过" + limit_zh + "（公约的超时停放）——请联系驾驶人或来访住户";
    a.detail_en = o.plate + ": a visitor's car inside since " + since + ", longer than the pact's " + limit_en +
                  " — contact its driver or the household it visited";
    raise(std::move(a));
  }
}

TimeMs InsideWatch::next_due() const {
  return std::min({due(unentered_), due(missed_exits_), overstays_.empty() ? kNever : overstays_.top().due});
}

void InsideWatch::raise(Alert alert) {
  active_.push_back(alert);
  alert_changes_.push_back(std::move(alert));
}

void InsideWatch::clear(std::vector<Alert>::iterator it, TimeMs at, std::string how) {
  Alert a = std::move(*it);
  active_.erase(it);
  a.cleared_at = std::max(at, a.raised_at);
  a.cleared_by = std::move(how);
  alert_changes_.push_back(std::move(a));
}

std::optional<Alert> InsideWatch::dismiss(std::string_view alert_id, std::string_view reason, TimeMs now) {
  const auto it = std::find_if(active_.begin(), active_.end(), [&](const Alert& a) { return a.alert_id == alert_id; });
  if (it == active_.end()) return std::nullopt;
  const AlertKind kind = it->kind;
  clear(it, now, std::string(kDismissedBy) + std::string(reason));
  for (CountRule* rule : {&unentered_, &missed_exits_}) {
    if (rule->kind != kind) continue;
    rule->active = false;
    rule->since = kNever;
    rule->broken = kNever;
    evaluate(*rule, now);
  }
  return alert_changes_.back();  // clearing put the ended alert there
}

bool InsideWatch::restore_alert(const Alert& alert, const CarsInside& cars) {
  if (!alert.active()) return false;
  switch (alert.kind) {
    case AlertKind::OccupiedWithoutEntry:
    case AlertKind::MissedExits: {
      CountRule& rule = alert.kind == AlertKind::MissedExits ? missed_exits_ : unentered_;
      if (rule.active) return false;
      rule.active = true;
      rule.since = kNever;
      rule.broken = kNever;
      break;
    }
    case AlertKind::VisitorOverstay: {
      const CarInside* car = cars.find(alert.plate);
      if (car == nullptr || !car->visitor) return false;
      const bool raised = std::any_of(active_.begin(), active_.end(), [&](const Alert& a) {
        return a.kind == AlertKind::VisitorOverstay && a.plate == alert.plate;
      });
      if (raised) return false;
      break;
    }
    default:
      return false;
  }
  active_.push_back(alert);
  return true;
}

void InsideWatch::restore_ended_alert(const Alert& alert, const CarsInside& cars) {
  if (alert.active() || alert.kind != AlertKind::VisitorOverstay || !alert.cleared_by.starts_with(kDismissedBy)) return;
  const CarInside* car = cars.find(alert.plate);
  if (car != nullptr && car->visitor && car->entered_at <= alert.raised_at) {
    overstay_dismissed_.emplace(car->plate, car->entered_at);
  }
}

void InsideWatch::take_alert_changes(std::vector<Alert>& into) {
  into.clear();
  into.swap(alert_changes_);
}

}  // namespace parkd
