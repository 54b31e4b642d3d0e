// The way of a gate decision after it is made: recorded, published, acknowledged.
#include "decision_recorder.h"

#include <algorithm>

#include <boost/asio/post.hpp>

#include "log.h"

namespace parkd {

namespace {
RateLimitedLog& record_log() {
  static RateLimitedLog log;
  return log;
}

std::vector<OutgoingDecision> outgoing(const std::vector<DecisionRecord>& records) {
  std::vector<OutgoingDecision> out;
  out.reserve(records.size());
  for (const DecisionRecord& r : records) {
    if (r.decision_topic.empty()) continue;  // an office's settlement: on record, nothing for a barrier
    out.push_back(OutgoingDecision{GateEventKey{r.event.lot_id, r.event.gate_id, r.event.seq}, r.decision_topic,
                                   r.decision_payload});
  }
  return out;
}
}  // namespace

DecisionRecorder::DecisionRecorder(GateLedger* ledger, GateInbox* inbox, StoreWorker* worker,
                                   boost::asio::any_io_executor strand, Publish publish)
    : ledger_(ledger),
      inbox_(inbox),
      worker_(worker),
      strand_(std::move(strand)),
      publish_(std::move(publish)),
      take_timer_(strand_) {}

void DecisionRecorder::run_on_store(std::function<void()> job) {
  if (worker_ == nullptr) {
    job();
  } else {
    worker_->post(std::move(job));
  }
}

void DecisionRecorder::to_strand(std::vector<OutgoingDecision> decisions, bool tracked) {
  if (decisions.empty()) return;
  if (worker_ == nullptr) {  // inline: already on the strand
    publish_(std::move(decisions), tracked);
    return;
  }
  boost::asio::post(strand_, [this, decisions = std::move(decisions), tracked]() mutable {
    publish_(std::move(decisions), tracked);
  });
}

void DecisionRecorder::record(std::vector<DecisionRecord> records, std::optional<InboxPosition> release) {
  if (records.empty() && !release) return;
  run_on_store([this, records = std::move(records), release]() mutable { record_on_store(std::move(records), release); });
}

void DecisionRecorder::record_on_store(std::vector<DecisionRecord> batch, std::optional<InboxPosition> release) {
  if (release) release_wanted_ = std::max(release_wanted_, *release);
  if (ledger_ == nullptr) {
    to_strand(outgoing(batch), false);
  } else {
    const std::size_t retried = unrecorded_.size();
    unrecorded_.insert(unrecorded_.end(), std::make_move_iterator(batch.begin()), std::make_move_iterator(batch.end()));
    if (!unrecorded_.empty()) {
      std::vector<GateEventKey> acked;
      {
        std::lock_guard lock(acked_mutex_);
        acked.swap(acked_);
      }
      if (auto e = ledger_->record(unrecorded_, acked)) {
        {
          std::lock_guard lock(acked_mutex_);  // taken out with a later transaction
          acked_.insert(acked_.end(), std::make_move_iterator(acked.begin()), std::make_move_iterator(acked.end()));
        }
        ++record_failures_;
        unrecorded_count_ = unrecorded_.size();
        record_log().error("gates", "record_failed",
                           "cannot record {} gate decisions: {}; they go out anyway, the inbox keeps their events, and "
                           "the record is tried again with the next decision",
                           unrecorded_.size(), e.message());
        to_strand(outgoing(std::vector<DecisionRecord>(unrecorded_.begin() + static_cast<std::ptrdiff_t>(retried),
                                                       unrecorded_.end())),
                  false);
        return;  // nothing is released while a decision is known only to memory
      }
      if (retried > 0) Log::info("gates", "recorded {} gate decisions whose record had failed", retried);
      std::vector<OutgoingDecision> recorded = outgoing(unrecorded_);
      unrecorded_.clear();
      unrecorded_count_ = 0;
      to_strand(std::move(recorded), true);
    }
  }
  if (inbox_ != nullptr && release_wanted_ > released_) {
    released_ = release_wanted_;
    if (auto e = inbox_->release_through(released_)) {
      Log::warn("gates", "cannot delete a finished gate inbox segment: {}", e.message());
    }
  }
}

void DecisionRecorder::delivered(GateEventKey key) {
  ++delivered_total_;
  if (ledger_ == nullptr) return;
  bool arm = false;
  {
    std::lock_guard lock(acked_mutex_);
    acked_.push_back(std::move(key));
    arm = !std::exchange(take_armed_, true);
  }
  if (!arm) return;
  if (worker_ == nullptr) {  // inline (tests): at once
    take_delivered();
    return;
  }
  // Most acknowledgements ride along with the next record; what is left waits at most this long.
  boost::asio::post(strand_, [this] {
    take_timer_.expires_after(kTakeDelay);
    take_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) run_on_store([this] { take_delivered(); });
    });
  });
}

void DecisionRecorder::flush_delivered() {
  if (ledger_ != nullptr) run_on_store([this] { take_delivered(); });
}

void DecisionRecorder::take_delivered() {
  std::vector<GateEventKey> keys;
  {
    std::lock_guard lock(acked_mutex_);
    keys.swap(acked_);
    take_armed_ = false;
  }
  if (keys.empty()) return;
  if (auto e = ledger_->delivered(keys)) {
    // They stay in the outbox and are sent again after the next restart: a barrier acts on the
    // first copy it sees.
    ++outbox_failures_;
    record_log().error("gates", "outbox_failed", "cannot take {} delivered decisions out of the outbox: {}", keys.size(),
                       e.message());
  }
}

std::error_code DecisionRecorder::undelivered(std::vector<OutgoingDecision>& out) {
  return ledger_ == nullptr ? std::error_code() : ledger_->undelivered(out);
}

}  // namespace parkd
