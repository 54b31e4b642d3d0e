// The core's GateInbox as append-only segment files beside the database.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/gate_inbox.h"

namespace parkd {

// Segments are "<db>-gates-000001.log", "-000002.log", ...; each record is its length, its
// CRC-32 and the event. An append is one write(2) of one record. Flush::ToKernel: like the
// database's synchronous=NORMAL, it survives parkd being killed, not the machine losing power.
// Flush::ToDisk adds an fdatasync (and an fsync of the folder for a new segment), so an append
// survives a power cut too. A record torn by a crash was never acknowledged, and is skipped. A new segment starts at
// every start-up and when the current one passes `segment_bytes`; a segment is deleted once
// everything in it is released. "<db>-gates.lock" keeps a second parkd off the same inbox.
class GateInboxLog : public GateInbox {
 public:
  static constexpr std::uint64_t kSegmentBytes = 4u << 20;
  enum class Flush : bool { ToKernel, ToDisk };
  // Throws std::runtime_error when the folder cannot be written or another process holds it.
  explicit GateInboxLog(const std::string& db_path, Flush flush = Flush::ToKernel,
                        std::uint64_t segment_bytes = kSegmentBytes);
  ~GateInboxLog() override;
  GateInboxLog(const GateInboxLog&) = delete;
  GateInboxLog& operator=(const GateInboxLog&) = delete;

  std::error_code append(const InboxEvent& event, InboxPosition& position) override;
  std::error_code pending(std::vector<PendingEvent>& out, std::uint64_t& damaged) override;
  std::error_code release_through(InboxPosition position) override;

  // Segment files on disk, the one appended to included.
  std::size_t segments() const;

 private:
  std::string segment_path(std::uint32_t number) const;
  // The record at `at` of a segment's bytes, if a whole, undamaged one starts there.
  static bool read_record(std::string_view data, std::size_t at, InboxEvent& event);
  std::error_code open_active();

  std::string prefix_;  // "<db>-gates-"
  std::string folder_;
  Flush flush_;
  std::uint64_t segment_bytes_;
  int lock_fd_ = -1;
  mutable std::mutex mutex_;
  int fd_ = -1;  // the active segment
  std::uint32_t active_ = 0;
  std::uint64_t active_size_ = 0;
  std::vector<std::uint32_t> older_;  // ascending, all before active_
  std::string record_;                // reused: one record being written
  bool needs_new_segment_ = false;    // a write or flush of the active segment failed
};

}  // namespace parkd
