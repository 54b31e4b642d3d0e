// Loading and serving the console's files, with the security headers of every page.
#include "console_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace parkd {

namespace {

std::optional<std::string> content_type_of(const std::filesystem::path& file) {
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"},  {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"}, {".svg", "image/svg+xml"},
      {".png", "image/png"},                    {".ico", "image/x-icon"},
      {".json", "application/json"},            {".txt", "text/plain; charset=utf-8"},
  };
  const auto it = kTypes.find(file.extension().string());
  if (it == kTypes.end()) return std::nullopt;
  return it->second;
}

}  // namespace

ConsoleFiles ConsoleFiles::load(const std::string& dir, std::string& error) {
  ConsoleFiles out;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    error = "the console's folder '" + dir + "' does not exist";
    return out;
  }
  std::size_t total = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec); !ec && it != std::filesystem::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    const auto type = content_type_of(it->path());
    if (!type) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    total += body.str().size();
    if (total > kMaxTotalBytes) {
      error = "the console's folder '" + dir + "' holds more than 4 MiB of web files";
      return ConsoleFiles();
    }
    std::string name = "/";  // appended apart: GCC 12 at -O3 warns falsely (-Wrestrict) on "/" + std::string
    name += std::filesystem::relative(it->path(), dir).generic_string();
    out.files_.emplace(name, File{*type, body.str()});
  }
  if (ec) error = "cannot read the console's folder '" + dir + "': " + ec.message();
  if (out.files_.count("/index.html") == 0 && error.empty()) error = "the console's folder '" + dir + "' has no index.html";
  if (!error.empty()) return ConsoleFiles();
  return out;
}

std::optional<HttpReply> ConsoleFiles::get(const std::string& path) const {
  std::string name = path.substr(0, path.find('?'));
  if (name == "/") name = "/index.html";
  if (name == "/public") name = "/public.html";
  const auto it = files_.find(name);
  if (it == files_.end()) return std::nullopt;
  HttpReply r{200, it->second.content_type, it->second.body};
  if (it->second.content_type.rfind("text/html", 0) == 0) {
    // Only parkd's own files, no inline script, no framing: a page injected into a plate or a
    // reason cannot run, and no other site can wrap the console.
    r.headers.emplace_back("Content-Security-Policy",
                           "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    r.headers.emplace_back("X-Frame-Options", "DENY");
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
  }
  // The files change only with parkd's package: a browser may keep them, and asks again after a restart.
  r.headers.emplace_back("Cache-Control", "no-cache");
  return r;
}

}  // namespace parkd
