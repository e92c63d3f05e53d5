#include "dbroll/run_events.h"

#include <chrono>
#include <nlohmann/json.hpp>

namespace dbroll {
namespace {

// Keys in the order written: format and event first.
using json = nlohmann::ordered_json;

const char* DirectionName(Direction d) { return d == Direction::kUp ? "up" : "down"; }

// One JSON object per call, so a consumer sees each event as it happens.
class JsonEventWriter : public RunObserver {
 public:
  explicit JsonEventWriter(JsonEventOptions o) : o_(std::move(o)) {}

  void OnMigrationStart(const Migration& m, Direction d) override { Write(Event("migration_started", m, d)); }
  void OnSql(const Migration& m, Direction d, const std::string& sql) override {
    json j = Event("sql", m, d);
    j["sql"] = sql;
    Write(j);
  }
  void OnMigrationDone(const Migration& m, Direction d, std::chrono::milliseconds took) override {
    if (!o_.dry_run) {
      ++done_;
      last_version_ = m.version;
    }
    json j = Event("migration_finished", m, d);
    j["ms"] = took.count();
    Write(j);
  }
  void OnMigrationFailed(const Migration& m, Direction d, const Status& error) override {
    json j = Event("migration_failed", m, d);
    j["code"] = CodeName(error.code());
    j["message"] = Redact(error.ToString());
    Write(j);
  }
  void OnNotice(const std::string& message) override {
    json j = Base("notice");
    j["message"] = Redact(message);
    Write(j);
  }
  void OnPlan(const std::string& command, const std::vector<PlannedMigration>& plan) override {
    json j = Base("plan");
    j["command"] = command;
    json list = json::array();
    for (const PlannedMigration& p : plan) {
      list.push_back({{"version", p.version}, {"name", p.name}, {"direction", DirectionName(p.direction)},
                      {"statements", p.statements.size()}});
    }
    j["migrations"] = list;
    Write(j);
  }
  void OnSummary(const RunSummary& s) override {
    json j = Base("summary");
    j["command"] = s.command;
    j["outcome"] = s.ok ? "ok" : "failed";
    if (s.command == "migrate" || s.command == "down") j[s.command == "down" ? "rolled_back" : "applied"] = done_;
    j["ms"] = s.ms;
    j["version"] = s.version && !s.version->empty() ? json(*s.version) : json(nullptr);
    if (!s.message.empty()) j["message"] = Redact(s.message);
    Write(j);
  }
  void OnError(const Status& error, int exit_code) override {
    json j = Base("error");
    j["code"] = CodeName(error.code());
    j["exit_code"] = exit_code;
    j["message"] = Redact(error.ToString());
    if (o_.next) {
      for (const std::string& n : o_.next(error)) j["next"].push_back(n);
    }
    Write(j);
  }
  void OnWaitAttempt(const WaitAttempt& a) override {
    json j = Base("attempt");
    j["attempt"] = a.attempt;
    j["elapsed_ms"] = a.elapsed.count();
    j["next_ms"] = a.next.count();
    j["message"] = Redact(a.error.message());
    Write(j);
  }
  bool is_json() const override { return true; }
  void Emit(const std::string& event, const std::string& fields) override {
    json j = Base(event.c_str());
    const json f = json::parse(fields, nullptr, false);
    if (f.is_object()) {
      for (const auto& [k, v] : f.items()) j[k] = v;
    }
    Write(j);
  }
  int done() const override { return done_; }
  const std::string& last_version() const override { return last_version_; }

 private:
  static json Base(const char* event) { return json{{"format", kJsonFormat}, {"event", event}}; }
  static json Event(const char* event, const Migration& m, Direction d) {
    json j = Base(event);
    j["version"] = m.version;
    j["name"] = m.name;
    j["direction"] = DirectionName(d);
    return j;
  }
  std::string Redact(const std::string& text) const { return o_.redact ? o_.redact(text) : text; }
  // File names and messages are bytes, not always UTF-8: invalid sequences
  // become U+FFFD instead of an exception.
  void Write(const json& j) { o_.write(j.dump(-1, ' ', false, json::error_handler_t::replace)); }

