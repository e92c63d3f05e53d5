#include "coordinator/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

namespace dbroll::internal {
namespace {

using Clock = std::chrono::steady_clock;

const char* Reason(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

std::string Serialize(const HttpResponse& r) {
  std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + Reason(r.status) + "\r\n";
  out += "Content-Type: " + r.content_type + "\r\n";
  out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  for (const auto& [k, v] : r.headers) out += k + ": " + v + "\r\n";
  out += "Connection: close\r\n\r\n";
  return out + r.body;
}

HttpResponse Plain(int status, const std::string& detail) {
  HttpResponse r;
  r.status = status;
  r.body = "{\"status\": \"rejected\", \"detail\": \"" + detail + "\"}\n";
  return r;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// Sends everything or gives up after the socket's send timeout.
void SendAll(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    sent += static_cast<size_t>(n);
  }
}

struct Conn {
  int fd = -1;
  std::string peer;
  Clock::time_point accepted;
  std::string buf;
  bool have_header = false;
  size_t header_end = 0;
  size_t content_length = 0;
  bool continued = false;
  HttpRequest req;
};

// Parses the header block once it is complete. 0 when fine, else the status to answer.
int ParseHeader(Conn& c, const HttpServerOptions& o) {
  const std::string head = c.buf.substr(0, c.header_end);
  size_t eol = head.find("\r\n");
  const std::string line = head.substr(0, eol);
  const size_t sp1 = line.find(' ');
  const size_t sp2 = line.find(' ', sp1 == std::string::npos ? 0 : sp1 + 1);
  if (sp1 == std::string::npos || sp2 == std::string::npos || line.compare(sp2 + 1, 5, "HTTP/") != 0) return 400;
  c.req.method = line.substr(0, sp1);
  c.req.path = line.substr(sp1 + 1, sp2 - sp1 - 1);
  c.req.path = c.req.path.substr(0, c.req.path.find('?'));
  c.req.peer = c.peer;
  bool has_length = false;
  size_t pos = eol == std::string::npos ? head.size() : eol + 2;
  while (pos < head.size()) {
    size_t end = head.find("\r\n", pos);
    if (end == std::string::npos) end = head.size();
    const std::string h = head.substr(pos, end - pos);
    pos = end + 2;
    const size_t colon = h.find(':');
    if (colon == std::string::npos) return 400;
    const std::string name = Lower(Trim(h.substr(0, colon)));
    const std::string value = Trim(h.substr(colon + 1));
    if (name == "content-length") {
      char* stop = nullptr;
      const unsigned long long n = std::strtoull(value.c_str(), &stop, 10);
      if (value.empty() || *stop != '\0') return 400;
      if (n > o.max_body) return 413;
      c.content_length = static_cast<size_t>(n);
      has_length = true;
    } else if (name == "transfer-encoding") {
      return 411;  // senders of webhooks give a length
    } else if (name == "authorization") {
      c.req.authorization = value;
    } else if (name == "expect" && Lower(value) == "100-continue") {
      c.continued = true;  // answered once the header is accepted
    }
  }
  if (!has_length && c.req.method == "POST") return 411;
  return 0;
}

}  // namespace

HttpServer::HttpServer(HttpServerOptions options) : o_(std::move(options)) {}

HttpServer::~HttpServer() {
  if (listen_fd_ >= 0) ::close(listen_fd_);
  for (int fd : wake_) {
    if (fd >= 0) ::close(fd);
  }
}

Status HttpServer::Bind(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  const std::string where = host + ":" + std::to_string(port);
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0 || !res) {
    return Status(Code::kInvalidArgument, "cannot listen on " + where + ": the host name does not resolve");
  }
  int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int one = 1;
  if (fd >= 0) ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const bool ok = fd >= 0 && ::bind(fd, res->ai_addr, res->ai_addrlen) == 0 && ::listen(fd, 256) == 0;
  const int err = errno;
  ::freeaddrinfo(res);
  if (!ok) {
    if (fd >= 0) ::close(fd);
    return Status(Code::kInvalidArgument,
                  "cannot listen on " + where + ": " + std::strerror(err) + " -- is the port in use?");
  }
  listen_fd_ = fd;
  if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) {
    return Status(Code::kInternal, std::string("pipe: ") + std::strerror(errno));
  }
  return Status::Ok();
}

