// Token files: strict permissions, one token per line, random secrets for a fresh install.
#include "token_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "random_secret.h"

namespace parkd {

namespace {

std::string create(const std::string& path) {
  std::error_code ec;
  const auto folder = std::filesystem::path(path).parent_path();
  if (!folder.empty()) std::filesystem::create_directories(folder, ec);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return "cannot create the token file '" + path + "': " + std::strerror(errno);
  const std::string text =
      "# parkd control API tokens, one per line: name:role:secret. The name goes to the audit log; the\n"
      "# role is viewer, guard, clerk or admin (name:secret means admin). Secrets: 16 characters or more.\n"
      "operator:admin:" +
      random_secret(32) + "\n";
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return written ? std::string() : "cannot write the token file '" + path + "'";
}

}  // namespace

TokenFileRead parse_token_file(std::string_view text, const std::string& path) {
  TokenFileRead out;
  std::istringstream in{std::string(text)};
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.front() == '#') continue;
    const std::string where = path + ":" + std::to_string(number) + ": ";
    const auto fail = [&](std::string message) {
      out.error = where + std::move(message);
      out.tokens.clear();
      return out;
    };
    const auto first = line.find(':');
    if (first == std::string::npos || first == 0) return fail("expected name:role:secret (or name:secret for an admin)");
    ControlToken token{line.substr(0, first), line.substr(first + 1), ControlRole::Admin};
    if (const auto second = token.secret.find(':'); second != std::string::npos) {
      const std::string role = token.secret.substr(0, second);
      const auto parsed = parse_control_role(role);
      if (!parsed) return fail("unknown role '" + role + "': viewer, guard, clerk or admin");
      token.role = *parsed;
      token.secret = token.secret.substr(second + 1);
    }
    if (token.secret.size() < 16) return fail("the secret is shorter than 16 characters");
    for (const ControlToken& t : out.tokens) {
      if (t.secret == token.secret) return fail("the same secret as the token '" + t.name + "': give each holder their own");
    }
    out.tokens.push_back(std::move(token));
  }
  if (out.tokens.empty()) out.error = path + ": no token in the file";
  return out;
}

TokenFileRead read_token_file(const std::string& path, bool create_if_missing) {
  struct stat st {};
  bool created = false;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT || !create_if_missing) {
      return TokenFileRead{{}, "cannot read the token file '" + path + "': " + std::strerror(errno), false};
    }
    if (std::string e = create(path); !e.empty()) return TokenFileRead{{}, e, false};
    created = true;
    ::stat(path.c_str(), &st);
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return TokenFileRead{{}, "the token file '" + path + "' has mode " + mode +
                                 ": others could read it; chmod 600 it",
                         false};
  }
  std::ifstream in(path);
  if (!in) return TokenFileRead{{}, "cannot read the token file '" + path + "'", false};
  std::stringstream text;
  text << in.rdbuf();
  TokenFileRead out = parse_token_file(text.str(), path);
  out.created = created;
  return out;
}

std::optional<ControlToken> find_token(const std::vector<ControlToken>& tokens, std::string_view secret) {
  std::optional<ControlToken> found;
  for (const ControlToken& t : tokens) {
    unsigned char diff = t.secret.size() == secret.size() ? 0 : 1;
    for (std::size_t i = 0; i < t.secret.size(); ++i) {
      diff |= static_cast<unsigned char>(t.secret[i] ^ (i < secret.size() ? secret[i] : 0));
    }
    if (diff == 0 && !found) found = t;
  }
  return found;
}

}  // namespace parkd
