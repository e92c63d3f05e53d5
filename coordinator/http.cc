// The HTTP health gate and the webhook notifier: the only file that includes curl.
#include <curl/curl.h>

#include <mutex>
#include <thread>

#include "coordinator/internal.h"
#include "dbroll/deploy_hooks.h"

namespace dbroll {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kKeepBody = 512;

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Sink {
  std::string* body;
  size_t keep;
};

size_t KeepBody(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  if (sink->body->size() < sink->keep) sink->body->append(data, std::min(size * n, sink->keep - sink->body->size()));
  return size * n;
}

using Answer = internal::HttpAnswer;

class Easy {
 public:
  Easy() : h_(curl_easy_init()) {}
  Easy(const Easy&) = delete;
  Easy& operator=(const Easy&) = delete;
  ~Easy() {
    if (h_) curl_easy_cleanup(h_);
  }
  CURL* get() const { return h_; }

 private:
  CURL* h_;
};

Answer Request(const std::string& url, std::chrono::milliseconds timeout, const std::string* post_json,
               size_t keep = kKeepBody) {
  GlobalInit();
  Answer a;
  Easy easy;
  if (!easy.get()) {
    a.error = "curl_easy_init failed";
    return a;
  }
  CURL* h = easy.get();
  curl_slist* headers = nullptr;
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &KeepBody);
  Sink sink{&a.body, keep};
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  if (post_json) {
    headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, post_json->c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(post_json->size()));
  }
  CURLcode rc = curl_easy_perform(h);
  if (rc == CURLE_OK) {
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a.http);
  } else {
    // curl_easy_strerror names the kind of failure only; the error buffer
    // would quote the URL, and a webhook URL is a secret.
    a.error = curl_easy_strerror(rc);
  }
  curl_slist_free_all(headers);
  return a;
}

}  // namespace

namespace internal {

HttpAnswer HttpGet(const std::string& url, std::chrono::milliseconds timeout, size_t max_body) {
  return Request(url, timeout, nullptr, max_body);
}

std::string UrlEncode(const std::string& text) {
  std::string out;
  static const char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// scheme://host[:port]/path: no credentials, no query string.
std::string ShownUrl(const std::string& url) {
  std::string out = url;
  size_t scheme = out.find("://");
  size_t host = scheme == std::string::npos ? 0 : scheme + 3;
  size_t at = out.find('@', host);
  size_t slash = out.find('/', host);
  if (at != std::string::npos && (slash == std::string::npos || at < slash)) out.erase(host, at + 1 - host);
  size_t q = out.find_first_of("?#");
  if (q != std::string::npos) out.erase(q);
  return out;
}

}  // namespace internal

namespace {

using internal::ShownUrl;

std::string Describe(const Answer& a) {
  if (a.http == 0) return a.error;
  std::string body = a.body.substr(0, 120);
  for (char& c : body) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return "HTTP " + std::to_string(a.http) + (body.empty() ? "" : " \"" + body + "\"");
}

class HttpHealthGate : public HealthGate {
 public:
  explicit HttpHealthGate(HttpHealthOptions o) : o_(std::move(o)) {}

  Status Check(const DeployContext& ctx) override {
    if (o_.url.empty()) return Status(Code::kInvalidArgument, "the HTTP health gate needs [deploy] health_url");
    const auto start = Clock::now();
    const auto deadline = start + o_.timeout;
    // One answer may take up to the interval, but at least a second so a
    // slow-starting app on a short interval is not cut off mid-answer.
    const auto per_request = std::max(o_.interval, std::chrono::milliseconds(1000));
    int streak = 0, checks = 0;
    Answer last;
    for (;;) {
      const auto t0 = Clock::now();
      last = Request(o_.url, std::min(per_request, std::max(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                                   deadline - t0),
                                                               std::chrono::milliseconds(100))),
                     nullptr);
      ++checks;
      streak = (last.http >= 200 && last.http < 300) ? streak + 1 : 0;
      if (streak >= o_.healthy_after) return Status::Ok();
      const auto next = t0 + o_.interval;
      if (next >= deadline) break;
      // Sleep in short slices so a stop (signal, rollback elsewhere) is seen soon.
      while (Clock::now() < next) {
        if (ctx.stop && ctx.stop()) {
          return Status(Code::kCheckFailed, ShownUrl(o_.url) +
                                                " was not checked to the end: the deploy is stopping "
                                                "or was rolled back by another process");
        }
        std::this_thread::sleep_until(std::min(next, Clock::now() + std::chrono::milliseconds(100)));
      }
    }
    return Status(Code::kCheckFailed,
                  ShownUrl(o_.url) + " was not healthy within " + std::to_string(o_.timeout.count()) +
                      " ms: last answer " + Describe(last) + " (" + std::to_string(streak) + "/" +
                      std::to_string(o_.healthy_after) + " consecutive 2xx after " + std::to_string(checks) +
                      " checks)");
  }

 private:
  HttpHealthOptions o_;
};

class WebhookNotifier : public Notifier {
 public:
  WebhookNotifier(std::string url, std::chrono::milliseconds timeout,
                  std::function<std::string(const std::string&)> redact)
      : url_(std::move(url)), timeout_(timeout), redact_(std::move(redact)) {}

  Status Notify(const DeployEvent& e) override {
    const std::string body = redact_ ? redact_(DeployEventJson(e)) : DeployEventJson(e);
    Answer a = Request(url_, timeout_, &body);
    if (a.http >= 200 && a.http < 300) return Status::Ok();
    // Never the URL: it carries the token.
    return Status(Code::kConnectionLost, "webhook notification failed: " + Describe(a));
  }

 private:
  std::string url_;
  std::chrono::milliseconds timeout_;
  std::function<std::string(const std::string&)> redact_;
};

}  // namespace

std::unique_ptr<HealthGate> NewHttpHealthGate(HttpHealthOptions options) {
  return std::make_unique<HttpHealthGate>(std::move(options));
}

std::unique_ptr<Notifier> NewWebhookNotifier(std::string url, std::chrono::milliseconds timeout,
                                             std::function<std::string(const std::string&)> redact) {
  return std::make_unique<WebhookNotifier>(std::move(url), timeout, std::move(redact));
}

}  // namespace dbroll
