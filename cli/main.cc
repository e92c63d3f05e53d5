// dbroll: a thin client of the library. Parse flags, load config, one engine
// call, print through an Observer.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands/commands.h"
#include "cli/commands/completion.h"
#include "cli/exit_codes.h"
#include "cli/usage.h"

namespace {

int Run(int argc, char** argv) {
  using namespace dbroll::cli;
  CLI::App app{"dbroll: database migrations and rollbacks"};
  app.set_version_flag("--version", "dbroll 0.1.0");
  app.require_subcommand(1);
  app.fallthrough();
  Context ctx;
  app.add_option("-C,--dir", ctx.globals.dir, "Project directory (default: .)");
  app.add_option("-c,--config", ctx.globals.config, "Config file (default: <dir>/dbroll.toml)");
  app.add_option("--url", ctx.globals.url, "Database URL; overrides DBROLL_URL, DATABASE_URL and the config");
  // Each command narrows this further (status: text or json); an unknown
  // value is a usage error before any command runs.
  app.add_option("--format", ctx.globals.format,
                 "Output format: text or json (lint, verify also: sarif, github, junit)")
      ->check(CLI::IsMember({"text", "json", "sarif", "github", "junit"}));
  app.add_option("--lock-timeout", ctx.globals.lock_timeout, "How long to wait for another runner (default: 60s)");
  app.add_option("--set", ctx.globals.set, "Placeholder value name=value for ${name} in the SQL (repeatable)")
      ->allow_extra_args(false);

  int rc = kExitInternal;
  const Registrar registrars[] = {RegisterInit,     RegisterNew,     RegisterStatus,
                                  RegisterMigrate,  RegisterDown,    RegisterValidate,
                                  RegisterHistory,  RegisterBaseline, RegisterRepair,
                                  RegisterDeploy,   RegisterServe,   RegisterLint,
                                  RegisterSchema,   RegisterVerify,  RegisterDrift,
                                  RegisterPurge,    RegisterAdopt,   RegisterWait,
                                  RegisterCreate,   RegisterDrop,    RegisterFleet};
  for (Registrar r : registrars) r(app, ctx, &rc);
  RegisterCompletion(app, ctx, &rc);  // completion, and the hidden man the build runs
  // Usage errors share the documented form; CLI11's own texts never reach the user.
  auto usage_error = [](const std::string& msg) {
    std::cerr << "dbroll: error: " << msg << "\n";
    return kExitUsage;
  };
  if (auto bad = CheckCommand(app, argc, argv)) return usage_error(*bad);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return usage_error(DescribeParseError(app, e, argc, argv));
  }
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  // Every error is a Status; anything thrown past that is a bug in dbroll,
  // reported as one rather than an abort.
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "dbroll: internal error: " << e.what() << " -- please report it\n";
  } catch (...) {
    std::cerr << "dbroll: internal error: unknown exception -- please report it\n";
  }
  return dbroll::cli::kExitInternal;
}
