// The CLI's AppController, HealthGate and Notifiers, for orchestrators to
// reuse: command hooks, an HTTP health gate (libcurl), a Slack-compatible
// webhook and a command notifier; and DeployKit, all of them built from
// dbroll.toml's [deploy] and [notify] sections.
#ifndef DBROLL_DEPLOY_HOOKS_H_
#define DBROLL_DEPLOY_HOOKS_H_

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dbroll/coordinator.h"
#include "dbroll/options.h"

namespace dbroll {

struct CommandOptions {
  std::string working_dir;                                 // default: the current directory
  std::chrono::milliseconds timeout{std::chrono::minutes(10)};  // then SIGTERM, SIGKILL; default 10 min
  // Receives each finished command's output (stdout and stderr, the last
  // 64 KiB) for the audit log. Default: none.
  std::function<void(const std::string& command, const std::string& output)> on_output;
  // Run each command with /bin/sh -c instead of splitting it into argv.
  // Default: false ([deploy] shell).
  bool shell = false;
  // Applied to hook output before it is kept anywhere (see Redactor). Default: none.
  std::function<std::string(const std::string&)> redact;
};

// Stopping dbroll. RequestStop is async-signal-safe, for a SIGTERM/SIGINT
// handler: it forwards `signal` to the process group of the hook running
// now (SIGKILL after 10 s), no later hook starts, and the Coordinator ends
// the deploy where it is (kDirty, for deploy --resume or rollback).
void RequestStop(int signal);
// The signal RequestStop was called with; 0 while none.
int StopSignal();

// Replaces every known secret in a text with "***": one function for
// everything dbroll prints, records or sends.
class Redactor {
 public:
  // Secrets shorter than 4 characters are ignored (they would blank out words).
  void Add(const std::string& secret);
  // The URL's password (as written and decoded), its query values, and
  // for http(s) URLs with a path or query (webhooks) the whole URL.
  void AddUrl(const std::string& url);
  std::string Apply(const std::string& text) const;
  // As a function, for CommandOptions::redact and CoordinatorOptions::redact.
  std::function<std::string(const std::string&)> Function() const;

 private:
  std::vector<std::string> secrets_;  // longest first
};
// The secrets in `config`: the database URL's password, [alerts] token,
// DBROLL_ALERTS_TOKEN, [notify] webhook.
Redactor RedactorFromConfig(const Config& config);

// Splits a command line into argv the way a POSIX shell splits words
// ('single', "double" quotes and backslashes), without expansion of any kind:
// the text never reaches a shell. kInvalidArgument on an unclosed quote or
// an empty command.
Result<std::vector<std::string>> SplitCommandLine(const std::string& line);

// Ok unless `line`, outside quotes, holds characters only a shell gives a
// meaning to (; & | < > $ ` ( ) * ?): kInvalidArgument naming `key` and
// saying to use a script or [deploy] shell = true.
Status CheckNoShellSyntax(const std::string& key, const std::string& line);

// Runs `deploy` / `revert` with DBROLL_RELEASE, DBROLL_PREVIOUS_RELEASE,
// DBROLL_TARGET_RELEASE, DBROLL_DEPLOY_ID, DBROLL_SCHEMA_VERSION and
// DBROLL_ACTION in the environment. A non-zero exit, a signal or the
// timeout fail the step with the exit code and the last lines of output.
// An empty command is a step that does nothing.
std::unique_ptr<AppController> NewCommandAppController(std::string deploy, std::string revert,
                                                       CommandOptions options);

struct HttpHealthOptions {
  std::string url;                                           // required
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};  // give up after; default 5 min
  std::chrono::milliseconds interval{std::chrono::seconds(5)};  // between checks; default 5 s
  int healthy_after = 3;                                     // consecutive 2xx needed; default 3
};
// Polls options.url until healthy_after consecutive 2xx answers.
std::unique_ptr<HealthGate> NewHttpHealthGate(HttpHealthOptions options);

// POSTs DeployEventJson to `url` (a secret: it never appears in messages),
// passed through `redact` when given.
std::unique_ptr<Notifier> NewWebhookNotifier(std::string url, std::chrono::milliseconds timeout,
                                             std::function<std::string(const std::string&)> redact = nullptr);
// Runs `command` with DeployEventJson on stdin.
std::unique_ptr<Notifier> NewCommandNotifier(std::string command, CommandOptions options);

