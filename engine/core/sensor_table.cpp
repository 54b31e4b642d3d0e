// Hashing for the sensor table: FNV-1a over the id, then a 64-bit finaliser to spread the bits.
#include "sensor_table.h"

namespace parkd {

std::uint64_t SensorTable::hash(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

}  // namespace parkd
