// The console's signed-in browsers: a session per sign-in with a token, kept in memory (a restart
// signs everyone out), each with its own anti-CSRF secret. Time is handed in, so tests choose it.
// Not thread-safe: the control API uses it on the engine's strand.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/token_file.h"
#include "core/time_ms.h"

namespace parkd {

struct BrowserSession {
  std::string token_name;
  ControlRole role = ControlRole::Viewer;
  std::string csrf;  // sent back by the console in X-Parkd-Csrf on every changing call
  TimeMs expires_at = 0;
  std::string token_secret;  // the token it signed in with: a reload that changes it ends the session
};

class BrowserSessions {
 public:
  static constexpr TimeMs kLifetime = 12 * 3'600'000;  // a guard's shift; then sign in again
  static constexpr std::size_t kMaxSessions = 1'000;    // the oldest goes when one more signs in
  // A guessing client: after this many wrong tokens within a minute, sign-ins wait for the minute.
  static constexpr int kMaxFailuresPerMinute = 10;

  struct SignedIn {
    std::string id;  // the cookie's value
    BrowserSession session;
  };
  SignedIn sign_in(const ControlToken& token, TimeMs now);
  // The live session of this cookie value; an expired one is forgotten.
  std::optional<BrowserSession> find(std::string_view id, TimeMs now);
  void sign_out(std::string_view id);
  // The tokens were reloaded: a session whose token is gone, or has another secret or role now,
  // ends (its browser signs in again). Returns how many ended.
  std::size_t keep_only(const std::vector<ControlToken>& tokens);

  // Counts a wrong token; `sign_in_refused` says whether sign-ins are paused now.
  void note_failure(TimeMs now);
  bool sign_in_refused(TimeMs now);
  std::size_t size() const { return sessions_.size(); }

 private:
  std::map<std::string, BrowserSession, std::less<>> sessions_;
  std::deque<std::string> order_;  // ids, oldest first (may name sessions already gone)
  std::deque<TimeMs> failures_;    // within the last minute
};

// The value of cookie `name` in a Cookie header ("a=1; parkd_session=..."), or empty.
std::string_view cookie_value(std::string_view header, std::string_view name);

}  // namespace parkd
