// Process, port and broker helpers for the integration tests.
#include "support/processes.h"

#include "support/mqtt_probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace parkd::test {

TempDir::TempDir() {
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() / ("parkd-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::chrono::milliseconds scaled(std::chrono::milliseconds bound) {
  static const double scale = [] {
    const char* v = std::getenv("PARKD_TEST_TIME_SCALE");
    const double x = v != nullptr ? std::atof(v) : 1.0;
    return x >= 1.0 ? x : 1.0;
  }();
  return std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(bound.count()) * scale));
}

namespace {
bool bindable(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int on = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);  // as the broker and parkd bind
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}
}  // namespace

int free_loopback_port() {
  // Not an ephemeral port (the kernel hands those to every outgoing connection, so one could
  // be taken between this check and the broker's bind), and claimed with a lock file that this
  // process holds until it ends, so tests running in parallel (ctest -j) never pick the same.
  static std::mt19937 rng(std::random_device{}() ^ static_cast<unsigned>(::getpid()));
  for (int attempt = 0; attempt < 500; ++attempt) {
    const int port = 20'000 + static_cast<int>(rng() % 12'000);
    const std::string lock = "/tmp/parkd-test-port-" + std::to_string(port) + ".lock";
    const int fd = ::open(lock.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) continue;
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0 || !bindable(port)) {
      ::close(fd);
      continue;
    }
    return port;  // the descriptor stays open: the claim lasts as long as this process
  }
  throw std::runtime_error("cannot find a free loopback port between 20000 and 32000");
}

bool wait_for_port(int port, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + scaled(timeout);
  while (std::chrono::steady_clock::now() < deadline) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (ok) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exited_) stop(std::chrono::seconds(2));
}

void ChildProcess::start(const std::vector<std::string>& argv, const std::filesystem::path& log,
                         const std::filesystem::path& workdir, const std::filesystem::path& err_log) {
  exited_ = false;
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // A test that aborts (a crash, a ctest timeout) takes its broker and parkd with it instead of
    // leaving them running. The signal follows the thread that forked: tests start processes
    // from their main thread only.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(125);  // the test was already gone
    const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(out, 1);
    ::dup2(err_log.empty() ? out : ::open(err_log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644), 2);
    if (!workdir.empty() && ::chdir(workdir.c_str()) != 0) ::_exit(126);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
}

bool ChildProcess::running() {
  if (pid_ <= 0 || exited_) return false;
  return wait(std::chrono::milliseconds(0)) == -1;
}

void ChildProcess::signal(int sig) {
  if (pid_ > 0 && !exited_) ::kill(pid_, sig);
}

int ChildProcess::wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  const auto deadline = std::chrono::steady_clock::now() + scaled(timeout);
  while (!exited_) {
    const pid_t r = ::waitpid(pid_, &status_, WNOHANG);
    if (r == pid_) {
      exited_ = true;
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (WIFEXITED(status_)) return WEXITSTATUS(status_);
  if (WIFSIGNALED(status_)) return 128 + WTERMSIG(status_);
  return -1;
}

int ChildProcess::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0 || exited_) return wait(std::chrono::milliseconds(0));
  signal(SIGTERM);
  int rc = wait(grace);
  if (rc == -1) {
    signal(SIGKILL);
    rc = wait(std::chrono::seconds(5));
  }
  return rc;
}

Broker::Broker(const std::filesystem::path& dir, const std::filesystem::path& config, int port)
    : dir_(dir), config_(config), port_(port) {
  std::filesystem::create_directories(dir_);
}

Broker::Broker(const std::filesystem::path& dir) : dir_(dir), config_(dir / "mosquitto.conf"), port_(free_loopback_port()) {
  std::filesystem::create_directories(dir_ / "persistence");
  std::ofstream conf(dir_ / "mosquitto.conf");
  conf << read_file(source_dir() / "config/mosquitto/parkd-broker.conf");
  conf << "\nlistener " << port_ << " 127.0.0.1\n";
  conf << "persistence_location " << (dir_ / "persistence").string() << "/\n";
  // Started as root, Mosquitto switches to its own user, and the kernel then forgets the
  // parent-death signal: a test's broker would outlive an aborted test. Tests keep it as root.
  conf << "user root\n";
}

Broker::~Broker() { stop(); }

int RefusingBroker::write_config(const std::filesystem::path& dir, const std::string& refused_filter) {
  if (std::string(PARKD_MOSQUITTO_DYNSEC_PLUGIN).empty()) {
    throw std::runtime_error("mosquitto_dynamic_security.so was not found when the tests were configured");
  }
  std::filesystem::create_directories(dir);
  // "admin" (password admin-secret: PBKDF2-SHA512, 101 rounds, the 12-byte salt "parkd-tests!")
  // may change the roles over $CONTROL; anonymous clients are in the group "devices".
  std::ofstream(dir / "dynsec.json") << R"({
  "defaultACLAccess": {"publishClientSend": true, "publishClientReceive": true, "subscribe": true, "unsubscribe": true},
  "clients": [{"username": "admin", "iterations": 101, "salt": "cGFya2QtdGVzdHMh",
               "password": "BQJDRW8boEgGl+IlZJ+B89/+TwQELx3BKvjSxbo3FG4fWn13wb5l0TgtfgzMmQzWTubb2Tv7dWMIskyq3ggcXw==",
               "roles": [{"rolename": "admin"}]}],
  "groups": [{"groupname": "devices", "roles": [{"rolename": "devices"}]}],
  "roles": [{"rolename": "devices", "acls": [)"
                                     << (refused_filter.empty() ? std::string()
                                                                : R"({"acltype": "subscribePattern", "topic": ")" +
                                                                      refused_filter + R"(", "allow": false})")
                                     << R"(]},
            {"rolename": "admin", "acls": [{"acltype": "publishClientSend", "topic": "$CONTROL/dynamic-security/#", "allow": true}]}],
  "anonymousGroup": "devices"
})";
  const int port = free_loopback_port();
  std::ofstream(dir / "mosquitto.conf") << "listener " << port << " 127.0.0.1\nallow_anonymous true\n"
                                        << "plugin " << PARKD_MOSQUITTO_DYNSEC_PLUGIN << "\n"
                                        << "plugin_opt_config_file " << (dir / "dynsec.json").string() << "\n"
                                        << "persistence false\nuser root\n";
  return port;
}

