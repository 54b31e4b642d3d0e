// SpaceStateKeeper with a store that counts its saves: the first change after a quiet spell is
// saved at once, the next within a tenth of a second, and while the intake holds its queue (a
// flood) only once a second, so each space's latest state is not rewritten ten times a second.
#include "daemon/space_state_keeper.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

namespace parkd {
namespace {

using namespace std::chrono_literals;

class CountingStore : public SpaceStateStore {
 public:
  std::error_code save(std::span<const StoredSpaceState> latest, std::span<const StoredSpaceState> changes) override {
    saves.push_back({latest.size(), changes.size()});
    return {};
  }
  std::error_code load(std::vector<StoredSpaceState>&) override { return {}; }
  std::error_code history(const std::string&, const std::string&, std::size_t, TimeMs,
                          std::vector<StoredSpaceState>&) override {
    return {};
  }
  std::vector<std::pair<std::size_t, std::size_t>> saves;  // (restored states, changes) of each save
};

class SpaceStateKeeperTest : public ::testing::Test {
 protected:
  void change(const char* space, SpaceState state, TimeMs at) {
    keeper.changed({"xj5", space, state, at, ""});
  }
  // Runs the strand until the store has seen `n` saves, at most `bound`.
  void run_until_saves(std::size_t n, std::chrono::milliseconds bound) {
    const auto give_up = std::chrono::steady_clock::now() + bound;
    while (store.saves.size() < n && std::chrono::steady_clock::now() < give_up) io.run_one_for(10ms);
  }
  boost::asio::io_context io;
  CountingStore store;
  SpaceStateKeeper keeper{&store, nullptr, io.get_executor(), false};
};

TEST_F(SpaceStateKeeperTest, AQuietLotsChangeIsSavedAtOnceAndWhatFollowsWithinATenthOfASecond) {
  change("A01", SpaceState::Occupied, 1'000);
  keeper.save_soon(false);
  ASSERT_EQ(store.saves.size(), 1u) << "the first change after a quiet spell waits for nothing";
  change("A02", SpaceState::Occupied, 1'010);
  change("A02", SpaceState::Free, 1'020);
  keeper.save_soon(false);
  const auto scheduled = std::chrono::steady_clock::now();
  EXPECT_EQ(store.saves.size(), 1u) << "the next one waits for the pace";
  run_until_saves(2, 5s);
  ASSERT_EQ(store.saves.size(), 2u);
  // The flood's pace would have waited a second (a stall this long of a test polling every
  // 10 ms would be a fault of its own).
  EXPECT_LT(std::chrono::steady_clock::now() - scheduled, 900ms);
  EXPECT_EQ(store.saves[1], (std::pair<std::size_t, std::size_t>{0, 2})) << "both of A02's changes (the last is its latest), nothing restored";
}

TEST_F(SpaceStateKeeperTest, UnderAFloodTheStatesAreSavedOnceASecond) {
  change("A01", SpaceState::Occupied, 1'000);
  keeper.save_soon(true);
  ASSERT_EQ(store.saves.size(), 1u);
  change("A01", SpaceState::Free, 1'001);
  keeper.save_soon(true);
  const auto scheduled = std::chrono::steady_clock::now();
  run_until_saves(2, 300ms);
  EXPECT_EQ(store.saves.size(), 1u) << "a flood's save waits for the second's pace, not the tenth's";
  run_until_saves(2, 5s);
  ASSERT_EQ(store.saves.size(), 2u);
  EXPECT_GE(std::chrono::steady_clock::now() - scheduled, 500ms);
}

}  // namespace
}  // namespace parkd
