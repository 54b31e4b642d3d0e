// WebDriver commands as JSON over HTTP/1.1 to chromedriver; answers parsed with Protobuf's
// google.protobuf.Value (any JSON).
#include "support/web_driver.h"

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

namespace parkd::test {

namespace {

constexpr const char* kElementKey = "element-6066-11e4-a52e-4f735466cecf";

std::string base64_decode(const std::string& in) {
  static const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned value = 0;
  int bits = -8;
  for (char c : in) {
    const auto at = kAlphabet.find(c);
    if (at == std::string::npos) continue;  // '=' and line breaks
    value = (value << 6) + static_cast<unsigned>(at);
    bits += 6;
    if (bits >= 0) {
      out += static_cast<char>((value >> bits) & 0xFF);
      bits -= 8;
    }
  }
  return out;
}

}  // namespace

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

WebDriver::WebDriver(const std::filesystem::path& dir, int width, int height) {
  if (!std::filesystem::exists("/usr/bin/chromedriver") || !std::filesystem::exists("/usr/bin/chromium")) {
    problem_ = "Debian's chromium and chromium-driver are not installed (tools/install-deps.sh installs them)";
    return;
  }
  std::filesystem::create_directories(dir / "profile");
  port_ = free_loopback_port();
  driver_.start({"/usr/bin/chromedriver", "--port=" + std::to_string(port_), "--allowed-ips=127.0.0.1"},
                dir / "chromedriver.log");
  if (!wait_for_port(port_, scaled(std::chrono::seconds(20)))) {
    problem_ = "chromedriver did not listen: " + read_file(dir / "chromedriver.log");
    return;
  }
  // Without the background-networking flags chromium reaches for Google's hosts at every start.
  const std::string args = "[\"--headless=new\", \"--no-sandbox\", \"--disable-gpu\", \"--disable-quic\", "
                           "\"--no-first-run\", \"--disable-background-networking\", \"--disable-component-update\", "
                           "\"--disable-sync\", \"--disable-dev-shm-usage\", \"--lang=zh-CN\", "
                           "\"--window-size=" + std::to_string(width) + "," + std::to_string(height) + "\", "
                           "\"--user-data-dir=" + (dir / "profile").string() + "\"]";
  // A window is never narrower than 500 px: a phone's screen is emulated instead.
  const std::string phone = width >= 500 ? std::string()
                                         : ", \"mobileEmulation\": {\"deviceMetrics\": {\"width\": " + std::to_string(width) +
                                               ", \"height\": " + std::to_string(height) + ", \"pixelRatio\": 2}}";
  const auto created = command("POST", "/session",
                               "{\"capabilities\": {\"alwaysMatch\": {\"browserName\": \"chrome\", "
                               "\"goog:chromeOptions\": {\"binary\": \"/usr/bin/chromium\", \"args\": " + args + phone + "}}}}");
  if (!created) return;
  session_ = created->struct_value().fields().at("sessionId").string_value();
}

WebDriver::~WebDriver() {
  if (!session_.empty()) command("DELETE", "/session/" + session_, "");
  driver_.stop();
}

std::optional<google::protobuf::Value> WebDriver::command(const std::string& method, const std::string& path,
                                                          const std::string& body) {
  std::vector<std::string> headers;
  if (method == "POST") headers.push_back("Content-Type: application/json");
  const HttpResult r = http_request(port_, method, path, headers, method == "POST" ? body : "");
  google::protobuf::Value answer;
  if (r.status == 0 || !google::protobuf::util::JsonStringToMessage(r.body, &answer).ok()) {
    problem_ = method + " " + path + ": no answer from chromedriver (" + std::to_string(r.status) + ") " + r.body;
    ADD_FAILURE() << problem_;
    return std::nullopt;
  }
  const google::protobuf::Value value = answer.struct_value().fields().count("value") > 0
                                            ? answer.struct_value().fields().at("value")
                                            : google::protobuf::Value();
  if (r.status != 200) {
    problem_ = method + " " + path + ": " + r.body.substr(0, 600);
    return std::nullopt;
  }
  return value;
}

void WebDriver::go(const std::string& url) {
  if (!command("POST", "/session/" + session_ + "/url", "{\"url\": " + json_string(url) + "}")) ADD_FAILURE() << problem_;
}

std::string WebDriver::find(const std::string& css) {
  const auto found = command("POST", "/session/" + session_ + "/element",
                             "{\"using\": \"css selector\", \"value\": " + json_string(css) + "}");
  if (!found) return {};
  return found->struct_value().fields().at(kElementKey).string_value();
}

void WebDriver::click(const std::string& css) {
  const std::string id = find(css);
  ASSERT_FALSE(id.empty()) << "no element " << css;
  if (!command("POST", "/session/" + session_ + "/element/" + id + "/click", "{}")) ADD_FAILURE() << css << ": " << problem_;
}

void WebDriver::type(const std::string& css, const std::string& text) {
  const std::string id = find(css);
  ASSERT_FALSE(id.empty()) << "no element " << css;
  if (!command("POST", "/session/" + session_ + "/element/" + id + "/value", "{\"text\": " + json_string(text) + "}")) {
    ADD_FAILURE() << css << ": " << problem_;
  }
}

google::protobuf::Value WebDriver::run(const std::string& script) {
  const auto v = command("POST", "/session/" + session_ + "/execute/sync",
                         "{\"script\": " + json_string(script) + ", \"args\": []}");
  if (!v) ADD_FAILURE() << "script failed: " << problem_;
  return v.value_or(google::protobuf::Value());
}

std::string WebDriver::run_string(const std::string& script) { return run(script).string_value(); }

bool WebDriver::wait_until(const std::string& script, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  do {
    if (run(script).bool_value()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  } while (std::chrono::steady_clock::now() < deadline);
  return false;
}

void WebDriver::screenshot(const std::filesystem::path& png) {
  const auto shot = command("GET", "/session/" + session_ + "/screenshot", "");
  ASSERT_TRUE(shot) << problem_;
  std::filesystem::create_directories(png.parent_path());
  std::ofstream(png, std::ios::binary) << base64_decode(shot->string_value());
}

}  // namespace parkd::test
