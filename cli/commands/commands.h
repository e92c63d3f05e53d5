// Every subcommand: one Register function each, listed in main.cc.
#ifndef DBROLL_CLI_COMMANDS_COMMANDS_H_
#define DBROLL_CLI_COMMANDS_COMMANDS_H_

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

// Records each deploy hook's output (its last 8,000 characters) in the audit log.
std::function<void(const std::string&, const std::string&)> HookOutputToAuditLog(
    Engine* e, std::function<std::string(const std::string&)> redact = nullptr);

// Loads the config, opens the engine, runs `fn`; returns the exit code.
int WithEngine(Context& ctx, const std::function<Status(Engine&, const Config&)>& fn);

}  // namespace dbroll::cli

#endif  // DBROLL_CLI_COMMANDS_COMMANDS_H_
