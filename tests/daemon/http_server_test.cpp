// The HTTP server over real loopback sockets: a client that opens connections without end gets
// the ones beyond the cap closed at once, and the server answers again once connections end.
#include "daemon/http_server.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

namespace parkd {
namespace {

using tcp = boost::asio::ip::tcp;

class HttpServerTest : public ::testing::Test {
 protected:
  HttpServerTest() {
    server.start();
    runner = std::thread([this] { io.run(); });
  }
  ~HttpServerTest() override {
    work.reset();
    io.stop();
    runner.join();
  }
  tcp::socket connect() {
    tcp::socket s(client_io);
    s.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), server.port()));
    return s;
  }
  // A whole GET on a new connection: the status line, or "" when the server closed it unanswered.
  std::string get_status_line() {
    tcp::socket s = connect();
    const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    boost::system::error_code ec;
    boost::asio::write(s, boost::asio::buffer(request), ec);
    std::string answer;
    boost::asio::read(s, boost::asio::dynamic_buffer(answer), ec);  // to EOF
    return answer.substr(0, answer.find("\r\n"));
  }

  boost::asio::io_context io;
  boost::asio::io_context client_io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work = boost::asio::make_work_guard(io);
  HttpServer server{boost::asio::make_strand(io), "127.0.0.1:0",
                    [](const HttpServer::Request&, HttpServer::Respond respond) { respond(HttpReply{200, "text/plain", "ok"}); },
                    4};
  std::thread runner;
};

TEST_F(HttpServerTest, ConnectionsBeyondTheCapAreClosedAndServiceResumesWhenOthersEnd) {
  EXPECT_EQ(get_status_line(), "HTTP/1.1 200 OK");
  std::vector<tcp::socket> idle;
  for (int i = 0; i < 4; ++i) idle.push_back(connect());  // open, silent: they hold their place
  // Give the server the moment to accept them all.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  std::string refused = get_status_line();
  while (!refused.empty() && std::chrono::steady_clock::now() < deadline) refused = get_status_line();
  EXPECT_EQ(refused, "") << "a fifth connection is closed unanswered";
  for (auto& s : idle) s.close();
  std::string line;
  while (line.empty() && std::chrono::steady_clock::now() < deadline + std::chrono::seconds(5)) line = get_status_line();
  EXPECT_EQ(line, "HTTP/1.1 200 OK");
  EXPECT_GE(server.refused_connections(), 1u);
}

// Out of file descriptors (EMFILE), accepting again at once would spin the strand and starve
// the engine: the server waits 100 ms between attempts, and serves again once descriptors free.
TEST_F(HttpServerTest, OutOfFileDescriptorsTheServerWaitsInsteadOfSpinning) {
  // The sanitizers' runtime needs descriptors of its own (UBSan checks memory through a pipe):
  // with none left it reports errors that are its own. The plain build runs this test. (GCC
  // says so with __SANITIZE_*__, clang 14 with __has_feature.)
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "not under the sanitizers";
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
  GTEST_SKIP() << "not under the sanitizers";
#endif
#endif
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  rlimit low = saved;
  low.rlim_cur = std::min<rlim_t>(saved.rlim_cur, 256);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  {
    tcp::socket warm(client_io);  // the client's reactor gets its descriptors before the hog
    warm.open(tcp::v4());
  }
  std::vector<int> hog;
  for (int fd = ::dup(2); fd >= 0; fd = ::dup(2)) hog.push_back(fd);
  ASSERT_FALSE(hog.empty());
  ::close(hog.back());  // one left, for the client: the server has none to accept it with
  hog.pop_back();
  tcp::socket client = connect();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const std::uint64_t errors = server.accept_errors();
  for (int fd : hog) ::close(fd);
  ::setrlimit(RLIMIT_NOFILE, &saved);
  EXPECT_GE(errors, 1u) << "the accept never failed: the test did not exhaust the descriptors";
  EXPECT_LE(errors, 10u) << "about one attempt per 100 ms, not a loop";
  // Descriptors are back: the waiting connection is taken and served.
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  boost::system::error_code ec;
  boost::asio::write(client, boost::asio::buffer(request), ec);
  std::string answer;
  boost::asio::read(client, boost::asio::dynamic_buffer(answer), ec);
  EXPECT_EQ(answer.substr(0, answer.find("\r\n")), "HTTP/1.1 200 OK");
}

}  // namespace
}  // namespace parkd
