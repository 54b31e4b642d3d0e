// The gate inbox in real files: what is appended comes back after a restart, in order; released
// segments go; a torn or damaged record is skipped without losing the others; one process only.
#include "store/gate_inbox_log.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace parkd {
namespace {

class GateInboxLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() / ("parkd-inbox-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir);
    db = (dir / "parkd.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  static InboxEvent event(std::uint64_t seq) {
    return InboxEvent{"xj5", "north", seq, std::string("\0payload-", 9) + std::to_string(seq),
                      "parking/xj5/gates/north/event", 1'700'000'000'000 + static_cast<TimeMs>(seq)};
  }
  std::vector<PendingEvent> reopen_and_read(std::uint64_t* damaged = nullptr) {
    GateInboxLog inbox(db);
    std::vector<PendingEvent> pending;
    std::uint64_t bad = 0;
    EXPECT_FALSE(inbox.pending(pending, bad));
    if (damaged != nullptr) *damaged = bad;
    return pending;
  }
  std::vector<std::filesystem::path> segments() const {
    std::vector<std::filesystem::path> out;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      if (e.path().extension() == ".log") out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  std::filesystem::path dir;
  std::string db;
};

TEST_F(GateInboxLogTest, WhatIsAppendedComesBackAfterARestartInOrder) {
  std::vector<InboxPosition> positions(3);
  {
    GateInboxLog inbox(db);
    for (std::uint64_t seq = 1; seq <= 3; ++seq) ASSERT_FALSE(inbox.append(event(seq), positions[seq - 1]));
  }
  EXPECT_LT(positions[0], positions[1]);
  EXPECT_LT(positions[1], positions[2]);
  const std::vector<PendingEvent> pending = reopen_and_read();
  ASSERT_EQ(pending.size(), 3u);
  for (std::uint64_t seq = 1; seq <= 3; ++seq) {
    const InboxEvent& e = pending[seq - 1].event;
    EXPECT_EQ(e.seq, seq);
    EXPECT_EQ(e.lot_id, "xj5");
    EXPECT_EQ(e.gate_id, "north");
    EXPECT_EQ(e.topic, event(seq).topic);
    EXPECT_EQ(e.payload, event(seq).payload);  // binary, with a NUL in it
    EXPECT_EQ(e.received_at, event(seq).received_at);
    EXPECT_EQ(pending[seq - 1].position, positions[seq - 1]);
  }
}

TEST_F(GateInboxLogTest, FlushedToDiskEveryAppendComesBackToo) {
  InboxPosition p = 0;
  {
    GateInboxLog inbox(db, GateInboxLog::Flush::ToDisk, 200);
    for (std::uint64_t seq = 1; seq <= 5; ++seq) ASSERT_FALSE(inbox.append(event(seq), p));  // new segments too
  }
  const std::vector<PendingEvent> pending = reopen_and_read();
  ASSERT_EQ(pending.size(), 5u);
  EXPECT_EQ(pending.back().event.seq, 5u);
  EXPECT_EQ(pending.back().position, p);
}

TEST_F(GateInboxLogTest, ASecondProcessOnTheSameDatabaseIsRefused) {
  GateInboxLog first(db);
  try {
    GateInboxLog second(db);
    FAIL() << "a second inbox opened";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("another parkd"), std::string::npos) << e.what();
  }
}

TEST_F(GateInboxLogTest, ReleasedSegmentsAreDeletedAndTheRestComesBack) {
  std::vector<InboxPosition> positions(10);
  {
    GateInboxLog inbox(db, GateInboxLog::Flush::ToKernel, 200);  // a record is ~80 bytes: two per segment
    for (std::uint64_t seq = 1; seq <= 10; ++seq) ASSERT_FALSE(inbox.append(event(seq), positions[seq - 1]));
    EXPECT_EQ(inbox.segments(), 5u);
    ASSERT_FALSE(inbox.release_through(positions[4]));  // seq 5: the first of the third segment
    EXPECT_EQ(inbox.segments(), 3u);
    ASSERT_FALSE(inbox.release_through(positions[5]));  // the third segment is done now
    EXPECT_EQ(inbox.segments(), 2u);
  }
  const std::vector<PendingEvent> pending = reopen_and_read();
  ASSERT_EQ(pending.size(), 4u);
  EXPECT_EQ(pending.front().event.seq, 7u);
  EXPECT_EQ(pending.back().event.seq, 10u);
}

TEST_F(GateInboxLogTest, StartUpsWithoutEventsLeaveNoFilesBehind) {
  for (int i = 0; i < 3; ++i) GateInboxLog inbox(db);
  EXPECT_EQ(segments().size(), 1u);
  EXPECT_TRUE(reopen_and_read().empty());
}

TEST_F(GateInboxLogTest, ATornLastRecordIsIgnoredAndADamagedOneSkipped) {
  {
    GateInboxLog inbox(db);
    InboxPosition p = 0;
    for (std::uint64_t seq = 1; seq <= 3; ++seq) ASSERT_FALSE(inbox.append(event(seq), p));
  }
  const std::filesystem::path file = segments().back();
  const auto size = std::filesystem::file_size(file);
  {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size / 2));  // inside the second record
    f.put('\x7f');
    f.seekp(0, std::ios::end);
    f.write("\x64\x00\x00\x00\x01\x02\x03\x04partial", 15);  // a record cut short by a power cut
  }
  std::uint64_t damaged = 0;
  const std::vector<PendingEvent> pending = reopen_and_read(&damaged);
  EXPECT_EQ(damaged, 1u);
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].event.seq, 1u);
  EXPECT_EQ(pending[1].event.seq, 3u);
}

TEST_F(GateInboxLogTest, ADamagedLengthInTheMiddleLosesOnlyItsOwnRecord) {
  {
    GateInboxLog inbox(db);
    InboxPosition p = 0;
    for (std::uint64_t seq = 1; seq <= 5; ++seq) ASSERT_FALSE(inbox.append(event(seq), p));
  }
  const std::filesystem::path file = segments().back();
  const auto record = std::filesystem::file_size(file) / 5;  // the records are of one size
  for (const char* length : {"\xff\xff\xff\x7f", "\x09\x00\x00\x00", "\x00\x00\x00\x00"}) {
    {
      std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(static_cast<std::streamoff>(record));  // the second record's length field
      f.write(length, 4);
    }
    std::uint64_t damaged = 0;
    const std::vector<PendingEvent> pending = reopen_and_read(&damaged);
    EXPECT_EQ(damaged, 1u);
    std::vector<std::uint64_t> seqs;
    for (const PendingEvent& p : pending) seqs.push_back(p.event.seq);
    EXPECT_EQ(seqs, (std::vector<std::uint64_t>{1, 3, 4, 5})) << "length field " << testing::PrintToString(std::string(length, 4));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    GateInboxLog inbox(db);
    InboxPosition p = 0;
    for (std::uint64_t seq = 1; seq <= 5; ++seq) ASSERT_FALSE(inbox.append(event(seq), p));
  }
}

}  // namespace
}  // namespace parkd
