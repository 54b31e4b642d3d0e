// std::random_device reads /dev/urandom on Linux (libstdc++'s default token).
#include "random_secret.h"

#include <random>

namespace parkd {

std::string random_secret(int bytes) {
  std::random_device random;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(static_cast<std::size_t>(bytes) * 2);
  for (int i = 0; i < bytes; ++i) {
    const unsigned v = random();
    out += kHex[v & 0xF];
    out += kHex[(v >> 4) & 0xF];
  }
  return out;
}

}  // namespace parkd