// Blue-green hooks, with the same environment as the app hooks (DBROLL_ACTION
// is deploy, switch, switch-back, retire or discard). An empty command is a
// step that does nothing.
struct BlueGreenCommands {
  std::string green_deploy, switch_traffic, retire_blue, discard_green;
};
std::unique_ptr<BlueGreenController> NewCommandBlueGreen(BlueGreenCommands commands, CommandOptions options);

// What the metric gate does with a query error, an empty result or NaN.
enum class MetricErrorPolicy { kHealthy, kBreach };

struct PrometheusGateOptions {
  std::string url;                 // Prometheus base URL, e.g. http://127.0.0.1:9090; required
  std::string query;               // PromQL; the largest sample of the answer is compared; required
  double threshold = 0;            // breach when the value is above it; default 0
  std::chrono::milliseconds sustain{std::chrono::minutes(2)};  // `for`: breach must last; default 2 min
  std::chrono::milliseconds watch{std::chrono::minutes(10)};   // how long to watch; default 10 min
  std::chrono::milliseconds interval{std::chrono::seconds(15)};  // between queries; default 15 s
  // Default kHealthy: a ratio over no traffic is NaN, and a deploy must not
  // be rolled back for being quiet.
  MetricErrorPolicy on_error = MetricErrorPolicy::kHealthy;
};
// Watches options.query for options.watch after a deploy; kCheckFailed when
// the value stays above the threshold for `sustain`. On a revert it passes at
// once: the window still holds the failed release's errors.
std::unique_ptr<HealthGate> NewPrometheusGate(PrometheusGateOptions options);

// One Prometheus answer (the JSON of /api/v1/query) reduced to its largest
// sample; kNotFound for an empty result, kCheckFailed for an error answer
// or a body that is not a query result. NaN is returned as NaN.
Result<double> ParsePrometheusAnswer(const std::string& json);

// Lint's backward-compatibility rules (rename-column, drop-column, ...) as
// errors over the pending migrations, whatever [lint] says of their severity.
std::unique_ptr<MigrationCheck> NewCompatibilityCheck(const Config& config);
// Lint findings of severity error (as [lint] configures them) over the
// pending migrations: the preflight of every deploy.
std::unique_ptr<MigrationCheck> NewLintCheck(const Config& config);

// Everything a Coordinator needs, built from a Config.
struct DeployKit {
  std::unique_ptr<AppController> app;
  std::vector<std::unique_ptr<HealthGate>> gates;
  std::vector<std::unique_ptr<Notifier>> notifiers;
  std::unique_ptr<BlueGreenController> blue_green;  // null unless green_deploy or switch is set
  std::vector<std::unique_ptr<HealthGate>> green_gates, public_gates;
  std::unique_ptr<MigrationCheck> blue_green_check;
  std::unique_ptr<MigrationCheck> lint_check;
  CoordinatorOptions options;
  Redactor redactor;  // fed by RedactorFromConfig; options.redact applies it

  // Raw pointers for CoordinatorParts; the kit must outlive the Coordinator.
  CoordinatorParts Parts(DeployObserver* observer) const;
};
// [deploy] app_deploy, app_revert, shell (false), require_health_gate (false),
// hook_timeout (default 10m), health_url,
// health_timeout (5m), health_interval (5s), healthy_after (3),
// freeze_on_rollback (true), green_deploy, green_health_url, switch,
// retire_blue, discard_green, approval_timeout (24h), public_health_url,
// purge_after (none);
// [deploy.metrics] prometheus_url, query, threshold (0), for (2m), watch
// (10m), interval (15s), on_error (healthy); [notify] webhook, command,
// timeout (10s).
// Hooks run in the config file's directory. `on_output` goes to each command.
Result<DeployKit> DeployKitFromConfig(
    const Config& config,
    std::function<void(const std::string& command, const std::string& output)> on_output = nullptr);

// DeployKitFromConfig whose hook output (its last 8,000 characters, with
// RedactorFromConfig's secrets and `secret`, when given, blanked) is
// recorded in `audit`'s audit log, where a person looks after a failure.
// `audit` must outlive the kit.
Result<DeployKit> DeployKitWithAuditLog(const Config& config, Engine* audit, const std::string& secret = "");

// How long deploy `d` took, from its started_at and finished_at stamps;
// nullopt while it runs or when a stamp is malformed or out of order.
std::optional<long long> DeployMillis(const DeployRecord& d);

}  // namespace dbroll

#endif  // DBROLL_DEPLOY_HOOKS_H_
