// The metric gate: a PromQL query through the Prometheus HTTP API, watched
// for a while after a deploy; a breach that lasts `sustain` fails the gate.
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <thread>

#include "coordinator/internal.h"
#include "dbroll/deploy_hooks.h"

namespace dbroll {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
constexpr size_t kMaxAnswer = 1 << 20;

std::string Number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

long long Ms(Clock::duration d) { return std::chrono::duration_cast<milliseconds>(d).count(); }

class PrometheusGate : public HealthGate {
 public:
  explicit PrometheusGate(PrometheusGateOptions o) : o_(std::move(o)) {}

  Status Check(const DeployContext& ctx) override {
    // After a revert the query's window still holds the failed release's
    // errors; watching it again would only delay the freeze.
    if (ctx.action == "revert") return Status::Ok();
    if (o_.url.empty() || o_.query.empty()) {
      return Status(Code::kInvalidArgument, "the metric gate needs [deploy.metrics] prometheus_url and query");
    }
    const auto deadline = Clock::now() + o_.watch;
    // A flag beside the time point rather than an optional: g++ 12 warns
    // (maybe-uninitialized) about the optional, and CI builds with -Werror.
    bool breaching = false;
    Clock::time_point breach_since{};
    std::string last;
    for (;;) {
      const auto t0 = Clock::now();
      bool breached = false;
      Result<double> v = Query();
      if (v.ok() && !std::isnan(v.value())) {
        breached = v.value() > o_.threshold;
        last = Number(v.value());
      } else {
        breached = o_.on_error == MetricErrorPolicy::kBreach;
        last = v.ok() ? "NaN" : v.status().message();
      }
      if (!breached) {
        breaching = false;
      } else {
        if (!breaching) breach_since = t0;
        breaching = true;
        if (t0 - breach_since >= o_.sustain) {
          return Status(Code::kCheckFailed, "metric gate: `" + o_.query + "` was " + last + " (threshold " +
                                                Number(o_.threshold) + ") for " + std::to_string(Ms(t0 - breach_since)) +
                                                " ms, at least the " + std::to_string(o_.sustain.count()) +
                                                " ms [deploy.metrics] for allows");
        }
      }
      const auto next = t0 + o_.interval;
      if (next >= deadline) break;
      while (Clock::now() < next) {
        if (ctx.stop && ctx.stop()) {
          return Status(Code::kCheckFailed,
                        "metric gate: not watched to the end: the deploy is stopping or was "
                        "rolled back by another process");
        }
        std::this_thread::sleep_until(std::min(next, Clock::now() + std::chrono::milliseconds(100)));
      }
    }
    return Status::Ok();
  }

 private:
  Result<double> Query() {
    std::string base = o_.url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    const auto timeout = std::max(std::min(o_.interval, milliseconds(10000)), milliseconds(1000));
    internal::HttpAnswer a =
        internal::HttpGet(base + "/api/v1/query?query=" + internal::UrlEncode(o_.query), timeout, kMaxAnswer);
    if (a.http == 0) return Status(Code::kConnectionLost, internal::ShownUrl(o_.url) + ": " + a.error);
    Result<double> v = ParsePrometheusAnswer(a.body);
    if (!v.ok() && a.http != 200) {
      return Status(Code::kCheckFailed, "Prometheus answered HTTP " + std::to_string(a.http) + ": " +
                                            v.status().message());
    }
    return v;
  }

  PrometheusGateOptions o_;
};

double SampleValue(const nlohmann::json& pair) {
  // A sample is [unix_time, "value"]; Prometheus writes NaN and Inf as strings.
  if (!pair.is_array() || pair.size() != 2 || !pair[1].is_string()) {
    throw std::invalid_argument("a sample is not [time, \"value\"]");
  }
  const std::string text = pair[1].get<std::string>();
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0') throw std::invalid_argument("sample value \"" + text + "\" is not a number");
  return v;
}

}  // namespace

Result<double> ParsePrometheusAnswer(const std::string& json) {
  const nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Status(Code::kCheckFailed, "the answer is not JSON");
  // Every access below may meet a value of the wrong type (json::value
  // throws then): a malformed answer is a failed check, never an abort.
  try {
    if (j.value("status", std::string()) != "success") {
      auto text = [&](const char* key, const char* fallback) {
        return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string(fallback);
      };
      return Status(Code::kCheckFailed,
                    "query failed: " + text("errorType", "?") + ": " + text("error", "no error text"));
    }
    const nlohmann::json& data = j.at("data");
    const std::string type = data.at("resultType").get<std::string>();
    const nlohmann::json& result = data.at("result");
    if (type == "scalar") return SampleValue(result);
    if (type != "vector") {
      return Status(Code::kCheckFailed, "the query returns a " + type + "; the gate needs an instant vector or scalar");
    }
    if (!result.is_array()) return Status(Code::kCheckFailed, "unexpected answer: the result is not a list");
    if (result.empty()) return Status(Code::kNotFound, "the query returned no series");
    // Several series (one per instance, say): the worst one decides.
    double worst = -std::numeric_limits<double>::infinity();
    bool any_nan = false;
    for (const auto& series : result) {
      const double v = SampleValue(series.at("value"));
      if (std::isnan(v)) {
        any_nan = true;
      } else {
        worst = std::max(worst, v);
      }
    }
    if (std::isinf(worst) && worst < 0 && any_nan) return std::numeric_limits<double>::quiet_NaN();
    return worst;
  } catch (const std::exception& e) {
    return Status(Code::kCheckFailed, std::string("unexpected answer: ") + e.what());
  }
}

std::unique_ptr<HealthGate> NewPrometheusGate(PrometheusGateOptions options) {
  return std::make_unique<PrometheusGate>(std::move(options));
}

}  // namespace dbroll
