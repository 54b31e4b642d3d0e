// Formatting of configuration problems the way compilers print them, so editors can jump to them.
#include "config_issue.h"

namespace parkd {

std::string ConfigIssue::to_string() const {
  std::string out;
  if (!file.empty()) out += file + ":";
  if (line > 0) {
    out += std::to_string(line) + ":";
    if (column > 0) out += std::to_string(column) + ":";
  }
  if (!out.empty()) out += " ";
  out += message;
  return out;
}

}  // namespace parkd
