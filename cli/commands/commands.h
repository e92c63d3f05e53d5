// Every subcommand: one Register function each, listed in main.cc.
#ifndef DBROLL_CLI_COMMANDS_COMMANDS_H_
#define DBROLL_CLI_COMMANDS_COMMANDS_H_

#include <chrono>
#include <functional>

#include "cli/context.h"

namespace dbroll::cli {

void RegisterInit(CLI::App& app, Context& ctx, int* rc);
void RegisterNew(CLI::App& app, Context& ctx, int* rc);
void RegisterStatus(CLI::App& app, Context& ctx, int* rc);
void RegisterMigrate(CLI::App& app, Context& ctx, int* rc);
void RegisterDown(CLI::App& app, Context& ctx, int* rc);
void RegisterValidate(CLI::App& app, Context& ctx, int* rc);
void RegisterHistory(CLI::App& app, Context& ctx, int* rc);
void RegisterBaseline(CLI::App& app, Context& ctx, int* rc);
void RegisterRepair(CLI::App& app, Context& ctx, int* rc);
void RegisterAdopt(CLI::App& app, Context& ctx, int* rc);   // adopt --from TOOL
void RegisterLint(CLI::App& app, Context& ctx, int* rc);
void RegisterDeploy(CLI::App& app, Context& ctx, int* rc);  // deploy, approve, reject, rollback, freeze, unfreeze, deploys
void RegisterServe(CLI::App& app, Context& ctx, int* rc);   // serve: the alert receiver
void RegisterSchema(CLI::App& app, Context& ctx, int* rc);  // schema dump
void RegisterVerify(CLI::App& app, Context& ctx, int* rc);
void RegisterDrift(CLI::App& app, Context& ctx, int* rc);
void RegisterPurge(CLI::App& app, Context& ctx, int* rc);  // purge: keep-data archives
void RegisterWait(CLI::App& app, Context& ctx, int* rc);    // wait: until the database answers
void RegisterCreate(CLI::App& app, Context& ctx, int* rc);  // create the database the URL names
void RegisterDrop(CLI::App& app, Context& ctx, int* rc);    // drop it (--yes)
void RegisterFleet(CLI::App& app, Context& ctx, int* rc);   // fleet migrate|down|status|verify

// Loads the config, opens the engine, runs `fn`; returns the exit code.
// `before_open` runs first when given (migrate --wait).
int WithEngine(Context& ctx, const std::function<Status(Engine&, const Config&)>& fn,
               const std::function<Status(const Config&)>& before_open = nullptr);

// Retries connecting to the configured database until it answers or
// `timeout` passes, printing each failed attempt.
Status WaitForDatabase(Context& ctx, const Config& cfg, std::chrono::milliseconds timeout);
// `text` as a duration, or kInvalidArgument naming `flag`.
Result<std::chrono::milliseconds> ParseWaitTimeout(const std::string& flag, const std::string& text);

}  // namespace dbroll::cli

#endif  // DBROLL_CLI_COMMANDS_COMMANDS_H_
