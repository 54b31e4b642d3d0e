// Probes through each subscription: what was sent, what came back, what that says.
#include "subscription_probe.h"

#include <algorithm>
#include <charconv>

namespace parkd {

SubscriptionProbe::SubscriptionProbe(std::vector<std::string> topics, std::string tag, std::chrono::milliseconds patience)
    : tag_(std::move(tag)), patience_(patience) {
  for (std::string& t : topics) filters_.push_back(Filter{std::move(t), 0, Time{}, false, false, std::nullopt, std::nullopt});
}

void SubscriptionProbe::connection_changed() {
  for (Filter& f : filters_) f.outstanding = 0;
  last_round_.reset();  // what came through the last connection says nothing of this one
}

SubscriptionProbe::Round SubscriptionProbe::round(Time now) {
  Round out;
  for (std::size_t i = 0; i < filters_.size(); ++i) {
    Filter& f = filters_[i];
    if (f.outstanding != 0) {
      if (now - f.sent_at < patience_) continue;
      if (f.ever_heard) {
        if (!f.stalled_since) f.stalled_since = now;
        out.stalled.push_back(i);
      } else if (!f.never_heard_reported) {
        f.never_heard_reported = true;
        out.never_heard.push_back(i);
      }
    }
    // A subscription that delivered devices' messages since the last round has just shown it
    // works: no probe needed (a lot's sensors beat every minute, so its sensor subscription is
    // rarely probed). Once the probe has passed at least once, so that a later silence is
    // known to be a stall and not a probe the broker never let through.
    if (f.outstanding == 0 && f.ever_heard && last_round_ && f.delivered_at && *f.delivered_at >= *last_round_) continue;
    f.outstanding = next_nonce_++;
    f.sent_at = now;
    // "<tag> <nonce>": text, so that a person reading the broker's traffic sees what it is.
    out.send.push_back(Probe{i, f.topic, tag_ + " " + std::to_string(f.outstanding)});
  }
  last_round_ = now;
  return out;
}

std::optional<SubscriptionProbe::Heard> SubscriptionProbe::heard(std::string_view topic, std::string_view payload,
                                                                 Time now) {
  const auto it = std::find_if(filters_.begin(), filters_.end(), [&](const Filter& f) { return f.topic == topic; });
  if (it == filters_.end()) return std::nullopt;
  Heard out{static_cast<std::size_t>(it - filters_.begin()), std::nullopt, false};
  const std::size_t space = payload.rfind(' ');
  std::uint64_t nonce = 0;
  if (space == std::string_view::npos || payload.substr(0, space) != tag_ ||
      std::from_chars(payload.data() + space + 1, payload.data() + payload.size(), nonce).ec != std::errc()) {
    return out;  // another process's probe, or not a probe at all: proves nothing about this one
  }
  Filter& f = *it;
  out.first = !f.ever_heard;
  f.ever_heard = true;
  if (nonce >= f.outstanding) f.outstanding = 0;
  if (f.stalled_since) {
    out.stalled_for = std::chrono::duration_cast<std::chrono::milliseconds>(now - *f.stalled_since);
    f.stalled_since.reset();
  }
  return out;
}

std::optional<SubscriptionProbe::Heard> SubscriptionProbe::delivered(std::size_t filter, Time at, Time now) {
  Filter& f = filters_.at(filter);
  if (!f.delivered_at || at > *f.delivered_at) f.delivered_at = at;
  if (f.outstanding != 0 && at >= f.sent_at) f.outstanding = 0;
  if (!f.stalled_since || at < *f.stalled_since) return std::nullopt;
  Heard out{filter, std::chrono::duration_cast<std::chrono::milliseconds>(now - *f.stalled_since), false};
  f.stalled_since.reset();
  return out;
}

bool SubscriptionProbe::matches(std::string_view filter, std::string_view topic) {
  while (true) {
    const std::size_t f_end = filter.find('/');
    const std::string_view f_level = filter.substr(0, f_end);
    if (f_level == "#") return true;
    const std::size_t t_end = topic.find('/');
    if (f_level != "+" && f_level != topic.substr(0, t_end)) return false;
    if (f_end == std::string_view::npos || t_end == std::string_view::npos) {
      // "a/#" matches "a" too (MQTT 3.1.1, 4.7.1.2).
      return f_end == t_end || (t_end == std::string_view::npos && filter.substr(f_end + 1) == "#");
    }
    filter.remove_prefix(f_end + 1);
    topic.remove_prefix(t_end + 1);
  }
}

bool SubscriptionProbe::stalled() const {
  return std::any_of(filters_.begin(), filters_.end(), [](const Filter& f) { return f.stalled_since.has_value(); });
}

std::vector<std::size_t> SubscriptionProbe::stalled_filters() const {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < filters_.size(); ++i) {
    if (filters_[i].stalled_since) out.push_back(i);
  }
  return out;
}

}  // namespace parkd