RefusingBroker::RefusingBroker(const std::filesystem::path& dir, const std::string& refused_filter)
    : refused_filter_(refused_filter), broker_(dir, dir / "mosquitto.conf", write_config(dir, refused_filter)) {}

void RefusingBroker::control(const std::string& commands) {
  MqttProbe admin(uri(), "admin", ProbeLogin{"admin", "admin-secret", ""});
  admin.publish("$CONTROL/dynamic-security/v1", R"({"commands": [)" + commands + "]}");
}

void RefusingBroker::grant() {
  control(R"({"command": "removeRoleACL", "rolename": "devices", "acltype": "subscribePattern", "topic": ")" +
          refused_filter_ + R"("})");
}

void RefusingBroker::stop_delivering(const std::string& topic) {
  control(R"({"command": "addRoleACL", "rolename": "devices", "acltype": "publishClientReceive", "topic": ")" + topic +
          R"(", "allow": false, "priority": 10})");
}

void RefusingBroker::deliver_again(const std::string& topic) {
  control(R"({"command": "removeRoleACL", "rolename": "devices", "acltype": "publishClientReceive", "topic": ")" + topic +
          R"("})");
}

void Broker::start() {
  process_.start({"mosquitto", "-c", config_.string()}, dir_ / "mosquitto.log");
  if (!wait_for_port(port_, std::chrono::seconds(10))) {
    throw std::runtime_error("mosquitto did not start: " + read_file(dir_ / "mosquitto.log"));
  }
}

void Broker::stop() { process_.stop(std::chrono::seconds(5)); }

std::string HttpResult::header(const std::string& name) const {
  std::istringstream lines(headers);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.size() > name.size() && line.compare(0, name.size(), name) == 0 && line[name.size()] == ':') {
      const auto start = line.find_first_not_of(' ', name.size() + 1);
      return start == std::string::npos ? std::string() : line.substr(start);
    }
  }
  return {};
}

HttpResult http_request(int port, const std::string& method, const std::string& path,
                        const std::vector<std::string>& headers, const std::string& body) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  HttpResult result;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return result;
  }
  std::string request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (const std::string& h : headers) request += h + "\r\n";
  if (!body.empty() || method == "POST") request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  request += "\r\n" + body;
  if (::write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
    ::close(fd);
    return result;
  }
  // Until the server closes, or the body has its Content-Length (chromedriver keeps the connection).
  std::string response;
  char buf[4096];
  ssize_t n = 0;
  std::optional<std::size_t> expected;
  while ((!expected || response.size() < *expected) && (n = ::read(fd, buf, sizeof buf)) > 0) {
    response.append(buf, static_cast<std::size_t>(n));
    const auto head_end = response.find("\r\n\r\n");
    if (!expected && head_end != std::string::npos) {
      std::string head = response.substr(0, head_end);
      for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const auto at = head.find("\r\ncontent-length:");
      if (at != std::string::npos) expected = head_end + 4 + std::stoul(head.substr(at + 17));
    }
  }
  ::close(fd);
  if (response.rfind("HTTP/1.1 ", 0) == 0) result.status = std::stoi(response.substr(9, 3));
  const auto end_of_headers = response.find("\r\n\r\n");
  if (end_of_headers != std::string::npos) {
    const auto first_line_end = response.find("\r\n");
    result.headers = response.substr(first_line_end + 2, end_of_headers - first_line_end);
    result.body = response.substr(end_of_headers + 4);
  }
  return result;
}

HttpResult http_get(int port, const std::string& path, const std::string& token) {
  std::vector<std::string> headers;
  if (!token.empty()) headers.push_back("Authorization: Bearer " + token);
  return http_request(port, "GET", path, headers);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Finished run_to_end(const std::vector<std::string>& argv, const std::filesystem::path& scratch_dir,
                    std::chrono::milliseconds timeout) {
  static int counter = 0;
  const auto out = scratch_dir / ("run-" + std::to_string(++counter) + ".out");
  const auto err = scratch_dir / ("run-" + std::to_string(counter) + ".err");
  ChildProcess child;
  child.start(argv, out, {}, err);
  Finished f;
  f.code = child.wait(timeout);
  if (f.code == -1) child.stop(std::chrono::milliseconds(0));
  f.out = read_file(out);
  f.err = read_file(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return f;
}

std::filesystem::path binary_dir() { return PARKD_BINARY_DIR; }
std::filesystem::path source_dir() { return PARKD_SOURCE_DIR; }

long rss_kb(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  long value = 0;
  while (status >> key) {
    if (key == "VmRSS:") {
      status >> value;
      return value;
    }
    status.ignore(1 << 12, '\n');
  }
  return 0;
}

double metric_value(const std::string& page, const std::string& sample) {
  const auto at = page.find("\n" + sample + " ");
  return at == std::string::npos ? -1 : std::stod(page.substr(at + sample.size() + 2));
}

}  // namespace parkd::test
