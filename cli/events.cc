#include "cli/events.h"

#include <unistd.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/context.h"

namespace dbroll::cli {
namespace {

const char* DirectionName(Direction d) { return d == Direction::kUp ? "up" : "down"; }

class TextPrinter : public RunObserver {
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
  void Emit(const std::string&, const std::string&) override {}
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

}  // namespace

std::unique_ptr<RunObserver> MakeEventPrinter(const Context* ctx, const std::string& format) {
  if (format != "json") return std::make_unique<TextPrinter>(ctx);
  JsonEventOptions o;
  // Flushed at once: a consumer sees each event as it happens.
  o.write = [](const std::string& line) { std::cout << line << std::endl; };
  o.redact = [ctx](const std::string& text) { return ctx->Redact(text); };
  o.dry_run = ctx->dry_run;
  o.next = [](const Status& s) {
    std::vector<std::string> next;
    for (const Advice& a : CliAdvice(s)) next.push_back(a.command);
    return next;
  };
  return NewJsonEventWriter(std::move(o));
}

void Emit(RunObserver* events, const std::string& event, const nlohmann::ordered_json& fields) {
  events->Emit(event, fields.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

}  // namespace dbroll::cli
