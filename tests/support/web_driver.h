// A WebDriver client for the console's browser tests: Debian's chromedriver driving a headless
// Debian chromium, spoken to over its W3C HTTP protocol with the test's own HTTP helper. Fails
// the test (with what chromedriver said) when a command fails.
#pragma once

#include <google/protobuf/struct.pb.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "support/processes.h"

namespace parkd::test {

class WebDriver {
 public:
  // Starts chromedriver on a free port and opens a browser session (window 1280×900, or
  // `width`×`height`); `dir` takes the browser's profile and the logs.
  explicit WebDriver(const std::filesystem::path& dir, int width = 1280, int height = 900);
  ~WebDriver();
  WebDriver(const WebDriver&) = delete;
  WebDriver& operator=(const WebDriver&) = delete;

  bool ready() const { return !session_.empty(); }
  const std::string& problem() const { return problem_; }

  void go(const std::string& url);
  // The element's WebDriver id, or "" when no element matches.
  std::string find(const std::string& css);
  void click(const std::string& css);
  void type(const std::string& css, const std::string& text);
  // Runs `script` (a function body; `return` gives the value) in the page.
  google::protobuf::Value run(const std::string& script);
  std::string run_string(const std::string& script);
  // Polls `script` (which returns true or false) until it returns true.
  bool wait_until(const std::string& script, std::chrono::milliseconds timeout);
  void screenshot(const std::filesystem::path& png);

 private:
  std::optional<google::protobuf::Value> command(const std::string& method, const std::string& path,
                                                 const std::string& body);

  ChildProcess driver_;
  int port_ = 0;
  std::string session_;
  std::string problem_;
};

// `text` as a JSON string literal, quotes included.
std::string json_string(const std::string& text);

}  // namespace parkd::test
