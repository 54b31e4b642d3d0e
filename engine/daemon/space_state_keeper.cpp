// Space states to the store, at most ten times a second (once under a flood), off the strand.
#include "space_state_keeper.h"

#include <memory>

namespace parkd {

namespace {

constexpr std::chrono::milliseconds kSaveEvery{100};
constexpr std::chrono::milliseconds kSaveEveryWhenBusy{1'000};

}  // namespace

SpaceStateKeeper::SpaceStateKeeper(SpaceStateStore* store, StoreWorker* worker, boost::asio::any_io_executor strand,
                                   bool every_settle)
    : store_(store), worker_(worker), every_settle_(every_settle), timer_(std::move(strand)) {}

void SpaceStateKeeper::changed(StoredSpaceState state) {
  if (store_ == nullptr) return;
  // The store takes each space's last change as its latest state: nothing to look up here.
  changes_.push_back(std::move(state));
}

void SpaceStateKeeper::restored(StoredSpaceState state) {
  if (store_ == nullptr) return;
  auto key = std::make_pair(state.lot_id, state.space_id);
  restored_[std::move(key)] = std::move(state);
}

void SpaceStateKeeper::save_now() {
  if (store_ == nullptr || (restored_.empty() && changes_.empty())) return;
  struct Batch {
    std::vector<StoredSpaceState> latest;
    std::vector<StoredSpaceState> changes;
  };
  auto batch = std::make_shared<Batch>();
  batch->latest.reserve(restored_.size());
  for (auto& [key, state] : restored_) batch->latest.push_back(std::move(state));
  restored_.clear();
  batch->changes.swap(changes_);
  {
    // The next save's changes go into the vector an earlier save emptied: under a flood a
    // second's changes are megabytes, and a fresh vector each time was pages faulted in at every
    // push on the strand (a tenth of its CPU in a profile) and handed back to the system after.
    std::lock_guard lock(spare_mutex_);
    changes_.swap(spare_changes_);
  }
  auto save = [this, batch] {
    if (auto e = store_->save(batch->latest, batch->changes)) {
      // Lost until those spaces change again (the sensors re-establish the truth anyway); the
      // histories miss these changes.
      log_.warn("store", "save_failed", "cannot save {} space changes ({} restored states): {}", batch->changes.size(),
                batch->latest.size(), e.message());
    }
    batch->changes.clear();
    std::lock_guard lock(spare_mutex_);
    if (batch->changes.capacity() > spare_changes_.capacity()) spare_changes_.swap(batch->changes);
  };
  if (worker_ == nullptr) {
    save();
  } else {
    worker_->post(save);
  }
}

void SpaceStateKeeper::save_soon(bool busy) {
  if (store_ == nullptr || (restored_.empty() && changes_.empty()) || scheduled_) return;
  if (every_settle_) {
    save_now();
    return;
  }
  const std::chrono::milliseconds pace = busy ? kSaveEveryWhenBusy : kSaveEvery;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_save_ >= pace) {
    last_save_ = now;
    save_now();
    return;
  }
  scheduled_ = true;
  timer_.expires_at(last_save_ + pace);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    scheduled_ = false;
    if (ec) return;
    last_save_ = std::chrono::steady_clock::now();
    save_now();
  });
}

}  // namespace parkd
