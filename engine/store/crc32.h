// CRC-32 (the IEEE polynomial, as zlib and Ethernet use it), to tell a damaged record on disk.
#pragma once

#include <cstdint>
#include <string_view>

namespace parkd {

std::uint32_t crc32(std::string_view bytes);

}  // namespace parkd