int HttpServer::port() const {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (listen_fd_ < 0 || ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
  return ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
}

void HttpServer::Stop() {
  stop_.store(true);
  if (wake_[1] >= 0) (void)!::write(wake_[1], "x", 1);
}

void HttpServer::Serve(const Handler& handler, const Rejected& rejected) {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Conn> ready;
  bool done = false;
  std::vector<std::thread> workers;
  for (int i = 0; i < std::max(1, o_.workers); ++i) {
    workers.emplace_back([&] {
      for (;;) {
        Conn c;
        {
          std::unique_lock<std::mutex> lock(mu);
          cv.wait(lock, [&] { return done || !ready.empty(); });
          if (ready.empty()) return;
          c = std::move(ready.front());
          ready.pop_front();
        }
        HttpResponse r;
        try {
          r = handler(c.req);
        } catch (...) {
          r = Plain(500, "internal error");
        }
        SendAll(c.fd, Serialize(r));
        ::close(c.fd);
      }
    });
  }

  std::map<int, Conn> conns;
  auto reject = [&](int fd, int status, const std::string& what) {
    SendAll(fd, Serialize(Plain(status, Reason(status))));
    ::close(fd);
    if (rejected) rejected(status, what);
  };
  while (!stop_.load()) {
    std::vector<pollfd> fds;
    fds.push_back({listen_fd_, POLLIN, 0});
    fds.push_back({wake_[0], POLLIN, 0});
    for (const auto& [fd, c] : conns) fds.push_back({fd, POLLIN, 0});
    ::poll(fds.data(), fds.size(), 100);
    if (stop_.load()) break;
    const auto now = Clock::now();
    if (fds[0].revents & POLLIN) {
      for (;;) {
        sockaddr_storage addr{};
        socklen_t len = sizeof addr;
        int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) break;
        // Responses are written blocking, with a bound.
        timeval tv{5, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        char host[NI_MAXHOST] = "?", serv[NI_MAXSERV] = "?";
        ::getnameinfo(reinterpret_cast<sockaddr*>(&addr), len, host, sizeof host, serv, sizeof serv,
                      NI_NUMERICHOST | NI_NUMERICSERV);
        const std::string peer = std::string(host) + ":" + serv;
        if (conns.size() >= o_.max_connections) {
          reject(fd, 503, "connection from " + peer + ": too many open connections");
          continue;
        }
        Conn c;
        c.fd = fd;
        c.peer = peer;
        c.accepted = now;
        conns.emplace(fd, std::move(c));
      }
    }
    for (size_t i = 2; i < fds.size(); ++i) {
      auto it = conns.find(fds[i].fd);
      if (it == conns.end()) continue;
      Conn& c = it->second;
      int answer = 0;
      std::string what;
      bool closed = false;
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
        char buf[8192];
        ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
        if (n > 0) {
          c.buf.append(buf, static_cast<size_t>(n));
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
          closed = true;
        }
      }
      if (!closed && !c.have_header) {
        const size_t end = c.buf.find("\r\n\r\n");
        if (end != std::string::npos) {
          c.have_header = true;
          c.header_end = end;
          answer = ParseHeader(c, o_);
          what = "malformed request";
          if (answer == 413) what = "body over " + std::to_string(o_.max_body) + " bytes";
          if (answer == 0 && c.continued && c.buf.size() < c.header_end + 4 + c.content_length) {
            SendAll(c.fd, "HTTP/1.1 100 Continue\r\n\r\n");
          }
        } else if (c.buf.size() > o_.max_header) {
          answer = 431;
          what = "headers over " + std::to_string(o_.max_header) + " bytes";
        } else if (now - c.accepted > o_.header_timeout) {
          answer = 408;
          what = "headers not complete within " + std::to_string(o_.header_timeout.count()) + " ms";
        }
      }
      if (!closed && answer == 0 && c.have_header) {
        const size_t need = c.header_end + 4 + c.content_length;
        if (c.buf.size() >= need) {
          c.req.body = c.buf.substr(c.header_end + 4, c.content_length);
          Conn done_conn = std::move(c);
          conns.erase(it);
          {
            std::lock_guard<std::mutex> lock(mu);
            ready.push_back(std::move(done_conn));
          }
          cv.notify_one();
          continue;
        }
        if (now - c.accepted > o_.body_timeout) {
          answer = 408;
          what = "body not complete within " + std::to_string(o_.body_timeout.count()) + " ms";
        }
      }
      if (closed) {
        ::close(c.fd);
        conns.erase(it);
      } else if (answer != 0) {
        const int fd = c.fd;
        const std::string peer = c.peer;
        const std::string line = c.req.method.empty() ? std::string() : " " + c.req.method + " " + c.req.path;
        conns.erase(it);
        reject(fd, answer, "request from " + peer + line + ": " + what);
      }
    }
  }
  for (auto& [fd, c] : conns) ::close(fd);
  {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
  }
  cv.notify_all();
  for (auto& t : workers) t.join();
}

}  // namespace dbroll::internal
