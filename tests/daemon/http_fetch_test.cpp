// http_fetch over real loopback sockets: an answer with its status and body, a refused port, and
// a server that never answers (the deadline ends it).
#include "daemon/http_fetch.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/error.hpp>

#include "daemon/http_server.h"

namespace parkd {
namespace {

using namespace std::chrono_literals;
using tcp = boost::asio::ip::tcp;

class HttpFetchTest : public ::testing::Test {
 protected:
  HttpFetchTest() { server.start(); }
  // One fetch, run to its end on this thread.
  HttpFetched fetch(int port, const std::string& target, std::chrono::milliseconds deadline = 2s) {
    HttpFetched out;
    bool done = false;
    http_fetch(io.get_executor(), "127.0.0.1", port, target, deadline,
               [&](HttpFetched answer) {
                 out = std::move(answer);
                 done = true;
               });
    io.restart();
    while (!done && io.run_one_for(5s) > 0) {
    }
    EXPECT_TRUE(done);
    return out;
  }

  boost::asio::io_context io;
  HttpServer server{boost::asio::make_strand(io), "127.0.0.1:0",
                    [](const HttpServer::Request& r, HttpServer::Respond respond) {
                      if (r.target() == "/varz") return respond(HttpReply{200, "application/json", R"({"server_name": "n1"})"});
                      respond(HttpReply{404, "application/json", "{}"});
                    },
                    4};
};

TEST_F(HttpFetchTest, AnAnswerComesWithItsStatusAndBody) {
  const HttpFetched varz = fetch(server.port(), "/varz");
  EXPECT_FALSE(varz.error) << varz.error.message();
  EXPECT_EQ(varz.status, 200);
  EXPECT_EQ(varz.body, R"({"server_name": "n1"})");
  const HttpFetched missing = fetch(server.port(), "/nothing");
  EXPECT_FALSE(missing.error);
  EXPECT_EQ(missing.status, 404);
}

TEST_F(HttpFetchTest, ARefusedPortIsAnError) {
  tcp::acceptor closed(io, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  const int port = closed.local_endpoint().port();
  closed.close();
  const HttpFetched answer = fetch(port, "/varz");
  EXPECT_EQ(answer.error, boost::asio::error::connection_refused) << answer.error.message();
}

TEST_F(HttpFetchTest, AServerThatNeverAnswersEndsAtTheDeadline) {
  // Accepts (the kernel's backlog) and never reads or writes.
  tcp::acceptor silent(io, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  const HttpFetched answer = fetch(silent.local_endpoint().port(), "/varz", 200ms);
  EXPECT_EQ(answer.error, boost::beast::error::timeout) << answer.error.message();
}

}  // namespace
}  // namespace parkd
