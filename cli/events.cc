#include "cli/events.h"

#include <unistd.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/context.h"

namespace dbroll::cli {
namespace {

// Keys in the order written: format and event first.
using json = nlohmann::ordered_json;

const char* DirectionName(Direction d) { return d == Direction::kUp ? "up" : "down"; }

class TextPrinter : public EventPrinter {
 public:
  explicit TextPrinter(const Context* ctx) : ctx_(ctx), tty_(isatty(STDOUT_FILENO) == 1) {}

  void OnMigrationStart(const Migration& m, Direction d) override {
    dry_header_pending_ = true;
    label_ = std::string(d == Direction::kUp ? "up  " : "down") + "  " + m.version + "_" + m.name;
    // A terminal gets the label and the time on one line; a CI log gets a
    // start line at once, so a slow migration shows what is running.
    if (tty_) {
      std::cout << label_ << " ..." << std::flush;
    } else if (!ctx_->dry_run) {
      std::cout << label_ << " ..." << std::endl;
    }
  }
  void OnSql(const Migration& m, Direction d, const std::string& sql) override {
    if (dry_header_pending_) {
      if (tty_) std::cout << "\r\033[K";
      std::cout << "-- " << DirectionName(d) << " " << m.version << "_" << m.name << " ("
                << (d == Direction::kUp ? m.up.path : (m.down ? m.down->path : std::string("stored down"))) << ")\n";
      dry_header_pending_ = false;
      dry_ = true;
    }
    std::cout << sql << ";\n";
  }
  void OnMigrationDone(const Migration& m, Direction d, std::chrono::milliseconds took) override {
    if (dry_) {
      dry_ = false;
      return;
    }
    ++done_;
    last_version_ = m.version;
    if (label_.empty()) label_ = std::string(d == Direction::kUp ? "up  " : "down") + "  " + m.version + "_" + m.name;
    if (tty_) std::cout << "\r\033[K";
    const bool c = ctx_->color();
    std::cout << (c ? "\033[32m" : "") << label_ << (c ? "\033[0m" : "") << "  " << took.count() << " ms\n"
              << std::flush;
    label_.clear();
  }
  void OnMigrationFailed(const Migration& m, Direction d, const Status& error) override {
    (void)error;
    if (label_.empty()) label_ = std::string(d == Direction::kUp ? "up  " : "down") + "  " + m.version + "_" + m.name;
    if (tty_) std::cout << "\r\033[K";
    const bool c = ctx_->color();
    std::cout << (c ? "\033[31m" : "") << label_ << "  FAILED" << (c ? "\033[0m" : "") << "\n" << std::flush;
    label_.clear();
  }
  void OnNotice(const std::string& message) override { ctx_->Notice(message); }

  void OnPlan(const std::string&, const std::vector<PlannedMigration>&) override {}
  void OnSummary(const RunSummary& s) override {
    if (!s.ok) return;  // the error says what happened
    if (!s.message.empty()) {
      std::cout << s.message << "\n" << std::flush;
      return;
    }
    const std::string n = std::to_string(done_) + (done_ == 1 ? " migration" : " migrations");
    std::cout << (s.command == "down" ? "rolled back " : "applied ") << n << " in " << s.ms << " ms";
    if (s.version) std::cout << "; schema version " << (s.version->empty() ? "(none)" : *s.version);
    std::cout << "\n" << std::flush;
  }
  void OnError(const Status&, int) override {}
  bool is_json() const override { return false; }
  void Emit(const std::string&, nlohmann::ordered_json) override {}
  void OnWaitAttempt(const WaitAttempt& a) override {
    ctx_->Notice("waiting for the database: attempt " + std::to_string(a.attempt) + " failed: " +
                 a.error.message() + "; next attempt in " + std::to_string(a.next.count()) + " ms");
  }
  int done() const override { return done_; }
  const std::string& last_version() const override { return last_version_; }

 private:
  const Context* ctx_;
  bool tty_;
  bool dry_header_pending_ = false;
  bool dry_ = false;
  int done_ = 0;
  std::string last_version_;
  std::string label_;
};

// One JSON object per line, flushed at once: a consumer sees each event as
// it happens. Every object has "format" and "event".
class JsonLinesPrinter : public EventPrinter {
 public:
  explicit JsonLinesPrinter(const Context* ctx) : ctx_(ctx) {}

  void OnMigrationStart(const Migration& m, Direction d) override {
    Emit(Event("migration_started", m, d));
  }
  void OnSql(const Migration& m, Direction d, const std::string& sql) override {
    json j = Event("sql", m, d);
    j["sql"] = sql;
    Emit(j);
  }
  void OnMigrationDone(const Migration& m, Direction d, std::chrono::milliseconds took) override {
    if (!ctx_->dry_run) {
      ++done_;
      last_version_ = m.version;
    }
    json j = Event("migration_finished", m, d);
    j["ms"] = took.count();
    Emit(j);
  }
  void OnMigrationFailed(const Migration& m, Direction d, const Status& error) override {
    json j = Event("migration_failed", m, d);
    j["code"] = CodeName(error.code());
    j["message"] = ctx_->Redact(error.ToString());
    Emit(j);
  }
  void OnNotice(const std::string& message) override {
    json j = Base("notice");
    j["message"] = ctx_->Redact(message);
    Emit(j);
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
    Emit(j);
  }
  void OnSummary(const RunSummary& s) override {
    json j = Base("summary");
    j["command"] = s.command;
    j["outcome"] = s.ok ? "ok" : "failed";
    if (s.command == "migrate" || s.command == "down") j[s.command == "down" ? "rolled_back" : "applied"] = done_;
    j["ms"] = s.ms;
    j["version"] = s.version && !s.version->empty() ? json(*s.version) : json(nullptr);
    if (!s.message.empty()) j["message"] = ctx_->Redact(s.message);
    Emit(j);
  }
  void OnError(const Status& error, int exit_code) override {
    json j = Base("error");
    j["code"] = CodeName(error.code());
    j["exit_code"] = exit_code;
    j["message"] = ctx_->Redact(error.ToString());
    for (const Advice& a : CliAdvice(error)) j["next"].push_back(a.command);
    Emit(j);
  }
  void OnWaitAttempt(const WaitAttempt& a) override {
    json j = Base("attempt");
    j["attempt"] = a.attempt;
    j["elapsed_ms"] = a.elapsed.count();
    j["next_ms"] = a.next.count();
    j["message"] = ctx_->Redact(a.error.message());
    Emit(j);
  }
  bool is_json() const override { return true; }
  void Emit(const std::string& event, nlohmann::ordered_json fields) override {
    json j = Base(event.c_str());
    for (auto& [k, v] : fields.items()) j[k] = v;
    Emit(j);
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
  void Emit(const json& j) {
    std::cout << j.dump(-1, ' ', false, json::error_handler_t::replace) << std::endl;
  }

  const Context* ctx_;
  int done_ = 0;
  std::string last_version_;
};

}  // namespace

std::unique_ptr<EventPrinter> MakeEventPrinter(const Context* ctx, const std::string& format) {
  if (format == "json") return std::make_unique<JsonLinesPrinter>(ctx);
  return std::make_unique<TextPrinter>(ctx);
}

}  // namespace dbroll::cli
