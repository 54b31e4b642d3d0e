// Fuzz target: plate normalisation and masking on any bytes (not only UTF-8). A plate that passes
// is already normal (checking it again changes nothing) and masks to province, letter and stars.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/plate.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  const parkd::PlateCheck check = parkd::check_plate(raw);
  const std::string masked = parkd::mask_plate(raw);
  if (!check.ok()) {
    FUZZ_CHECK(!check.why.empty());
    return 0;
  }
  const parkd::PlateCheck again = parkd::check_plate(check.normalised);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again.normalised == check.normalised);
  FUZZ_CHECK(again.new_energy() == check.new_energy());
  FUZZ_CHECK(parkd::mask_plate(check.normalised).find("***") != std::string::npos);
  return 0;
}
