// The control API's bearer tokens: a file of `name:role:secret` lines (`name:secret` means the
// admin role; # comments), readable by its owner only. parkd creates it with one random admin
// token when it is missing; parkctl sends the first.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control_role.h"

namespace parkd {

struct ControlToken {
  std::string name;    // written to the audit log
  std::string secret;
  ControlRole role = ControlRole::Admin;
};

struct TokenFileRead {
  std::vector<ControlToken> tokens;  // empty when error is set
  std::string error;                 // what is wrong, with the path (and line)
  bool created = false;
};

// Reads the tokens. With `create_if_missing`, a missing file (and its folder) is created with
// mode 0600 and one admin token named "operator". A file that group or others may read is refused.
TokenFileRead read_token_file(const std::string& path, bool create_if_missing);

// Parses the text of a token file; `path` names it in errors.
TokenFileRead parse_token_file(std::string_view text, const std::string& path);

// The token whose secret this is; comparisons take the same time wherever they differ.
std::optional<ControlToken> find_token(const std::vector<ControlToken>& tokens, std::string_view secret);

}  // namespace parkd
