// What every command shares: global flags, config loading, output.
#ifndef DBROLL_CLI_CONTEXT_H_
#define DBROLL_CLI_CONTEXT_H_

#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "dbroll/engine.h"
#include "dbroll/options.h"
#include "dbroll/run_events.h"

namespace CLI {
class App;
}

namespace dbroll::cli {

struct Globals {
  std::string dir = ".";        // -C: project directory
  std::string config;           // -c: config file (default <dir>/dbroll.toml when present)
  std::string url;              // --url: overrides config and environment
  std::string format = "text";  // --format text|json (commands may accept more)
  std::string lock_timeout;     // --lock-timeout 60s
  std::vector<std::string> set;  // --set name=value: placeholders, over config and environment
};

class Context {
 public:
  Context();
  ~Context();
  Globals globals;
  // Set by commands that must change nothing (status, validate, history,
  // --dry-run, schema dump, drift, deploys): the engine opens read-only.
  bool read_only = false;
  // Set by migrate and down for --dry-run: SQL is printed, nothing runs.
  bool dry_run = false;
  // Set by commands that print a stream of events (migrate, down, baseline,
  // repair, wait, create, drop): --format json gives JSON lines, and an
  // error is an event too.
  bool stream_events = false;

  // ResolveConfig (dbroll/options.h) over -C, -c, --url, --lock-timeout and --set.
  Result<Config> LoadConfig() const;
  // Opens the engine with the CLI's progress printer.
  Result<std::unique_ptr<Engine>> OpenEngine(const Config& config);
  Observer* observer();
  // The printer for this command's events (made on first use).
  RunObserver* events() const;

  // Removes the URL password (and every secret added) from text.
  std::string Redact(const std::string& text) const;
  // kInvalidArgument unless --format is one of `allowed` (for `command`).
  Status RequireFormat(std::initializer_list<const char*> allowed, const std::string& command) const;
  // One more secret for Redact (a token, a webhook URL); ignored below 4 characters.
  void AddSecret(const std::string& secret) const;
  // Prints "dbroll: error: ..." (redacted) and returns the exit code for `s`.
  int Fail(const Status& s) const;
  void Notice(const std::string& text) const;
  // Prints "dbroll: <message>" and the CLI advice for its Remedy.
  void Notice(const Status& s) const;
  bool color() const;

 private:
  mutable std::string url_;
  mutable std::vector<std::string> secrets_;
  mutable std::unique_ptr<RunObserver> observer_;
};

// The dbroll command(s) for the next step `s` calls for (its Remedy), e.g.
// "dbroll repair --mark-rolled-back 0003"; empty when the message says it
// all. Fail prints each as "next[, when]: command".
struct Advice {
  std::string when;     // "" or the case it is for ("if it did")
  std::string command;  // "dbroll migrate"
};
std::vector<Advice> CliAdvice(const Status& s);

// Each command adds itself to the app; its callback stores the exit code in *rc.
using Registrar = void (*)(CLI::App& app, Context& ctx, int* rc);

}  // namespace dbroll::cli

#endif  // DBROLL_CLI_CONTEXT_H_
