// dbroll lint: flags, config, one LintProject call, rendered output.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "cli/commands/commands.h"
#include "cli/exit_codes.h"
#include "dbroll/lint.h"

namespace dbroll::cli {
namespace {

struct LintFlags {
  std::vector<std::string> paths;
  bool strict = false;
  std::string base;
};

int RunLint(Context& ctx, const LintFlags& flags) {
  auto cfg = ctx.LoadConfig();
  if (!cfg.ok()) return ctx.Fail(cfg.status());
  const std::string& format = ctx.globals.format;
  auto run = LintProject(cfg.value(), ctx.globals.dir, flags.paths, flags.base);
  if (!run.ok()) return ctx.Fail(run.status());
  const std::vector<Finding>& findings = run->findings;
  auto text = RenderFindings(findings, format, run->files_checked, format == "text" && ctx.color());
  if (!text.ok()) return ctx.Fail(text.status());
  std::cout << text.value() << std::flush;
  for (const auto& f : findings) {
    if ((flags.strict && f.severity != Severity::kInfo) || f.severity == Severity::kError) return kExitCheckFailed;
  }
  return kExitOk;
}

}  // namespace

void RegisterLint(CLI::App& app, Context& ctx, int* rc) {
  auto* cmd = app.add_subcommand("lint", "Check migrations for irreversible, incompatible and locking changes");
  auto flags = std::make_shared<LintFlags>();
  cmd->add_option("paths", flags->paths, "Migration directories or files (default: the project's migrations)");
  cmd->add_flag("--strict", flags->strict, "Warnings fail too");
  cmd->add_option("--base", flags->base,
                  "Git ref: lint only migrations added or changed since it; editing one that exists there fails");
  cmd->callback([&ctx, rc, flags] { *rc = RunLint(ctx, *flags); });
}

}  // namespace dbroll::cli
