// parkctl: the operators' and the property office's command line for a running parkd.
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/config_loader.h"
#include "config/token_file.h"
#include "config/version.h"
#include "control_client.h"
#include "parkctl_commands.h"

int main(int argc, char** argv) {
  using namespace parkd;
  std::vector<std::string> words(argv + 1, argv + argc);
  std::optional<std::string> endpoint;
  std::optional<std::string> token_file;
  std::optional<std::string> config_path;
  std::optional<std::string> ca_file;
  bool json = false;
  std::size_t i = 0;
  for (; i < words.size() && words[i].rfind("-", 0) == 0; ++i) {
    const std::string& w = words[i];
    auto value = [&](std::optional<std::string>& into) {
      if (i + 1 >= words.size()) throw std::invalid_argument(w + " needs a value");
      into = words[++i];
    };
    try {
      if (w == "--endpoint") {
        value(endpoint);
      } else if (w == "--token-file") {
        value(token_file);
      } else if (w == "--config") {
        value(config_path);
      } else if (w == "--ca-file") {
        value(ca_file);
      } else if (w == "--json") {
        json = true;
      } else if (w == "--help" || w == "-h") {
        std::printf("%s", parkctl_usage().c_str());
        return kExitOk;
      } else if (w == "--version") {
        std::printf("parkctl %s\n", kParkdVersion);
        return kExitOk;
      } else {
        throw std::invalid_argument("unknown option " + w);
      }
    } catch (const std::invalid_argument& e) {
      std::fprintf(stderr, "parkctl: %s\n\n%s", e.what(), parkctl_usage().c_str());
      return kExitUsage;
    }
  }
  // --json may also follow the command (`parkctl alerts --json`).
  for (std::size_t k = i; k < words.size();) {
    if (words[k] == "--json") {
      json = true;
      words.erase(words.begin() + static_cast<std::ptrdiff_t>(k));
    } else {
      ++k;
    }
  }
  // Defaults from the configuration: the one named, or the source tree's when parkctl runs from
  // the repository root, or the installed one, or parkd's built-in defaults.
  DaemonSettings settings;
  const std::string config_file = config_path.value_or(default_config_file());
  if (config_path || std::filesystem::exists(config_file)) {
    ConfigLoad load = load_config_file(config_file);
    if (!load.config) {
      for (const auto& issue : load.issues) std::fprintf(stderr, "%s\n", issue.to_string().c_str());
      std::fprintf(stderr, "parkctl: the configuration %s is not valid\n", config_file.c_str());
      return kExitUsage;
    }
    settings = load.config->settings;
  }
  const std::string token_path = token_file.value_or(control_token_file(settings));
  const TokenFileRead tokens = read_token_file(token_path, false);
  try {
    const std::string scheme = settings.http_tls_cert_file.empty() ? "http://" : "https://";
    const ControlClient client(endpoint.value_or(scheme + settings.http_listen),
                               tokens.tokens.empty() ? std::string() : tokens.tokens.front().secret,
                               ca_file.value_or(settings.http_tls_ca_file));
    CommandContext context{client, json, !tokens.tokens.empty(), tokens.error};
    return run_command(context, std::vector<std::string>(words.begin() + static_cast<std::ptrdiff_t>(i), words.end()));
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "parkctl: %s\n", e.what());
    return kExitUsage;
  }
}
