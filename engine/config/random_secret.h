// Secrets for tokens, browser sessions and anti-CSRF values: bytes from the kernel's generator.
#pragma once

#include <string>

namespace parkd {

// `bytes` random bytes as lowercase hex (2 × bytes characters).
std::string random_secret(int bytes);

}  // namespace parkd
