// The unit tests' shared values and file reading.
#include "support/test_data.h"

#include <fstream>
#include <sstream>

namespace parkd::test {

CivilDay day(const char* text) { return *parse_civil_day(text); }

std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string read_source_file(const std::string& relative) {
  return read_bytes(std::filesystem::path(PARKD_SOURCE_DIR) / relative);
}

}  // namespace parkd::test
