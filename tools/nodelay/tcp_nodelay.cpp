// Turns Nagle's algorithm off on every TCP connection the process makes. Paho C 1.3 has no
// option for TCP_NODELAY (paho.mqtt.c issue 530), and with Nagle on both ends a QoS 1
// request/reply through Mosquitto takes about 88 ms instead of well under 1 ms. Linked into an
// executable, this definition of connect() takes precedence over libc's for the shared Paho
// library, sets TCP_NODELAY on the new socket, and otherwise behaves exactly like connect().
// PARKD_TCP_NODELAY=off leaves Nagle on: `bench/run e2e-nagle` uses it to show the difference.
#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace {
using ConnectFn = int (*)(int, const sockaddr*, socklen_t);

ConnectFn real_connect() {
  static const ConnectFn fn = reinterpret_cast<ConnectFn>(dlsym(RTLD_NEXT, "connect"));
  return fn;
}

bool nodelay_wanted() {
  static const bool wanted = [] {
    const char* v = std::getenv("PARKD_TCP_NODELAY");
    return v == nullptr || std::strcmp(v, "off") != 0;
  }();
  return wanted;
}
}  // namespace

extern "C" int connect(int fd, const sockaddr* addr, socklen_t len) {
  const ConnectFn next = real_connect();
  if (next == nullptr) {
    errno = ENOSYS;
    return -1;
  }
  const int rc = next(fd, addr, len);
  const int saved = errno;
  if (nodelay_wanted() && addr != nullptr && (addr->sa_family == AF_INET || addr->sa_family == AF_INET6)) {
    int type = 0;
    socklen_t type_len = sizeof type;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_len) == 0 && type == SOCK_STREAM) {
      const int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
  }
  errno = saved;
  return rc;
}
