// Carries each batch of gate decisions from the strand to the database and out to the barriers:
// records it (the events, their visitor sessions and the outbox, one transaction) on the store
// thread, lets the inbox go of what is recorded, hands the decisions back to the strand to be
// published, and takes what the broker acknowledged out of the outbox, in batches.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/gate_inbox.h"
#include "core/gate_ledger.h"
#include "store_worker.h"

namespace parkd {

class DecisionRecorder {
 public:
  // Runs on the strand with decisions to publish, in the order they were decided. `tracked`:
  // they are in the outbox, and each publish reports its acknowledgement to delivered().
  using Publish = std::function<void(std::vector<OutgoingDecision> decisions, bool tracked)>;

  // Any of `ledger`, `inbox` and `worker` may be null (no record, no inbox, writes inline).
  DecisionRecorder(GateLedger* ledger, GateInbox* inbox, StoreWorker* worker, boost::asio::any_io_executor strand,
                   Publish publish);

  // On the strand: records `records` after any batch whose record failed before (retried
  // first, so the ledger keeps the order), then publishes them. `release`: every inbox event
  // up to there is decided (or needs no decision) once this batch is recorded.
  //
  // When the record fails, the decisions go out at once anyway (a car waits at the barrier),
  // untracked; they are kept and recorded with the next batch, the inbox keeps their events,
  // and once recorded they are published again, tracked: a barrier then sees them twice.
  void record(std::vector<DecisionRecord> records, std::optional<InboxPosition> release);

  // Any thread (Paho's): the broker acknowledged this decision. It leaves the outbox with the
  // next record's transaction, or at the latest kTakeDelay later in one of its own.
  void delivered(GateEventKey key);
  static constexpr std::chrono::milliseconds kTakeDelay{200};
  // At shut-down, once no acknowledgement can come any more: takes out what is left (on the
  // store thread, so before it stops).
  void flush_delivered();
  // On the strand, at start: what the outbox holds, in the order it was recorded.
  std::error_code undelivered(std::vector<OutgoingDecision>& out);

  std::uint64_t record_failures() const { return record_failures_.load(); }
  std::uint64_t unrecorded() const { return unrecorded_count_.load(); }  // decided, waiting for a record
  std::uint64_t delivered_total() const { return delivered_total_.load(); }
  std::uint64_t outbox_failures() const { return outbox_failures_.load(); }

 private:
  void record_on_store(std::vector<DecisionRecord> batch, std::optional<InboxPosition> release);
  void take_delivered();  // the store thread: one transaction for every acknowledgement so far
  void to_strand(std::vector<OutgoingDecision> decisions, bool tracked);
  void run_on_store(std::function<void()> job);

  GateLedger* ledger_;
  GateInbox* inbox_;
  StoreWorker* worker_;
  boost::asio::any_io_executor strand_;
  Publish publish_;
  // The store thread's.
  std::vector<DecisionRecord> unrecorded_;
  InboxPosition release_wanted_ = 0;
  InboxPosition released_ = 0;
  // Acknowledgements, from Paho's thread to the store thread.
  std::mutex acked_mutex_;
  std::vector<GateEventKey> acked_;
  bool take_armed_ = false;
  boost::asio::steady_timer take_timer_;  // the strand's

  std::atomic<std::uint64_t> record_failures_{0};
  std::atomic<std::uint64_t> unrecorded_count_{0};
  std::atomic<std::uint64_t> delivered_total_{0};
  std::atomic<std::uint64_t> outbox_failures_{0};
};

}  // namespace parkd
