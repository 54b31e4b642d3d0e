// Token files: strict permissions, one token per line, random secrets for a fresh install.
#include "token_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace parkd {

namespace {

std::string random_secret() {
  std::random_device random;  // /dev/urandom on Linux
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 32; ++i) {
    const unsigned v = random();
    out += kHex[v & 0xF];
    out += kHex[(v >> 4) & 0xF];
  }
  return out;
}

std::string create(const std::string& path) {
  std::error_code ec;
  const auto folder = std::filesystem::path(path).parent_path();
  if (!folder.empty()) std::filesystem::create_directories(folder, ec);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return "cannot create the token file '" + path + "': " + std::strerror(errno);
  const std::string text =
      "# parkd control API tokens: one name:secret per line; the name goes to the audit log.\noperator:" +
      random_secret() + "\n";
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
    const auto colon = line.find(':');
    if (colon == std::string::npos || colon == 0 || line.size() - colon - 1 < 16) {
      out.error = path + ":" + std::to_string(number) + ": expected name:secret with a secret of 16 characters or more";
      out.tokens.clear();
      return out;
    }
    out.tokens.push_back(ControlToken{line.substr(0, colon), line.substr(colon + 1)});
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

std::optional<std::string> token_name(const std::vector<ControlToken>& tokens, std::string_view secret) {
  std::optional<std::string> found;
  for (const ControlToken& t : tokens) {
    unsigned char diff = t.secret.size() == secret.size() ? 0 : 1;
    for (std::size_t i = 0; i < t.secret.size(); ++i) {
      diff |= static_cast<unsigned char>(t.secret[i] ^ (i < secret.size() ? secret[i] : 0));
    }
    if (diff == 0 && !found) found = t.name;
  }
  return found;
}

}  // namespace parkd
