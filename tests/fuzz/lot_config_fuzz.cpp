// Fuzz target: a lot's text-format configuration, parsed and then validated into a Lot. Bad text
// gives issues that point into the text (a line that exists); good text gives a lot or issues.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/config_loader.h"
#include "core/lot.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  const parkd::LotSpecParse parsed = parkd::parse_lot_spec(text, "fuzz.textproto");
  for (const parkd::ConfigIssue& issue : parsed.issues) {
    FUZZ_CHECK(!issue.message.empty());
    FUZZ_CHECK(issue.line >= 0 && issue.line <= lines);
  }
  if (!parsed.spec) {
    FUZZ_CHECK(!parsed.issues.empty());
    return 0;
  }
  const parkd::LotBuild built = parkd::Lot::build(*parsed.spec);
  FUZZ_CHECK(built.lot.has_value() != !built.issues.empty());
  if (built.lot) FUZZ_CHECK(built.lot->id() == parsed.spec->lot_id);
  return 0;
}
