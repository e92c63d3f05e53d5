// The HTTP side of the Alertmanager receiver (`dbroll serve`), for any
// program embedding the coordinator: a bounded HTTP/1.1 server that routes
// webhook POSTs to an AlertReceiver, answers GET /healthz for probes, and
// runs the receiver's Tick (approval timeouts, summary rows) while serving.
#ifndef DBROLL_ALERT_SERVER_H_
#define DBROLL_ALERT_SERVER_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "dbroll/alerts.h"
#include "dbroll/options.h"
#include "dbroll/status.h"

namespace dbroll {

struct AlertServerOptions {
  std::string host = "127.0.0.1";  // default 127.0.0.1
  int port = 9095;                 // 0 takes a free port (see AlertServer::port); default 9095
  // Token, label match, body limit (also the HTTP server's), redaction.
  AlertReceiverOptions receiver;
  int workers = 4;                                 // handler threads; default 4
  size_t max_connections = 128;                    // more are answered 503 at once; default 128
  std::chrono::milliseconds header_timeout{5000};  // request line + headers, from accept; default 5 s
  std::chrono::milliseconds body_timeout{10000};   // the whole request, from accept; default 10 s
  std::chrono::milliseconds tick_interval{1000};   // how often AlertReceiver::Tick runs; default 1 s
  // Told when a Tick fails (the text says what failed). Default: ignored.
  std::function<void(const std::string&)> on_notice;
};

// "HOST:PORT" (PORT 1..65535) -> {host, port}; kInvalidArgument naming `listen`.
Result<std::pair<std::string, int>> ParseListenAddress(const std::string& listen);

// Options from dbroll.toml: [alerts] listen (default 127.0.0.1:9095),
// token, else token_file (relative to the config's directory, trailing
// whitespace dropped), else $DBROLL_ALERTS_TOKEN; [alerts.match] (required:
// without it any alert would roll back); [alerts] max_body. kInvalidArgument
// for a missing, blank or whitespace-holding token, a missing [alerts.match],
// a bad listen address or max_body.
Result<AlertServerOptions> AlertServerOptionsFromConfig(const Config& config);

class AlertServer {
 public:
  // Neither is owned; both must outlive the server.
  AlertServer(Engine* engine, Coordinator* coordinator, AlertServerOptions options);
  ~AlertServer();
  AlertServer(const AlertServer&) = delete;
  AlertServer& operator=(const AlertServer&) = delete;

  // Listens on host:port. kInvalidArgument when the address cannot be bound.
  Status Bind();
  // The port listened on (the chosen one for port 0); 0 before Bind.
  int port() const;
  // Serves until Stop(): POST /alerts (also /, /api/v1/alerts, /webhook) to
  // the receiver, GET|HEAD /healthz without token or database, 404 / 405
  // (audited) for anything else. Writes the receiver's summary on return.
  void Serve();
  // Thread-safe; async-signal-safe.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dbroll

#endif  // DBROLL_ALERT_SERVER_H_
