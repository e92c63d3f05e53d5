#include "dbroll/alert_server.h"

#include <cctype>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "coordinator/http_server.h"

namespace dbroll {
namespace {

Result<std::string> Token(const Config& cfg) {
  std::string token = cfg.Get("alerts", "token");
  const std::string file = cfg.Get("alerts", "token_file");
  if (token.empty() && !file.empty()) {
    std::filesystem::path p(file);
    if (p.is_relative() && !cfg.engine.base_dir.empty()) p = std::filesystem::path(cfg.engine.base_dir) / p;
    std::ifstream in(p);
    if (!in) return Status(Code::kInvalidArgument, "[alerts] token_file " + p.string() + " cannot be read");
    std::stringstream ss;
    ss << in.rdbuf();
    token = ss.str();
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  }
  if (token.empty()) {
    if (const char* env = std::getenv("DBROLL_ALERTS_TOKEN")) token = env;
  }
  if (token.empty()) {
    return Status(Code::kInvalidArgument,
                  "the alert receiver needs a bearer token: [alerts] token, [alerts] token_file or "
                  "DBROLL_ALERTS_TOKEN");
  }
  if (token.find_first_not_of(" \t\r\n\f\v") == std::string::npos) {
    return Status(Code::kInvalidArgument,
                  "[alerts] token is only whitespace, which any sender could guess -- set a random token, e.g. "
                  "openssl rand -hex 32");
  }
  if (token.find_first_of(" \t\r\n") != std::string::npos) {
    return Status(Code::kInvalidArgument,
                  "[alerts] token contains whitespace, which an Authorization header cannot carry intact -- use a "
                  "token without spaces, e.g. openssl rand -hex 32");
  }
  return token;
}

}  // namespace

Result<std::pair<std::string, int>> ParseListenAddress(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  int port = colon == std::string::npos ? 0 : std::atoi(listen.c_str() + colon + 1);
  if (colon == std::string::npos || colon == 0 || port <= 0 || port > 65535) {
    return Status(Code::kInvalidArgument, listen + ": use HOST:PORT, e.g. 127.0.0.1:9095");
  }
  return std::make_pair(listen.substr(0, colon), port);
}

Result<AlertServerOptions> AlertServerOptionsFromConfig(const Config& config) {
  AlertServerOptions o;
  auto listen = ParseListenAddress(config.Get("alerts", "listen", "127.0.0.1:9095"));
  if (!listen.ok()) return Status(listen.status()).Prepend("[alerts] listen ");
  o.host = listen->first;
  o.port = listen->second;
  auto token = Token(config);
  if (!token.ok()) return token.status();
  o.receiver.token = token.value();
  if (auto match = config.sections.find("alerts.match"); match != config.sections.end()) {
    o.receiver.match = match->second;
  }
  if (o.receiver.match.empty()) {
    // Without a rule any alert (a full disk, a certificate about to expire)
    // would roll back the last deploy.
    return Status(Code::kInvalidArgument,
                  "[alerts.match] is missing: the alert receiver rolls back only for alerts carrying the labels "
                  "it names, e.g. [alerts.match] alertname = \"HighErrorRate\" (or match = { release = "
                  "\"...\" }) -- add it to dbroll.toml; see docs/alerts.md");
  }
  const std::string max_body = config.Get("alerts", "max_body");
  if (!max_body.empty()) {
    const long long n = std::atoll(max_body.c_str());
    if (n < 1) return Status(Code::kInvalidArgument, "[alerts] max_body must be at least 1, not " + max_body);
    o.receiver.max_body = static_cast<size_t>(n);
  }
  return o;
}

struct AlertServer::Impl {
  Impl(Engine* engine, Coordinator* coordinator, AlertServerOptions o)
      : options(std::move(o)), receiver(engine, coordinator, options.receiver), http([&] {
          internal::HttpServerOptions h;
          h.workers = options.workers;
          h.max_connections = options.max_connections;
          h.header_timeout = options.header_timeout;
          h.body_timeout = options.body_timeout;
          h.max_body = options.receiver.max_body;
          return h;
        }()) {}

  internal::HttpResponse Route(const internal::HttpRequest& req) {
    static const std::set<std::string> kAlertPaths = {"/", "/alerts", "/api/v1/alerts", "/webhook"};
    internal::HttpResponse res;
    if (req.path == "/healthz") {
      // For load balancers and probes: no token, no database.
      if (req.method != "GET" && req.method != "HEAD") {
        res.status = 405;
        res.body = "{\"status\": \"method-not-allowed\"}\n";
        return res;
      }
      res.body = "{\"status\": \"ok\"}\n";
      return res;
    }
    if (!kAlertPaths.count(req.path) || req.method != "POST") {
      res.status = kAlertPaths.count(req.path) ? 405 : 404;
      receiver.Audit(req.method + " " + req.path + " from " + req.peer, res.status);
      res.body = std::string("{\"status\": \"") + (res.status == 404 ? "not-found" : "method-not-allowed") +
                 "\", \"detail\": \"POST alerts to /alerts\"}\n";
      return res;
    }
    AlertReply r = receiver.Handle(req.authorization, req.body, req.peer + " " + req.path);
    res.status = r.http_status;
    if (r.http_status == 401) res.headers.emplace_back("WWW-Authenticate", "Bearer");
    res.body = r.body + "\n";
    return res;
  }

  AlertServerOptions options;
  AlertReceiver receiver;
  internal::HttpServer http;
};

AlertServer::AlertServer(Engine* engine, Coordinator* coordinator, AlertServerOptions options)
    : impl_(std::make_unique<Impl>(engine, coordinator, std::move(options))) {}

AlertServer::~AlertServer() = default;

Status AlertServer::Bind() { return impl_->http.Bind(impl_->options.host, impl_->options.port); }

int AlertServer::port() const { return impl_->http.port(); }

void AlertServer::Stop() { impl_->http.Stop(); }

void AlertServer::Serve() {
  Impl& s = *impl_;
  bool done = false;
  std::mutex mu;
  std::condition_variable cv;
  std::thread ticker([&] {
    std::unique_lock<std::mutex> lock(mu);
    while (!cv.wait_for(lock, s.options.tick_interval, [&] { return done; })) {
      Status t = s.receiver.Tick();
      if (!t.ok() && s.options.on_notice) s.options.on_notice("approval timeout check failed: " + t.message());
    }
  });
  s.http.Serve([&s](const internal::HttpRequest& req) { return s.Route(req); },
               [&s](int status, const std::string& what) { s.receiver.Audit(what, status); });
  {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
  }
  cv.notify_all();
  ticker.join();
  s.receiver.FlushSummary();
}

}  // namespace dbroll
