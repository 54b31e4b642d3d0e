// Fuzz target: an inbox segment file as a crash, a power cut or a bad disk could leave it. Reading
// it back never fails or runs past the file: records come back in order, the rest is damaged or
// a torn tail.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "fuzz_scratch.h"
#include "store/gate_inbox_log.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const FuzzScratch scratch("inbox");
  const std::filesystem::path& dir = scratch.path();
  const std::string db = (dir / "parkd.db").string();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(db + "-gates-000001.log", std::ios::binary).write(reinterpret_cast<const char*>(data),
                                                                  static_cast<std::streamsize>(size));
  std::vector<parkd::PendingEvent> pending;
  {
    parkd::GateInboxLog inbox(db);
    std::uint64_t damaged = 0;
    FUZZ_CHECK(!inbox.pending(pending, damaged));
    FUZZ_CHECK((pending.size() + damaged) * 8 <= size);  // every record has at least its header
    parkd::InboxPosition last = 0;
    for (const parkd::PendingEvent& p : pending) {
      FUZZ_CHECK(p.position > last);
      FUZZ_CHECK((p.position >> 32) == 1 && (p.position & 0xFFFFFFFFu) <= size);
      last = p.position;
    }
    // What was read back can be appended again...
    parkd::InboxPosition position = 0;
    for (const parkd::PendingEvent& p : pending) FUZZ_CHECK(!inbox.append(p.event, position));
  }
  // ...and after a restart it comes back the same, behind what the damaged segment still holds.
  parkd::GateInboxLog reopened(db);
  std::vector<parkd::PendingEvent> again;
  std::uint64_t damaged = 0;
  FUZZ_CHECK(!reopened.pending(again, damaged));
  FUZZ_CHECK(again.size() == 2 * pending.size());
  for (std::size_t i = 0; i < pending.size(); ++i) {
    const parkd::InboxEvent& a = pending[i].event;
    const parkd::InboxEvent& b = again[pending.size() + i].event;
    FUZZ_CHECK(a.lot_id == b.lot_id && a.gate_id == b.gate_id && a.seq == b.seq && a.payload == b.payload &&
               a.topic == b.topic && a.received_at == b.received_at);
  }
  return 0;
}
