// What the CLI prints while commands run: the engine's Observer events plus
// the plan, the summary and the error of a run. Text for people (a start
// line per migration when stdout is not a terminal, so CI logs show what is
// running) or JSON lines for programs; docs/cli.md documents both.
#ifndef DBROLL_CLI_EVENTS_H_
#define DBROLL_CLI_EVENTS_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dbroll/database_admin.h"
#include "dbroll/engine.h"
#include "dbroll/observer.h"

namespace dbroll::cli {

class Context;

// The version of the JSON documents and events dbroll prints ("format").
inline constexpr int kJsonFormat = 1;

struct RunSummary {
  std::string command;  // migrate, down, baseline, repair, wait, create, drop
  bool ok = true;
  long long ms = 0;                    // wall time of the whole command
  std::optional<std::string> version;  // schema version afterwards; nullopt: unknown
  std::string message;                 // for commands without migrations ("database shop created")
};

class EventPrinter : public Observer {
 public:
  // What a migrate or down is about to run (JSON only; text prints as it goes).
  virtual void OnPlan(const std::string& command, const std::vector<PlannedMigration>& plan) = 0;
  virtual void OnSummary(const RunSummary& summary) = 0;
  // wait / --wait: a connection attempt failed and will be retried.
  virtual void OnWaitAttempt(const WaitAttempt& attempt) = 0;
  // Called by Context::Fail while a command streams events.
  virtual void OnError(const Status& error, int exit_code) = 0;
  // True for JSON lines; Emit writes one more (with format and event set).
  virtual bool is_json() const = 0;
  virtual void Emit(const std::string& event, nlohmann::ordered_json fields) = 0;
  // Migrations finished (up or down) since the printer was made.
  virtual int done() const = 0;
  // The version of the last migration finished ("" when none).
  virtual const std::string& last_version() const = 0;
};

// `format` is "json" for JSON lines, anything else for text.
std::unique_ptr<EventPrinter> MakeEventPrinter(const Context* ctx, const std::string& format);

}  // namespace dbroll::cli

#endif  // DBROLL_CLI_EVENTS_H_
