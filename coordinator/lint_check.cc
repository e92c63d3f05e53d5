// Deploy preflight checks through the linter's public API: lint errors in the
// pending migrations refuse any deploy; for blue-green, the old release keeps
// running on the new schema, so the backward-compatibility rules are errors
// too, whatever [lint] says.
#include <filesystem>
#include <set>

#include "dbroll/deploy_hooks.h"
#include "dbroll/lint.h"

namespace dbroll {
namespace {

// Rules whose findings break a release that still runs the old code.
const std::set<std::string>& CompatRules() {
  static const std::set<std::string> kRules = {
      "rename-column", "rename-table",       "add-required-column", "drop-not-null",      "rename-enum-value",
      "drop-column",   "drop-table",         "column-type-change",  "enum-value-removal",
  };
  return kRules;
}

class LintCheck : public MigrationCheck {
 public:
  // `forced`: rules that count as errors here whatever [lint] says; with
  // `only_forced`, findings of other rules do not count.
  LintCheck(Config config, std::set<std::string> forced, bool only_forced)
      : config_(std::move(config)), forced_(std::move(forced)), only_forced_(only_forced) {}

  Status Check(const std::vector<VersionStatus>& pending) override {
    auto options = LintOptionsFromConfig(config_);
    if (!options.ok()) return options.status();
    std::set<std::string> known;
    for (const RuleInfo& r : LintRules()) known.insert(r.id);
    for (const std::string& id : forced_) {
      options->disabled.erase(id);
      if (known.count(id)) options->severities[id] = Severity::kError;
    }
    const std::string root = config_.engine.base_dir.empty() ? std::filesystem::current_path().string()
                                                             : config_.engine.base_dir;
    std::vector<std::string> paths;
    for (const VersionStatus& v : pending) {
      if (v.up_path.empty()) continue;
      // Source paths are relative to the project, not to where dbroll runs.
      std::filesystem::path up(v.up_path);
      if (up.is_relative()) up = std::filesystem::path(root) / up;
      // Directory layout (0002_x/up.sql): lint the directory so the down is
      // seen too; the single-file layout is linted file by file.
      paths.push_back(up.filename() == "up.sql" ? up.parent_path().string() : up.string());
    }
    if (paths.empty()) return Status::Ok();
    auto migrations = LoadMigrationsForLint(paths, options->target.dialect, root,
                                            {config_.engine.migrations_layout, config_.engine.no_transaction_versions});
    if (!migrations.ok()) return migrations.status();
    auto linter = Linter::Create(options.value());
    if (!linter.ok()) return linter.status();
    std::string errors;
    for (const Finding& f : linter.value()->Lint(migrations.value())) {
      if (only_forced_ ? !forced_.count(f.rule) : f.severity != Severity::kError) continue;
      errors += (errors.empty() ? "" : "\n") + f.path + ":" + std::to_string(f.line) + ":" + std::to_string(f.column) +
                ": " + f.rule + ": " + f.message;
      if (!f.safe_alternative.empty()) errors += " -- " + f.safe_alternative;
    }
    if (errors.empty()) return Status::Ok();
    return Status(Code::kCheckFailed, errors);
  }

 private:
  Config config_;
  std::set<std::string> forced_;
  bool only_forced_;
};

}  // namespace

std::unique_ptr<MigrationCheck> NewCompatibilityCheck(const Config& config) {
  return std::make_unique<LintCheck>(config, CompatRules(), true);
}

std::unique_ptr<MigrationCheck> NewLintCheck(const Config& config) {
  return std::make_unique<LintCheck>(config, std::set<std::string>{}, false);
}

}  // namespace dbroll
