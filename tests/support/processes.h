// Real processes for integration tests: a Mosquitto broker on a free loopback port with a
// generated configuration, and any of the project's binaries, with their output in a file.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace parkd::test {

// A fresh temporary folder, removed with the object.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A wait's bound, stretched by PARKD_TEST_TIME_SCALE (tools/test.sh sets it for the sanitizer
// builds, which run several times slower): a bound says "something is wrong", never "fast enough".
std::chrono::milliseconds scaled(std::chrono::milliseconds bound);

int free_loopback_port();
bool wait_for_port(int port, std::chrono::milliseconds timeout);

class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts `argv[0]` with `argv`, stdout and stderr appended to `log` (stderr to `err_log`
  // when given), in `workdir`.
  void start(const std::vector<std::string>& argv, const std::filesystem::path& log,
             const std::filesystem::path& workdir = {}, const std::filesystem::path& err_log = {});
  bool running();
  void signal(int sig);
  // Waits for the exit; returns the exit code, 128 + signal, or -1 on timeout.
  int wait(std::chrono::milliseconds timeout);
  // SIGTERM, then SIGKILL after `grace`.
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int status_ = 0;
  bool exited_ = false;
};

// A Mosquitto broker with the project's shipped settings (config/mosquitto/parkd-broker.conf).
class Broker {
 public:
  explicit Broker(const std::filesystem::path& dir);
  // A broker with a configuration of its own (listeners included) whose plain port is `port`.
  Broker(const std::filesystem::path& dir, const std::filesystem::path& config, int port);
  ~Broker();
  void start();  // waits until the port accepts connections
  void stop();
  int port() const { return port_; }
  std::string uri() const { return "tcp://127.0.0.1:" + std::to_string(port_); }
  pid_t pid() const { return process_.pid(); }

 private:
  std::filesystem::path dir_;
  std::filesystem::path config_;
  int port_;
  ChildProcess process_;
};

// A Mosquitto whose dynamic security plugin refuses anonymous clients a SUBSCRIBE to one filter
// (SUBACK 0x80; Mosquitto 2.0's ACL file grants every SUBSCRIBE and filters at delivery), until
// grant() lifts it as the broker's operator would: the plugin then disconnects the clients of
// the changed group so that they log in again under the new rules. An empty filter refuses nothing.
class RefusingBroker {
 public:
  RefusingBroker(const std::filesystem::path& dir, const std::string& refused_filter);
  void start() { broker_.start(); }
  std::string uri() const { return broker_.uri(); }
  void grant();
  // From now on the broker grants subscriptions matching `topic` but delivers nothing on it to
  // anonymous clients (publishClientReceive denied): a subscription that stalls unseen, as a
  // NATS node's JetStream consumer was seen to. The plugin disconnects the clients first.
  void stop_delivering(const std::string& topic);
  void deliver_again(const std::string& topic);

 private:
  static int write_config(const std::filesystem::path& dir, const std::string& refused_filter);
  void control(const std::string& commands);  // JSON commands to the plugin, as its admin
  std::string refused_filter_;
  Broker broker_;
};

// A command run to its end: exit code (128 + signal; -1 when it outlived the timeout and was
// killed), and what it wrote to stdout and stderr.
struct Finished {
  int code = -1;
  std::string out;
  std::string err;
};
Finished run_to_end(const std::vector<std::string>& argv, const std::filesystem::path& scratch_dir,
                    std::chrono::milliseconds timeout = std::chrono::seconds(30));

struct HttpResult {
  int status = 0;  // 0 when nothing answered
  std::string body;
  std::string headers;  // the response's header lines, as sent
  // The value of the first header field `name` (case as sent), or "".
  std::string header(const std::string& name) const;
};
// A plain HTTP/1.1 request on 127.0.0.1:port; `headers` are whole lines ("Cookie: a=b").
HttpResult http_request(int port, const std::string& method, const std::string& path,
                        const std::vector<std::string>& headers = {}, const std::string& body = "");
// A GET, with `Authorization: Bearer <token>` when a token is given.
HttpResult http_get(int port, const std::string& path, const std::string& token = "");

// The value of a sample in a /metrics page ("name{labels}"), or -1 when it is not there.
double metric_value(const std::string& page, const std::string& sample);

std::string read_file(const std::filesystem::path& path);
// A process's resident memory (VmRSS) in kB; 0 when it is gone.
long rss_kb(pid_t pid);
std::filesystem::path binary_dir();  // where parkd and the tools are built
std::filesystem::path source_dir();

}  // namespace parkd::test
