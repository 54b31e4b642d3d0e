// Fuzz target: parkd's whole configuration (broker, store, HTTP, limits, pact versions, lots
// inline or in files), loaded and validated as parkd does at start-up. Loading either gives a
// configuration (with at least one lot and one pact version) or issues, and an issue about this
// text points at a line it has.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "config/config_loader.h"
#include "fuzz_check.h"
#include "fuzz_scratch.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // lot_files resolve against a folder holding the shipped xj5 lot, as lots/xj5.textproto.
  static const FuzzScratch scratch("config");
  static const std::filesystem::path base = [] {
    std::filesystem::create_directories(scratch.path() / "lots");
    std::filesystem::copy_file(std::filesystem::path(PARKD_SOURCE_DIR) / "config/lots/xj5.textproto",
                               scratch.path() / "lots/xj5.textproto", std::filesystem::copy_options::overwrite_existing);
    return scratch.path();
  }();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // A lot file in /dev, /proc or /sys could be endless (/dev/zero): a configuration is the
  // administrator's, so such a path is not a case to fuzz.
  for (const char* endless : {"/dev", "/proc", "/sys"}) {
    if (text.find(endless) != std::string_view::npos) return 0;
  }
  const auto lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  const parkd::ConfigLoad load = parkd::load_config_text(text, "fuzz.textproto", base);
  for (const parkd::ConfigIssue& issue : load.issues) {
    FUZZ_CHECK(!issue.message.empty());
    if (issue.file == "fuzz.textproto") FUZZ_CHECK(issue.line >= 0 && issue.line <= lines);
  }
  FUZZ_CHECK(load.config.has_value() == load.issues.empty());
  if (load.config) {
    FUZZ_CHECK(!load.config->lots.empty());
    FUZZ_CHECK(!load.config->pact.empty());
    FUZZ_CHECK(load.config->settings.limits.sensor_burst >= 1.0 && load.config->settings.limits.gate_burst >= 1.0);
  }
  return 0;
}