  JsonEventOptions o_;
  int done_ = 0;
  std::string last_version_;
};

json OrNull(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

void EmitJson(RunObserver& events, const std::string& event, const json& fields) {
  events.Emit(event, fields.dump(-1, ' ', false, json::error_handler_t::replace));
}

class DeployEventWriter : public DeployObserver {
 public:
  DeployEventWriter(RunObserver* events, std::function<std::string(const std::string&)> redact)
      : events_(events), redact_(std::move(redact)) {}
  void OnState(const DeployRecord& d) override {
    Emit("deploy_state", {{"deploy", d.id}, {"release", d.release}, {"state", DeployStateName(d.state)}});
  }
  void OnStep(const DeployRecord& d, const StepTiming& step, const Status& outcome) override {
    Emit("deploy_step", {{"deploy", d.id},
                         {"step", step.step},
                         {"outcome", outcome.ok() ? "ok" : "failed"},
                         {"ms", step.took.count()},
                         {"message", Redact(outcome.ok() ? "" : outcome.message())}});
  }
  void OnWarning(const DeployRecord& d, const std::string& text) override {
    Emit("warning", {{"deploy", d.id}, {"message", Redact(text)}});
  }
  void OnPurge(const DeployRecord& d, const std::vector<ArchiveInfo>& purged) override {
    json archives = json::array();
    for (const ArchiveInfo& a : purged) {
      archives.push_back({{"version", a.version}, {"table", a.table}, {"columns", a.columns}, {"rows", a.rows},
                          {"archive", a.archive}});
    }
    Emit("archives_purged", {{"deploy", d.id}, {"release", d.release}, {"archives", archives}});
  }

 private:
  std::string Redact(const std::string& text) const { return redact_ ? redact_(text) : text; }
  void Emit(const std::string& event, const json& fields) { EmitJson(*events_, event, fields); }

  RunObserver* events_;
  std::function<std::string(const std::string&)> redact_;
};

long long MsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

std::unique_ptr<RunObserver> NewJsonEventWriter(JsonEventOptions options) {
  return std::make_unique<JsonEventWriter>(std::move(options));
}

std::unique_ptr<DeployObserver> NewDeployEventWriter(RunObserver* events,
                                                     std::function<std::string(const std::string&)> redact) {
  return std::make_unique<DeployEventWriter>(events, std::move(redact));
}

void EmitFleetTarget(RunObserver& events, const std::string& action, const FleetTargetResult& r) {
  EmitJson(events, "fleet_target",
           {{"target", r.target}, {"outcome", r.outcome}, {"from_version", OrNull(r.from_version)},
            {"to_version", OrNull(r.to_version)}, {"ms", r.ms}, {"error", OrNull(r.error)}, {"action", action}});
}

void EmitFleetSummary(RunObserver& events, const std::string& action, const FleetReport& report, size_t targets,
                      long long ms) {
  const FleetRunCounts c = CountFleetRun(report);
  EmitJson(events, "fleet_summary",
           {{"action", action}, {"run_id", report.run_id}, {"outcome", report.ok() ? "ok" : "failed"},
            {"targets", targets}, {"ok", c.ok}, {"failed", c.failed}, {"skipped", c.skipped},
            {"rolled_back", c.rolled_back}, {"ms", ms}, {"newest_version", report.newest_version},
            {"stop_reason", OrNull(report.stop_reason)}});
}

Status RunReported(Engine& engine, RunObserver& events, const std::string& command, bool dry_run,
                   const std::function<Result<std::vector<PlannedMigration>>()>& plan,
                   const std::function<Status()>& run) {
  const auto t0 = std::chrono::steady_clock::now();
  if (events.is_json()) {
    auto p = plan();
    if (!p.ok()) return p.status();
    events.OnPlan(command, p.value());
  }
  Status s = run();
  if (dry_run) return s;
  RunSummary summary;
  summary.command = command;
  summary.ok = s.ok();
  summary.ms = MsSince(t0);
  // After a migrate that ran something the last one finished is the
  // version; otherwise (down, nothing ran, a failure) the database says.
  if (command == "migrate" && s.ok() && events.done() > 0) {
    summary.version = events.last_version();
  } else if (auto st = engine.GetStatus(); st.ok()) {
    summary.version = st->current_version;
  }
  events.OnSummary(summary);
  return s;
}

Status RunSummarized(Engine& engine, RunObserver& events, const std::string& command,
                     const std::function<Status()>& run, const std::string& done_message) {
  const auto t0 = std::chrono::steady_clock::now();
  Status s = run();
  if (!s.ok()) return s;
  RunSummary summary;
  summary.command = command;
  summary.ms = MsSince(t0);
  if (auto st = engine.GetStatus(); st.ok()) summary.version = st->current_version;
  summary.message = done_message.empty() ? command + " done" : done_message;
  if (events.is_json() || !done_message.empty()) events.OnSummary(summary);
  return s;
}

}  // namespace dbroll
