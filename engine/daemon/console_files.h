// The console's web files (index.html, public.html, style.css, js/*.js…), read once at start and
// served from memory: a request never touches the disk, names nothing outside the folder, and
// the pages carry a Content-Security-Policy that lets them load only parkd's own files.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>

#include "http_server.h"

namespace parkd {

class ConsoleFiles {
 public:
  static constexpr std::size_t kMaxTotalBytes = 4 * 1024 * 1024;

  // Reads every file of `dir` (and its sub-folders) whose type is served (html, css, js, svg,
  // png, ico, json, txt). `error` says why nothing was read (no such folder, too big).
  static ConsoleFiles load(const std::string& dir, std::string& error);
  ConsoleFiles() = default;

  // GET `path` ("/" is index.html, "/public" is public.html); nullopt: not one of the files.
  std::optional<HttpReply> get(const std::string& path) const;
  std::size_t size() const { return files_.size(); }

 private:
  struct File {
    std::string content_type;
    std::string body;
  };
  std::map<std::string, File, std::less<>> files_;  // by "/js/app.js"
};

}  // namespace parkd
