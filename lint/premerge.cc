// Pre-merge mode: which migration files a branch adds or edits, from git.
// git is run as a child process: linking libgit2 for two commands is not worth it.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "dbroll/lint.h"

namespace dbroll {
namespace {

std::string Quote(const std::string& s) {
  std::string o = "'";
  for (char c : s) o += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return o + "'";
}

Result<std::string> Run(const std::string& cmd) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return Status(Code::kInvalidArgument, "cannot run git -- is it installed?");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int rc = pclose(p);
  if (rc != 0) return Status(Code::kInvalidArgument, "git failed: " + out);
  return out;
}

}  // namespace

Result<BaseDiff> DiffAgainstBase(const std::string& project_dir, const std::string& migrations_dir,
                                 const std::string& base) {
  const std::string git = "git -C " + Quote(project_dir);
  auto verify = Run(git + " rev-parse --verify --quiet " + Quote(base + "^{commit}"));
  if (!verify.ok()) {
    return Status(Code::kInvalidArgument, "--base " + base + ": not a commit in " + project_dir +
                                              " -- fetch it first (git fetch origin " + base + ")");
  }
  // Against the merge base, so commits landed on base after branching do not count; the
  // working tree is included so the check works before committing too.
  auto mb = Run(git + " merge-base " + Quote(base) + " HEAD");
  std::string from = base;
  if (mb.ok() && !mb->empty()) from = mb->substr(0, mb->find('\n'));
  auto out = Run(git + " diff --relative --name-status --no-renames " + Quote(from) + " -- " + Quote(migrations_dir));
  if (!out.ok()) return out.status();
  auto untracked = Run(git + " ls-files --others --exclude-standard -- " + Quote(migrations_dir));
  BaseDiff d;
  std::istringstream in(*out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() < 3) continue;
    const char status = line[0];
    const std::string path = line.substr(line.find('\t') + 1);
    if (path.size() < 4 || path.compare(path.size() - 4, 4, ".sql") != 0) continue;
    if (status == 'A') d.added.insert(path);
    if (status == 'M' || status == 'T') d.modified.insert(path);
  }
  if (untracked.ok()) {
    std::istringstream u(*untracked);
    while (std::getline(u, line)) {
      if (line.size() >= 4 && line.compare(line.size() - 4, 4, ".sql") == 0) d.added.insert(line);
    }
  }
  return d;
}

Result<LintRun> LintProject(const Config& config, const std::string& project_dir,
                            const std::vector<std::string>& paths, const std::string& base) {
  namespace fs = std::filesystem;
  auto options = LintOptionsFromConfig(config);
  if (!options.ok()) return options.status();
  const fs::path base_dir = config.engine.base_dir.empty() ? fs::path(project_dir) : fs::path(config.engine.base_dir);
  const fs::path migrations = base_dir / config.engine.migrations_dir;
  std::vector<std::string> roots = paths;
  if (roots.empty()) roots.push_back(migrations.string());

  std::set<std::string> changed;
  if (!base.empty()) {
    std::error_code ec;
    const std::string rel = fs::relative(migrations, project_dir, ec).lexically_normal().string();
    if (ec) return Status(Code::kInvalidArgument, migrations.string() + ": " + ec.message());
    auto diff = DiffAgainstBase(project_dir, rel, base);
    if (!diff.ok()) return diff.status();
    changed = diff->added;
    changed.insert(diff->modified.begin(), diff->modified.end());
    options->edited_since_base = diff->modified;
  }
  auto loaded = LoadMigrationsForLint(roots, options->target.dialect, project_dir,
                                      {config.engine.migrations_layout, config.engine.no_transaction_versions});
  if (!loaded.ok()) return loaded.status();
  auto linter = Linter::Create(options.value());
  if (!linter.ok()) return linter.status();
  LintRun run;
  run.findings = linter.value()->Lint(loaded.value());
  std::set<std::string> reported;
  for (const auto& m : loaded.value()) {
    const bool in_scope = base.empty() || changed.count(m.up.path) || (m.down && changed.count(m.down->path));
    if (!in_scope) continue;
    reported.insert(m.up.path);
    run.files_checked += 1;
    if (m.down) {
      reported.insert(m.down->path);
      run.files_checked += 1;
    }
  }
  if (!base.empty()) std::erase_if(run.findings, [&](const Finding& f) { return !reported.count(f.path); });
  return run;
}

}  // namespace dbroll
