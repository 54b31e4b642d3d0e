// parkd-broker-setup: makes everything a locked-down Mosquitto needs for the configured lots —
// one account per device and for parkd, the ACL, a private CA with server and client
// certificates, and a broker configuration with a plain and a TLS listener on loopback.
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "broker_accounts.h"
#include "config/config_loader.h"

namespace {

namespace fs = std::filesystem;
using namespace parkd;

const char* kUsage =
    "usage: parkd-broker-setup --out DIR [--config FILE] [--port N] [--tls-port N] [--simulator]\n"
    "                          [--console-host NAME-OR-IP]...\n"
    "  Writes DIR/passwd (hashed), DIR/acl, DIR/credentials/<user>.password (one per account, mode 0600),\n"
    "  DIR/tls/{ca,server,parkd}.{crt,key} and DIR/mosquitto.conf: anonymous clients refused, each\n"
    "  device limited to its own topics, a plain listener on 127.0.0.1:PORT (default 1883) and a TLS\n"
    "  one on 127.0.0.1:TLS-PORT (default 8883). --simulator adds a 'parksim' account for demos.\n"
    "  DIR/tls/console.{crt,key}: the console's HTTPS certificate from the same CA, for 127.0.0.1,\n"
    "  localhost and every --console-host (the office box's address or name on the LAN).\n"
    "  Run it again to rotate every password and certificate.\n";

struct Options {
  std::string config = default_config_file();
  std::string out;
  int port = 1883;
  int tls_port = 8883;
  bool simulator = false;
  std::vector<std::string> console_hosts;
};

// Runs a command without a shell; its output goes to `log`. The exit code, or -1.
int run(const std::vector<std::string>& argv, const fs::path& log) {
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    std::FILE* out = std::fopen(log.c_str(), "a");
    if (out != nullptr) {
      ::dup2(::fileno(out), 1);
      ::dup2(::fileno(out), 2);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string random_password() {
  std::random_device random;
  static constexpr char kChars[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string out;
  for (int i = 0; i < 24; ++i) out += kChars[random() % (sizeof kChars - 1)];
  return out;
}

// A secret file: readable by its owner and, when the broker runs as the mosquitto user (it drops
// to it when started as root), by that group.
void protect(const fs::path& file, bool broker_reads_it) {
  const group* g = broker_reads_it && ::geteuid() == 0 ? ::getgrnam("mosquitto") : nullptr;
  if (g != nullptr && ::chown(file.c_str(), 0, g->gr_gid) == 0) {
    ::chmod(file.c_str(), 0640);
  } else {
    ::chmod(file.c_str(), broker_reads_it ? 0644 : 0600);
  }
}

void write_file(const fs::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) throw std::runtime_error("cannot write " + file.string());
}

// "subjectAltName=IP:127.0.0.1,DNS:localhost,…" for the console's certificate.
std::string console_names(const std::vector<std::string>& hosts) {
  std::string san = "subjectAltName=IP:127.0.0.1,DNS:localhost";
  for (const std::string& h : hosts) {
    boost::system::error_code ec;
    boost::asio::ip::make_address(h, ec);
    san += (ec ? ",DNS:" : ",IP:") + h;
  }
  return san + "\nextendedKeyUsage=serverAuth";
}

void make_tls(const fs::path& tls, const fs::path& log, const std::vector<std::string>& console_hosts) {
  fs::create_directories(tls);
  const std::string ca_key = (tls / "ca.key").string();
  const std::string ca_crt = (tls / "ca.crt").string();
  auto check = [&](int rc, const char* what) {
    if (rc != 0) throw std::runtime_error(std::string("openssl failed to ") + what + " (see " + log.string() + ")");
  };
  const std::vector<std::string> ec = {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"};
  auto req = [&](std::vector<std::string> head, std::vector<std::string> tail) {
    head.insert(head.end(), ec.begin(), ec.end());
    head.insert(head.end(), tail.begin(), tail.end());
    return head;
  };
  check(run(req({"openssl", "req", "-x509"}, {"-days", "3650", "-subj", "/CN=parkd private CA", "-keyout", ca_key, "-out", ca_crt}), log),
        "make the CA");
  // The server's name is what clients dial on loopback; parkd gets a client certificate too,
  // for brokers that require one (require_certificate true).
  const std::string console_san = console_names(console_hosts);
  for (const auto& [name, subject, san] : {std::tuple{"server", "/CN=localhost", std::string("subjectAltName=IP:127.0.0.1,DNS:localhost")},
                                           std::tuple{"parkd", "/CN=parkd", std::string("extendedKeyUsage=clientAuth")},
                                           std::tuple{"console", "/CN=parkd console", console_san}}) {
    const std::string key = (tls / (std::string(name) + ".key")).string();
    const std::string csr = (tls / (std::string(name) + ".csr")).string();
    const std::string crt = (tls / (std::string(name) + ".crt")).string();
    const std::string ext = (tls / (std::string(name) + ".ext")).string();
    write_file(ext, std::string(san) + "\n");
    check(run(req({"openssl", "req"}, {"-subj", subject, "-keyout", key, "-out", csr}), log), "make a key");
    check(run({"openssl", "x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key, "-CAcreateserial", "-days", "825",
               "-extfile", ext, "-out", crt},
              log),
          "sign a certificate");
    fs::remove(csr);
    fs::remove(ext);
  }
  protect(ca_key, false);
  protect(tls / "server.key", true);
  protect(tls / "parkd.key", false);
  protect(tls / "console.key", false);
}

std::string broker_config(const Options& o, const fs::path& out) {
  std::ostringstream shipped;
  shipped << std::ifstream(fs::path(o.config).parent_path() / "mosquitto/parkd-broker.conf").rdbuf();
  std::string text = "# Generated by parkd-broker-setup. The shipped settings, then the locks.\n";
  std::istringstream lines(shipped.str());
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("allow_anonymous", 0) != 0) text += line + "\n";
  }
  const std::string dir = fs::absolute(out).string();
  text += "\nper_listener_settings false\nallow_anonymous false\n";
  text += "password_file " + dir + "/passwd\nacl_file " + dir + "/acl\n";
  text += "persistence_location " + dir + "/persistence/\n";
  text += "\nlistener " + std::to_string(o.port) + " 127.0.0.1\n";
  text += "\nlistener " + std::to_string(o.tls_port) + " 127.0.0.1\n";
  text += "cafile " + dir + "/tls/ca.crt\ncertfile " + dir + "/tls/server.crt\nkeyfile " + dir + "/tls/server.key\n";
  text += "tls_version tlsv1.2\n";
  return text;
}

int setup(const Options& o) {
  ConfigLoad load = load_config_file(o.config);
  if (!load.config) {
    for (const auto& issue : load.issues) std::fprintf(stderr, "%s\n", issue.to_string().c_str());
    return 1;
  }
  const fs::path out = o.out;
  fs::create_directories(out / "credentials");
  fs::create_directories(out / "persistence");
  ::chmod((out / "credentials").c_str(), 0700);
  const fs::path log = out / "setup.log";
  BrokerAccountOptions account_options;
  if (!load.config->settings.broker.username.empty()) account_options.parkd_username = load.config->settings.broker.username;
  account_options.simulator = o.simulator;
  const auto accounts = broker_accounts(load.config->lots, account_options);

  std::string passwd;
  for (const BrokerAccount& a : accounts) {
    const std::string password = random_password();
    const fs::path file = out / "credentials" / (a.username + ".password");
    write_file(file, password + "\n");
    protect(file, false);
    passwd += a.username + ":" + password + "\n";
  }
  write_file(out / "passwd", passwd);
  ::chmod((out / "passwd").c_str(), 0600);
  if (run({"mosquitto_passwd", "-U", (out / "passwd").string()}, log) != 0) {
    std::fprintf(stderr, "parkd-broker-setup: mosquitto_passwd could not hash %s (see %s)\n", (out / "passwd").c_str(), log.c_str());
    return 1;
  }
  protect(out / "passwd", true);
  write_file(out / "acl", mosquitto_acl(accounts));
  protect(out / "acl", true);
  make_tls(out / "tls", log, o.console_hosts);
  write_file(out / "mosquitto.conf", broker_config(o, out));
  std::printf("%zu accounts (parkd: %s); broker configuration %s\n", accounts.size(), account_options.parkd_username.c_str(),
              (out / "mosquitto.conf").c_str());
  std::printf("parkd: broker { uri: \"ssl://127.0.0.1:%d\" username: \"%s\" password_file: \"%s\" ca_file: \"%s\" }\n",
              o.tls_port, account_options.parkd_username.c_str(),
              fs::absolute(out / "credentials" / (account_options.parkd_username + ".password")).c_str(),
              fs::absolute(out / "tls/ca.crt").c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  const std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    auto value = [&]() -> const std::string* { return i + 1 < args.size() ? &args[++i] : nullptr; };
    const std::string& a = args[i];
    const std::string* v = nullptr;
    if (a == "--help" || a == "-h") {
      std::printf("%s", kUsage);
      return 0;
    } else if (a == "--simulator") {
      o.simulator = true;
    } else if (a == "--console-host" && (v = value()) != nullptr) {
      if (v->empty() || v->find_first_of(", \n") != std::string::npos) {
        std::fprintf(stderr, "parkd-broker-setup: --console-host takes one name or IP address\n%s", kUsage);
        return 2;
      }
      o.console_hosts.push_back(*v);
    } else if ((a == "--out" || a == "--config" || a == "--port" || a == "--tls-port") && (v = value()) != nullptr) {
      if (a == "--out") o.out = *v;
      if (a == "--config") o.config = *v;
      try {
        if (a == "--port") o.port = std::stoi(*v);
        if (a == "--tls-port") o.tls_port = std::stoi(*v);
      } catch (const std::exception&) {
        std::fprintf(stderr, "parkd-broker-setup: %s needs a port number\n%s", a.c_str(), kUsage);
        return 2;
      }
    } else {
      std::fprintf(stderr, "parkd-broker-setup: unknown or incomplete argument '%s'\n%s", a.c_str(), kUsage);
      return 2;
    }
  }
  if (o.out.empty()) {
    std::fprintf(stderr, "parkd-broker-setup: --out DIR is required\n%s", kUsage);
    return 2;
  }
  try {
    return setup(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parkd-broker-setup: %s\n", e.what());
    return 1;
  }
}
