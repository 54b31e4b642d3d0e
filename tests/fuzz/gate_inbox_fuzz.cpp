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
  parkd::GateInboxLog inbox(db);
  std::vector<parkd::PendingEvent> pending;
  std::uint64_t damaged = 0;
  FUZZ_CHECK(!inbox.pending(pending, damaged));
  FUZZ_CHECK((pending.size() + damaged) * 8 <= size);  // every record has at least its header
  parkd::InboxPosition last = 0;
  for (const parkd::PendingEvent& p : pending) {
    FUZZ_CHECK(p.position > last);
    FUZZ_CHECK((p.position >> 32) == 1 && (p.position & 0xFFFFFFFFu) <= size);
    last = p.position;
  }
  // What was read back can be appended again and read back the same.
  parkd::InboxPosition position = 0;
  for (const parkd::PendingEvent& p : pending) FUZZ_CHECK(!inbox.append(p.event, position));
  return 0;
}
