// Browser sessions: random ids from the kernel, a fixed lifetime, a bound on how many are kept.
#include "browser_sessions.h"

#include <algorithm>

#include "config/random_secret.h"

namespace parkd {

BrowserSessions::SignedIn BrowserSessions::sign_in(const ControlToken& token, TimeMs now) {
  while (sessions_.size() >= kMaxSessions && !order_.empty()) {
    sessions_.erase(order_.front());
    order_.pop_front();
  }
  SignedIn out{random_secret(32), BrowserSession{token.name, token.role, random_secret(16), now + kLifetime, token.secret}};
  sessions_.emplace(out.id, out.session);
  order_.push_back(out.id);
  if (order_.size() > 2 * kMaxSessions) {  // ids of sessions signed out or expired: drop them
    std::deque<std::string> live;
    for (auto& id : order_) {
      if (sessions_.count(id) > 0) live.push_back(std::move(id));
    }
    order_ = std::move(live);
  }
  return out;
}

std::optional<BrowserSession> BrowserSessions::find(std::string_view id, TimeMs now) {
  const auto it = sessions_.find(id);
  if (it == sessions_.end()) return std::nullopt;
  if (now >= it->second.expires_at) {
    sessions_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

void BrowserSessions::sign_out(std::string_view id) {
  if (const auto it = sessions_.find(id); it != sessions_.end()) sessions_.erase(it);
}

std::size_t BrowserSessions::keep_only(const std::vector<ControlToken>& tokens) {
  return std::erase_if(sessions_, [&](const auto& entry) {
    const BrowserSession& s = entry.second;
    return std::none_of(tokens.begin(), tokens.end(),
                        [&](const ControlToken& t) {
                          return t.name == s.token_name && t.role == s.role && t.secret == s.token_secret;
                        });
  });
}

void BrowserSessions::note_failure(TimeMs now) {
  failures_.push_back(now);
  sign_in_refused(now);
}

bool BrowserSessions::sign_in_refused(TimeMs now) {
  while (!failures_.empty() && failures_.front() <= now - 60'000) failures_.pop_front();
  return failures_.size() >= static_cast<std::size_t>(kMaxFailuresPerMinute);
}

std::string_view cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto end = header.find(';');
    std::string_view pair = header.substr(0, end);
    header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
  }
  return {};
}

}  // namespace parkd
