// purge: drop keep-data archives of versions that will not be rolled back.
#include <CLI/CLI.hpp>
#include <cctype>
#include <iostream>

#include "cli/commands/commands.h"
#include "dbroll/keep_data.h"

namespace dbroll::cli {
namespace {

// "30d", "12h", "45m", "90s", "2w", "0s": an age for --older-than.
Result<std::chrono::seconds> ParseAge(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  const std::string unit = text.substr(i);
  long long mult = 0;
  if (unit == "s") mult = 1;
  if (unit == "m" || unit == "min") mult = 60;
  if (unit == "h") mult = 3600;
  if (unit == "d") mult = 86400;
  if (unit == "w") mult = 7 * 86400;
  if (i == 0 || i > 9 || mult == 0) {
    return Status(Code::kInvalidArgument, "--older-than " + text +
                                              ": expected a whole number with a unit s, m, h, d or w (e.g. 30d) -- "
                                              "nothing was purged");
  }
  return std::chrono::seconds(std::stoll(text.substr(0, i)) * mult);
}

}  // namespace

void RegisterPurge(CLI::App& app, Context& ctx, int* rc) {
  auto* cmd = app.add_subcommand("purge", "Drop keep-data archives of versions that will not be rolled back");
  auto before = std::make_shared<std::string>();
  auto older = std::make_shared<std::string>();
  auto dry = std::make_shared<bool>(false);
  cmd->add_option("--before-release", *before, "Archives of versions that release already had");
  cmd->add_option("--older-than", *older, "Archives older than this (e.g. 30d, 12h, 0s)");
  cmd->add_flag("--dry-run", *dry, "List what would be purged; change nothing");
  cmd->callback([&ctx, rc, before, older, dry] {
    PurgeOptions o;
    o.dry_run = *dry;
    if (!before->empty()) o.before_release = *before;
    if (!older->empty()) {
      auto age = ParseAge(*older);
      if (!age.ok()) {
        *rc = ctx.Fail(age.status());
        return;
      }
      o.older_than = age.value();
    }
    ctx.read_only = o.dry_run;
    *rc = WithEngine(ctx, [&](Engine& e, const Config&) -> Status {
      auto purged = PurgeArchives(e, o);
      if (!purged.ok()) return purged.status();
      for (const auto& a : purged.value()) {
        std::cout << (o.dry_run ? "would purge " : "purged ") << a.version << ": " << a.table
                  << (a.columns.empty() ? "" : "." + a.columns) << " (" << a.rows << " rows, " << a.archive
                  << ")\n";
      }
      if (purged->empty()) std::cout << "nothing to purge\n";
      return Status::Ok();
    });
  });
}

}  // namespace dbroll::cli
