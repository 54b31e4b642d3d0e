// A Server-Sent Events client for tests: a raw socket to parkd's /v1/events, read with a
// timeout, events parsed as browsers do (event: / data: lines, a blank line ends one).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace parkd::test {

struct ServerEvent {
  std::string type;  // "message" when the event names none
  std::string data;
};

class EventStreamClient {
 public:
  // Connects to 127.0.0.1:port and sends the GET with these header lines. A `receive_buffer`
  // above 0 shrinks the socket's buffer (a client that reads slowly fills it soon).
  EventStreamClient(int port, const std::string& path, const std::vector<std::string>& headers,
                    int receive_buffer = 0);
  ~EventStreamClient();
  EventStreamClient(const EventStreamClient&) = delete;
  EventStreamClient& operator=(const EventStreamClient&) = delete;

  // The response's status (reads the head if not yet read); 0 when nothing came.
  int status(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // The first event (received so far or within `timeout`) that `match` accepts; the events
  // before it are consumed.
  std::optional<ServerEvent> wait_for(const std::function<bool(const ServerEvent&)>& match,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Reads what arrives within `timeout` without keeping it; answers how many events ended in it
  // (a load generator's reader: parsing each event would cost it more than parkd's writing).
  std::size_t skim(std::chrono::milliseconds timeout);
  // Whether parkd closed the connection (reads what is pending, waiting at most `timeout`).
  bool closed_by_server(std::chrono::milliseconds timeout);

 private:
  bool read_some(std::chrono::milliseconds timeout);  // false on timeout or end
  std::optional<ServerEvent> take_event();

  int fd_ = -1;
  bool ended_ = false;
  int status_ = 0;
  bool head_read_ = false;
  std::string buffer_;
  char last_ = 0;  // skim(): the byte before what it reads next
};

}  // namespace parkd::test
