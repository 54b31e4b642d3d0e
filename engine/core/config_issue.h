// A problem found in a configuration: where it is and what is wrong.
#pragma once

#include <string>
#include <vector>

namespace parkd {

struct ConfigIssue {
  std::string file;   // may be empty when the spec was built in code
  int line = 0;       // 1-based; 0 when unknown
  int column = 0;     // 1-based; 0 when unknown
  std::string message;

  // "file:line:column: message", leaving out the parts that are unknown.
  std::string to_string() const;
};

using ConfigIssues = std::vector<ConfigIssue>;

}  // namespace parkd
