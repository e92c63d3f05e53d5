// Scaffolding: init and new (the files come from dbroll/project.h).
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands/commands.h"
#include "cli/events.h"
#include "cli/exit_codes.h"
#include "dbroll/project.h"

namespace dbroll::cli {

// "created A and B", or in JSON a summary event listing them.
static void Created(const Context& ctx, const std::string& command, const std::string& a, const std::string& b) {
  if (ctx.events()->is_json()) {
    Emit(ctx.events(), "summary", {{"command", command}, {"outcome", "ok"}, {"files", {a, b}}});
    return;
  }
  std::cout << "created " << a << " and " << b << "\n";
}

void RegisterInit(CLI::App& app, Context& ctx, int* rc) {
  auto* cmd = app.add_subcommand("init", "Create dbroll.toml and an empty migrations directory");
  auto url = std::make_shared<std::string>("sqlite:dbroll.db");
  cmd->add_option("--database-url", *url, "URL written into dbroll.toml");
  cmd->callback([&ctx, rc, url] {
    ctx.stream_events = true;
    if (Status f = ctx.RequireFormat({"text", "json"}, "init"); !f.ok()) {
      *rc = ctx.Fail(f);
      return;
    }
    std::vector<std::string> created;
    if (Status s = InitProject(ctx.globals.dir, *url, &created); !s.ok()) {
      *rc = ctx.Fail(s);
      return;
    }
    Created(ctx, "init", created[0], created[1]);
    *rc = kExitOk;
  });
}

void RegisterNew(CLI::App& app, Context& ctx, int* rc) {
  auto* cmd = app.add_subcommand("new", "Create the next version's up.sql and down.sql");
  auto name = std::make_shared<std::string>();
  cmd->add_option("name", *name, "Short name, e.g. add_users_email")->required();
  cmd->callback([&ctx, rc, name] {
    ctx.stream_events = true;
    if (Status f = ctx.RequireFormat({"text", "json"}, "new"); !f.ok()) {
      *rc = ctx.Fail(f);
      return;
    }
    auto cfg = ctx.LoadConfig();
    if (!cfg.ok()) {
      *rc = ctx.Fail(cfg.status());
      return;
    }
    auto created = CreateMigration(cfg.value(), *name);
    if (created.ok()) Created(ctx, "new", created->up_path, created->down_path);
    *rc = created.ok() ? kExitOk : ctx.Fail(created.status());
  });
}

}  // namespace dbroll::cli
