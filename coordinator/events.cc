// Deploy events as text and JSON, and the DeployKit built from dbroll.toml.
#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "dbroll/deploy_hooks.h"
#include "dbroll/url.h"

namespace dbroll {
namespace {

std::string OrNone(const std::string& s) { return s.empty() ? "none" : s; }

std::string Timings(const std::vector<StepTiming>& steps) {
  std::string out;
  for (const auto& s : steps) {
    out += (out.empty() ? "" : ", ") + s.step + " " + std::to_string(s.took.count()) + " ms" + (s.ok ? "" : " FAILED");
  }
  return out;
}

}  // namespace

std::string DeployEventText(const DeployEvent& e) {
  const DeployRecord& d = e.deploy;
  std::string head = "dbroll: deploy " + std::to_string(d.id) + " of " + d.release;
  std::string text;
  if (e.kind == "deploy-succeeded") {
    text = head + " succeeded (previous release " + OrNone(d.previous_release) + ", schema " + OrNone(d.schema_from) +
           " -> " + OrNone(d.schema_to) + ")";
  } else if (e.kind == "deploy-rolled-back") {
    text = head + " was ROLLED BACK to " + OrNone(d.target_release) + " (schema " + OrNone(d.target_schema) +
           "): " + d.reason + (d.failed_check.empty() ? "" : ": " + d.failed_check);
  } else if (e.kind == "rollback-failed") {
    text = head + " FAILED TO ROLL BACK, a person must act: " + d.reason +
           (d.failed_check.empty() ? "" : " (check: " + d.failed_check + ")");
  } else {
    text = head + " failed, the app was not touched: " + d.reason;
  }
  if (!e.steps.empty()) text += " [" + Timings(e.steps) + "]";
  if (e.frozen) text += "; deploys are frozen until they are unfrozen";
  return text;
}

namespace {

constexpr int kJsonSchemaVersion = 1;

// Milliseconds between two "YYYY-MM-DDTHH:MM:SS.mmmZ" stamps; -1 when unknown.
long long MillisBetween(const std::string& from, const std::string& to) {
  auto parse = [](const std::string& t) -> long long {
    if (t.size() < 23) return -1;
    std::tm tm{};
    tm.tm_year = std::atoi(t.substr(0, 4).c_str()) - 1900;
    tm.tm_mon = std::atoi(t.substr(5, 2).c_str()) - 1;
    tm.tm_mday = std::atoi(t.substr(8, 2).c_str());
    tm.tm_hour = std::atoi(t.substr(11, 2).c_str());
    tm.tm_min = std::atoi(t.substr(14, 2).c_str());
    tm.tm_sec = std::atoi(t.substr(17, 2).c_str());
    return static_cast<long long>(timegm(&tm)) * 1000 + std::atoi(t.substr(20, 3).c_str());
  };
  const long long a = parse(from), b = parse(to);
  return a < 0 || b < 0 || b < a ? -1 : b - a;
}

nlohmann::json DeployObject(const DeployRecord& d) {
  nlohmann::json steps = nlohmann::json::parse(d.step_log.empty() ? std::string("[]") : d.step_log, nullptr, false);
  if (!steps.is_array()) steps = nlohmann::json::array();
  const long long ms = MillisBetween(d.started_at, d.finished_at);
  return {{"deploy_id", d.id},
          {"release", d.release},
          {"previous_release", d.previous_release},
          {"target_release", d.target_release},
          {"schema_from", d.schema_from},
          {"schema_to", d.schema_to},
          {"target_schema", d.target_schema},
          {"strategy", d.strategy},
          {"state", DeployStateName(d.state)},
          {"gated", d.gated},
          {"reason", d.reason},
          {"failed_check", d.failed_check},
          {"started_at", d.started_at},
          {"finished_at", d.finished_at},
          {"started_by", d.started_by},
          {"duration_ms", ms < 0 ? nlohmann::json(nullptr) : nlohmann::json(ms)},
          {"steps", steps}};
}

}  // namespace

std::string DeployJson(const DeployRecord& d) {
  nlohmann::json j = DeployObject(d);
  j["schema_version"] = kJsonSchemaVersion;
  // Hook output may hold any bytes; replace rather than throw on bad UTF-8.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string DeployEventJson(const DeployEvent& e) {
  nlohmann::json j = DeployObject(e.deploy);
  j["schema_version"] = kJsonSchemaVersion;
  j["text"] = DeployEventText(e);
  j["event"] = e.kind;
  j["frozen"] = e.frozen;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void Redactor::Add(const std::string& secret) {
  if (secret.size() < 4) return;
  for (const auto& s : secrets_) {
    if (s == secret) return;
  }
  secrets_.push_back(secret);
  // Longest first, so a URL goes before the password inside it.
  std::sort(secrets_.begin(), secrets_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

void Redactor::AddUrl(const std::string& url) {
  if (url.empty()) return;
  auto parsed = ParseUrl(url);
  if (parsed.ok()) {
    if (parsed->has_password) Add(parsed->password);
    for (const auto& [k, v] : parsed->params) Add(v);
  }
  // The password as written (percent-encoded) too.
  const size_t scheme = url.find("://");
  const size_t at = url.find('@');
  if (scheme != std::string::npos && at != std::string::npos && at > scheme) {
    const size_t colon = url.find(':', scheme + 3);
    if (colon != std::string::npos && colon < at) Add(url.substr(colon + 1, at - colon - 1));
  }
  const bool http = url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
  if (http) {
    // Webhook URLs are credentials (Slack's path is the token); query values too.
    const size_t q = url.find('?');
    if (q != std::string::npos) {
      for (size_t p = q + 1; p < url.size();) {
        size_t amp = url.find('&', p);
        if (amp == std::string::npos) amp = url.size();
        const size_t eq = url.find('=', p);
        if (eq != std::string::npos && eq < amp) Add(url.substr(eq + 1, amp - eq - 1));
        p = amp + 1;
      }
    }
    const size_t path = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    if (path != std::string::npos && url.size() > path + 1) Add(url);
  }
}

std::string Redactor::Apply(const std::string& text) const {
  std::string out = text;
  for (const std::string& s : secrets_) {
    for (size_t p = out.find(s); p != std::string::npos; p = out.find(s, p + 3)) out.replace(p, s.size(), "***");
  }
  return out;
}

std::function<std::string(const std::string&)> Redactor::Function() const {
  return [copy = *this](const std::string& text) { return copy.Apply(text); };
}

Redactor RedactorFromConfig(const Config& config) {
  Redactor r;
  r.AddUrl(config.engine.url);
  r.Add(config.Get("alerts", "token"));
  if (const char* env = std::getenv("DBROLL_ALERTS_TOKEN")) r.Add(env);
  r.AddUrl(config.Get("notify", "webhook"));
  r.AddUrl(config.Get("deploy.metrics", "prometheus_url"));
  return r;
}

CoordinatorParts DeployKit::Parts(DeployObserver* observer) const {
  CoordinatorParts p;
  p.app = app.get();
  for (const auto& g : gates) p.gates.push_back(g.get());
  for (const auto& n : notifiers) p.notifiers.push_back(n.get());
  p.observer = observer;
  p.blue_green = blue_green.get();
  for (const auto& g : green_gates) p.green_gates.push_back(g.get());
  for (const auto& g : public_gates) p.public_gates.push_back(g.get());
  p.blue_green_check = blue_green_check.get();
  p.preflight_check = lint_check.get();
  return p;
}

Result<DeployKit> DeployKitFromConfig(
    const Config& config, std::function<void(const std::string&, const std::string&)> on_output) {
  // The config loader has already checked types; values here are well formed.
  auto duration = [&](const std::string& section, const std::string& key,
                      std::chrono::milliseconds fallback) -> Result<std::chrono::milliseconds> {
    const std::string v = config.Get(section, key);
    if (v.empty()) return fallback;
    auto d = ParseDuration(v);
    if (!d.ok()) return Status(Code::kInvalidArgument, "[" + section + "] " + key + ": " + d.status().message());
    return d.value();
  };
  DeployKit kit;
  kit.redactor = RedactorFromConfig(config);
  kit.options.redact = kit.redactor.Function();
  const bool shell = config.Get("deploy", "shell", "false") == "true";
  if (!shell) {
    for (const char* key : {"app_deploy", "app_revert", "green_deploy", "switch", "retire_blue", "discard_green"}) {
      DBROLL_RETURN_IF_ERROR(CheckNoShellSyntax(std::string("[deploy] ") + key, config.Get("deploy", key)));
    }
    DBROLL_RETURN_IF_ERROR(CheckNoShellSyntax("[notify] command", config.Get("notify", "command")));
  }
  kit.options.require_health_gate = config.Get("deploy", "require_health_gate", "false") == "true";
  CommandOptions hooks;
  hooks.shell = shell;
  hooks.redact = kit.redactor.Function();
  hooks.working_dir = config.engine.base_dir.empty() ? std::filesystem::current_path().string() : config.engine.base_dir;
  auto hook_timeout = duration("deploy", "hook_timeout", std::chrono::minutes(10));
  if (!hook_timeout.ok()) return hook_timeout.status();
  hooks.timeout = hook_timeout.value();
  hooks.on_output = on_output;
  kit.app = NewCommandAppController(config.Get("deploy", "app_deploy"), config.Get("deploy", "app_revert"), hooks);

  // Every HTTP gate (health_url, green_health_url, public_health_url) shares
  // the [deploy] timing keys.
  auto gate_for = [&](const std::string& url) -> Result<std::unique_ptr<HealthGate>> {
    HttpHealthOptions h;
    h.url = url;
    auto t = duration("deploy", "health_timeout", std::chrono::minutes(5));
    if (!t.ok()) return t.status();
    auto i = duration("deploy", "health_interval", std::chrono::seconds(5));
    if (!i.ok()) return i.status();
    h.timeout = t.value();
    h.interval = i.value();
    const std::string after = config.Get("deploy", "healthy_after", "3");
    h.healthy_after = std::atoi(after.c_str());
    if (h.healthy_after < 1) {
      return Status(Code::kInvalidArgument, "[deploy] healthy_after must be at least 1, not " + after);
    }
    return NewHttpHealthGate(h);
  };
  const std::string health_url = config.Get("deploy", "health_url");
  if (!health_url.empty()) {
    auto g = gate_for(health_url);
    if (!g.ok()) return g.status();
    kit.gates.push_back(std::move(g).value());
  }
  // The metric gate watches after the HTTP gate in a rolling deploy, and
  // after the public health check once blue-green traffic is on green.
  const std::string prometheus = config.Get("deploy.metrics", "prometheus_url");
  std::unique_ptr<HealthGate> metric_for_public;
  if (!prometheus.empty() || !config.Get("deploy.metrics", "query").empty()) {
    PrometheusGateOptions m;
    m.url = prometheus;
    m.query = config.Get("deploy.metrics", "query");
    if (m.url.empty() || m.query.empty()) {
      return Status(Code::kInvalidArgument, "[deploy.metrics] needs both prometheus_url and query");
    }
    m.threshold = std::strtod(config.Get("deploy.metrics", "threshold", "0").c_str(), nullptr);
    auto sustain = duration("deploy.metrics", "for", std::chrono::minutes(2));
    if (!sustain.ok()) return sustain.status();
    auto watch = duration("deploy.metrics", "watch", std::chrono::minutes(10));
    if (!watch.ok()) return watch.status();
    auto every = duration("deploy.metrics", "interval", std::chrono::seconds(15));
    if (!every.ok()) return every.status();
    m.sustain = sustain.value();
    m.watch = watch.value();
    m.interval = std::max(every.value(), std::chrono::milliseconds(100));
    const std::string policy = config.Get("deploy.metrics", "on_error", "healthy");
    if (policy != "healthy" && policy != "breach") {
      return Status(Code::kInvalidArgument,
                    "[deploy.metrics] on_error must be \"healthy\" or \"breach\", not \"" + policy + "\"");
    }
    m.on_error = policy == "breach" ? MetricErrorPolicy::kBreach : MetricErrorPolicy::kHealthy;
    kit.gates.push_back(NewPrometheusGate(m));
    metric_for_public = NewPrometheusGate(m);
  }

  kit.lint_check = NewLintCheck(config);
  BlueGreenCommands bg{config.Get("deploy", "green_deploy"), config.Get("deploy", "switch"),
                       config.Get("deploy", "retire_blue"), config.Get("deploy", "discard_green")};
  if (!bg.green_deploy.empty() || !bg.switch_traffic.empty()) {
    if (bg.green_deploy.empty() || bg.switch_traffic.empty()) {
      return Status(Code::kInvalidArgument, "[deploy] blue-green needs both green_deploy and switch");
    }
    kit.blue_green = NewCommandBlueGreen(bg, hooks);
    kit.blue_green_check = NewCompatibilityCheck(config);
    for (const auto& [key, list] : {std::pair<std::string, std::vector<std::unique_ptr<HealthGate>>*>{
                                        "green_health_url", &kit.green_gates},
                                    {"public_health_url", &kit.public_gates}}) {
      const std::string url = config.Get("deploy", key);
      if (url.empty()) continue;
      auto g = gate_for(url);
      if (!g.ok()) return g.status();
      list->push_back(std::move(g).value());
    }
    if (metric_for_public) kit.public_gates.push_back(std::move(metric_for_public));
  }
  auto approval = duration("deploy", "approval_timeout", std::chrono::hours(24));
  if (!approval.ok()) return approval.status();
  kit.options.approval_timeout = approval.value();
  if (!config.Get("deploy", "purge_after").empty()) {
    auto purge_after = duration("deploy", "purge_after", std::chrono::hours(24));
    if (!purge_after.ok()) return purge_after.status();
    kit.options.purge_after = purge_after.value();
  }

  const std::string freeze = config.Get("deploy", "freeze_on_rollback", "true");
  kit.options.freeze_on_rollback = freeze != "false";

  auto notify_timeout = duration("notify", "timeout", std::chrono::seconds(10));
  if (!notify_timeout.ok()) return notify_timeout.status();
  const std::string webhook = config.Get("notify", "webhook");
  if (!webhook.empty()) {
    kit.notifiers.push_back(NewWebhookNotifier(webhook, notify_timeout.value(), kit.redactor.Function()));
  }
  const std::string command = config.Get("notify", "command");
  if (!command.empty()) {
    CommandOptions n = hooks;
    n.timeout = notify_timeout.value();
    kit.notifiers.push_back(NewCommandNotifier(command, n));
  }
  return kit;
}

}  // namespace dbroll
