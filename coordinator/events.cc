// Deploy events as text and JSON, and the DeployKit built from dbroll.toml.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "dbroll/deploy_hooks.h"

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
  if (e.frozen) text += "; deploys are frozen until dbroll unfreeze";
  return text;
}

std::string DeployEventJson(const DeployEvent& e) {
  const DeployRecord& d = e.deploy;
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& s : e.steps) steps.push_back({{"step", s.step}, {"ms", s.took.count()}, {"ok", s.ok}});
  nlohmann::json j = {{"text", DeployEventText(e)},
                      {"event", e.kind},
                      {"deploy_id", d.id},
                      {"release", d.release},
                      {"previous_release", d.previous_release},
                      {"target_release", d.target_release},
                      {"schema_from", d.schema_from},
                      {"schema_to", d.schema_to},
                      {"target_schema", d.target_schema},
                      {"strategy", d.strategy},
                      {"state", DeployStateName(d.state)},
                      {"reason", d.reason},
                      {"failed_check", d.failed_check},
                      {"started_at", d.started_at},
                      {"finished_at", d.finished_at},
                      {"started_by", d.started_by},
                      {"frozen", e.frozen},
                      {"steps", steps}};
  // Hook output may hold any bytes; replace rather than throw on bad UTF-8.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
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
  CommandOptions hooks;
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

  const std::string freeze = config.Get("deploy", "freeze_on_rollback", "true");
  kit.options.freeze_on_rollback = freeze != "false";

  auto notify_timeout = duration("notify", "timeout", std::chrono::seconds(10));
  if (!notify_timeout.ok()) return notify_timeout.status();
  const std::string webhook = config.Get("notify", "webhook");
  if (!webhook.empty()) kit.notifiers.push_back(NewWebhookNotifier(webhook, notify_timeout.value()));
  const std::string command = config.Get("notify", "command");
  if (!command.empty()) {
    CommandOptions n = hooks;
    n.timeout = notify_timeout.value();
    kit.notifiers.push_back(NewCommandNotifier(command, n));
  }
  return kit;
}

}  // namespace dbroll
