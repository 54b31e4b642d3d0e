// Browser sessions: lifetime, the bound on how many are kept, the pause after wrong tokens, and
// finding the session's cookie among others.
#include "daemon/browser_sessions.h"

#include <gtest/gtest.h>

#include <set>

namespace parkd {
namespace {

const ControlToken kGuard{"gate-1", "0123456789abcdef", ControlRole::Guard};

TEST(BrowserSessions, ASessionLastsItsLifetimeAndNotAMillisecondMore) {
  BrowserSessions sessions;
  const TimeMs t0 = 1'793'592'000'000;
  const auto in = sessions.sign_in(kGuard, t0);
  EXPECT_EQ(in.id.size(), 64u);
  EXPECT_EQ(in.session.csrf.size(), 32u);
  EXPECT_EQ(in.id.find_first_not_of("0123456789abcdef"), std::string::npos);
  const auto found = sessions.find(in.id, t0 + BrowserSessions::kLifetime - 1);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->token_name, "gate-1");
  EXPECT_EQ(found->role, ControlRole::Guard);
  EXPECT_FALSE(sessions.find(in.id, t0 + BrowserSessions::kLifetime));
  EXPECT_EQ(sessions.size(), 0u) << "an expired session is forgotten";
  EXPECT_FALSE(sessions.find("", t0));
}

TEST(BrowserSessions, EverySignInHasItsOwnIdAndCsrfAndSigningOutEndsOnlyThatOne) {
  BrowserSessions sessions;
  std::set<std::string> ids, csrfs;
  std::vector<std::string> order;
  for (int i = 0; i < 50; ++i) {
    const auto in = sessions.sign_in(kGuard, 1'000);
    ids.insert(in.id);
    csrfs.insert(in.session.csrf);
    order.push_back(in.id);
  }
  EXPECT_EQ(ids.size(), 50u);
  EXPECT_EQ(csrfs.size(), 50u);
  sessions.sign_out(order[10]);
  EXPECT_FALSE(sessions.find(order[10], 2'000));
  EXPECT_TRUE(sessions.find(order[11], 2'000));
  sessions.sign_out("no-such-session");
  EXPECT_EQ(sessions.size(), 49u);
}

TEST(BrowserSessions, OneMoreThanTheBoundSignsOutTheOldest) {
  BrowserSessions sessions;
  const auto first = sessions.sign_in(kGuard, 1'000);
  const auto second = sessions.sign_in(kGuard, 1'000);
  for (std::size_t i = 2; i < BrowserSessions::kMaxSessions; ++i) sessions.sign_in(kGuard, 1'000);
  EXPECT_EQ(sessions.size(), BrowserSessions::kMaxSessions);
  EXPECT_TRUE(sessions.find(first.id, 2'000));
  sessions.sign_in(kGuard, 1'000);
  EXPECT_EQ(sessions.size(), BrowserSessions::kMaxSessions);
  EXPECT_FALSE(sessions.find(first.id, 2'000));
  EXPECT_TRUE(sessions.find(second.id, 2'000));
}

TEST(BrowserSessions, TenWrongTokensInAMinutePauseSignInsUntilTheFirstIsAMinuteOld) {
  BrowserSessions sessions;
  for (int i = 0; i < BrowserSessions::kMaxFailuresPerMinute - 1; ++i) sessions.note_failure(10'000 + i * 1'000);
  EXPECT_FALSE(sessions.sign_in_refused(20'000));
  sessions.note_failure(20'000);
  EXPECT_TRUE(sessions.sign_in_refused(20'000));
  EXPECT_TRUE(sessions.sign_in_refused(69'999));
  EXPECT_FALSE(sessions.sign_in_refused(70'000)) << "the first failure is a minute old: nine are left";
}

TEST(BrowserSessions, TheCookieIsFoundAmongOthers) {
  EXPECT_EQ(cookie_value("parkd_session=abc", "parkd_session"), "abc");
  EXPECT_EQ(cookie_value("theme=dark; parkd_session=abc; lang=zh", "parkd_session"), "abc");
  EXPECT_EQ(cookie_value("my_parkd_session=x; parkd_session=y", "parkd_session"), "y");
  EXPECT_EQ(cookie_value("theme=dark", "parkd_session"), "");
  EXPECT_EQ(cookie_value("", "parkd_session"), "");
  EXPECT_EQ(cookie_value("parkd_session", "parkd_session"), "");
}

}  // namespace
}  // namespace parkd
