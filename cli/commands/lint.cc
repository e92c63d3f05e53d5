// dbroll lint: flags, config, one Linter call, rendered output.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands/commands.h"
#include "cli/exit_codes.h"
#include "dbroll/lint.h"

namespace dbroll::cli {
namespace {

namespace fs = std::filesystem;

struct LintFlags {
  std::vector<std::string> paths;
  bool strict = false;
  std::string base;
};

int RunLint(Context& ctx, const LintFlags& flags) {
  auto cfg = ctx.LoadConfig();
  if (!cfg.ok()) return ctx.Fail(cfg.status());
  auto options = LintOptionsFromConfig(cfg.value());
  if (!options.ok()) return ctx.Fail(options.status());
  const std::string& format = ctx.globals.format;
  if (format != "text" && format != "json" && format != "sarif" && format != "github" && format != "junit") {
    return ctx.Fail(Status(Code::kInvalidArgument,
                           "--format " + format + " is not known to lint -- use text, json, sarif, github or junit"));
  }
  const std::string project = ctx.globals.dir;
  const fs::path base_dir = cfg->engine.base_dir.empty() ? fs::path(project) : fs::path(cfg->engine.base_dir);
  const fs::path migrations = base_dir / cfg->engine.migrations_dir;
  std::vector<std::string> paths = flags.paths;
  if (paths.empty()) paths.push_back(migrations.string());

  std::set<std::string> changed;
  if (!flags.base.empty()) {
    std::error_code ec;
    const std::string rel = fs::relative(migrations, project, ec).lexically_normal().string();
    if (ec) return ctx.Fail(Status(Code::kInvalidArgument, migrations.string() + ": " + ec.message()));
    auto diff = DiffAgainstBase(project, rel, flags.base);
    if (!diff.ok()) return ctx.Fail(diff.status());
    changed = diff->added;
    changed.insert(diff->modified.begin(), diff->modified.end());
    options->edited_since_base = diff->modified;
  }

  auto loaded = LoadMigrationsForLint(paths, options->target.dialect, project,
                                      {cfg->engine.migrations_layout, cfg->engine.no_transaction_versions});
  if (!loaded.ok()) return ctx.Fail(loaded.status());
  auto linter = Linter::Create(options.value());
  if (!linter.ok()) return ctx.Fail(linter.status());
  // Every migration is linted so later ones know the schema the earlier ones
  // built; in pre-merge mode only the changed ones are reported.
  std::vector<Finding> findings = linter.value()->Lint(loaded.value());
  int files = 0;
  std::set<std::string> reported;
  for (const auto& m : loaded.value()) {
    const bool in_scope = flags.base.empty() || changed.count(m.up.path) || (m.down && changed.count(m.down->path));
    if (!in_scope) continue;
    reported.insert(m.up.path);
    files += 1;
    if (m.down) {
      reported.insert(m.down->path);
      files += 1;
    }
  }
  if (!flags.base.empty()) {
    std::erase_if(findings, [&](const Finding& f) { return !reported.count(f.path); });
  }
  auto text = RenderFindings(findings, format, files, format == "text" && ctx.color());
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
