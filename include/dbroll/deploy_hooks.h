// The CLI's AppController, HealthGate and Notifiers, for orchestrators to
// reuse: command hooks, an HTTP health gate (libcurl), a Slack-compatible
// webhook and a command notifier; and DeployKit, all of them built from
// dbroll.toml's [deploy] and [notify] sections.
#ifndef DBROLL_DEPLOY_HOOKS_H_
#define DBROLL_DEPLOY_HOOKS_H_

#include <chrono>
#include <functional>
#include <memory>
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
};

// Splits a command line into argv the way a POSIX shell splits words
// ('single', "double" quotes and backslashes), without expansion of any kind:
// the text never reaches a shell. kInvalidArgument on an unclosed quote or
// an empty command.
Result<std::vector<std::string>> SplitCommandLine(const std::string& line);

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

// POSTs DeployEventJson to `url` (a secret: it never appears in messages).
std::unique_ptr<Notifier> NewWebhookNotifier(std::string url, std::chrono::milliseconds timeout);
// Runs `command` with DeployEventJson on stdin.
std::unique_ptr<Notifier> NewCommandNotifier(std::string command, CommandOptions options);

// Everything a Coordinator needs, built from a Config.
struct DeployKit {
  std::unique_ptr<AppController> app;
  std::vector<std::unique_ptr<HealthGate>> gates;
  std::vector<std::unique_ptr<Notifier>> notifiers;
  CoordinatorOptions options;

  // Raw pointers for CoordinatorParts; the kit must outlive the Coordinator.
  CoordinatorParts Parts(DeployObserver* observer) const;
};
// [deploy] app_deploy, app_revert, hook_timeout (default 10m), health_url,
// health_timeout (5m), health_interval (5s), healthy_after (3),
// freeze_on_rollback (true); [notify] webhook, command, timeout (10s).
// Hooks run in the config file's directory. `on_output` goes to each command.
Result<DeployKit> DeployKitFromConfig(
    const Config& config,
    std::function<void(const std::string& command, const std::string& output)> on_output = nullptr);

}  // namespace dbroll

#endif  // DBROLL_DEPLOY_HOOKS_H_
