// The small HTTP/1.1 server behind AlertServer (dbroll/alert_server.h). It exists because the
// receiver faces the open network: every connection gets a total deadline
// for its headers and its body (a client sending one byte every few seconds
// is cut off), the number of open connections is bounded, and complete
// requests are handled by several workers, so slow or hostile clients never
// hold up an alert. One request per connection (Connection: close).
#ifndef DBROLL_COORDINATOR_HTTP_SERVER_H_
#define DBROLL_COORDINATOR_HTTP_SERVER_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "dbroll/status.h"

namespace dbroll::internal {

struct HttpRequest {
  std::string method, path;  // path without the query string
  std::string authorization;
  std::string body;
  std::string peer;  // "127.0.0.1:53122"
};

struct HttpResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

struct HttpServerOptions {
  int workers = 4;                                 // handler threads; default 4
  size_t max_connections = 128;                    // more are answered 503 at once; default 128
  std::chrono::milliseconds header_timeout{5000};  // request line + headers, from accept; default 5 s
  std::chrono::milliseconds body_timeout{10000};   // the whole request, from accept; default 10 s
  size_t max_header = 16 * 1024;                   // default 16 KiB
  size_t max_body = 256 * 1024;                    // larger: 413; default 256 KiB
};

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;
  // Told about every request answered without the handler (timeout,
  // malformed, too large, too many connections): status and a description.
  using Rejected = std::function<void(int status, const std::string& what)>;

  explicit HttpServer(HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // kInvalidArgument when the address cannot be bound. Port 0 takes a free one.
  Status Bind(const std::string& host, int port);
  // The port bound (the one chosen for port 0); 0 before Bind.
  int port() const;
  // Serves until Stop(); the handler runs on the worker threads and must
  // not throw (an exception is answered 500).
  void Serve(const Handler& handler, const Rejected& rejected);
  // Thread-safe; async-signal-safe.
  void Stop();

 private:
  HttpServerOptions o_;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  std::atomic<bool> stop_{false};
};

}  // namespace dbroll::internal

#endif  // DBROLL_COORDINATOR_HTTP_SERVER_H_
