// The migration linter: finds irreversible, backward-incompatible and locking
// statements before they are merged. Rules and their ids are listed by
// LintRules(); each has a page in docs/lint/<rule-id>.md.
#ifndef DBROLL_LINT_H_
#define DBROLL_LINT_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "dbroll/migration.h"
#include "dbroll/options.h"
#include "dbroll/source.h"
#include "dbroll/status.h"

namespace dbroll {

// kInfo findings never fail a run (not even --strict): they say what dbroll
// will do, e.g. where keep-data archives a dropped column.
enum class Severity { kError, kWarning, kInfo };
const char* SeverityName(Severity s);  // "error", "warning", "info"

// The server the migrations are written for: what is safe depends on it.
struct LintTarget {
  Dialect dialect = Dialect::kPostgres;
  std::string flavor = "postgres";  // "postgres", "mysql", "mariadb" or "sqlite"
  int major = 15;
  int minor = 0;
};
// Parses "postgres:15", "mysql:8.0", "mariadb:10.11", "sqlite:3.40" (version
// optional). Errors: kInvalidArgument naming the accepted forms.
Result<LintTarget> ParseLintTarget(const std::string& text);

struct LintOptions {
  // Server and version. Default: postgres:15.
  LintTarget target;
  // Per-rule severity overrides. Default: each rule's own severity.
  std::map<std::string, Severity> severities;
  // Rule ids never reported. Default: none.
  std::set<std::string> disabled;
  // Path globs (fnmatch, relative to the project) never linted. Default: none.
  std::vector<std::string> skip;
  // The PostgreSQL driver sets lock_timeout for every migration session, so
  // missing-lock-timeout has nothing to report. LintOptionsFromConfig sets it
  // unless `[postgres] lock_timeout` is "0" (the driver's default is 5s).
  // Default: false (no config known).
  bool session_lock_timeout = false;
  // Script paths (as in Script::path) that exist in the pre-merge base and
  // were changed: reported by edited-merged-migration. Default: none.
  std::set<std::string> edited_since_base;
  // [migrations] keep_data: every up archives what its destructive
  // statements destroy, so drop-column and friends are settled (an info
  // finding from keep-data instead). Default: false.
  bool keep_data = false;
};

// Options from `[lint]` / `[lint.severity]`; `target` defaults to the dialect
// of the config's database URL. Errors: kInvalidArgument for an unknown rule
// id, severity or target.
Result<LintOptions> LintOptionsFromConfig(const Config& config);

struct Finding {
  std::string rule;       // stable kebab-case id, e.g. "drop-column"
  Severity severity = Severity::kError;
  std::string path;       // as shown to the user
  int line = 1;           // 1-based
  int column = 1;         // 1-based, in UTF-8 characters
  std::string message;    // what is wrong, object first
  std::string safe_alternative;  // what to do instead; may be empty
  std::string source_line;       // the text of `line`, for carets
};

struct RuleInfo {
  std::string id;
  Severity severity;     // default
  std::string summary;   // one line
};
// Every rule, in id order.
const std::vector<RuleInfo>& LintRules();

class Linter {
 public:
  virtual ~Linter() = default;

  // Lints migrations in version order; `migrations` may be a subset of a
  // project. Findings are sorted by path, line, column. Never fails: files
  // that cannot be split or parsed become findings.
  virtual std::vector<Finding> Lint(const std::vector<Migration>& migrations) = 0;

  // Errors: kInvalidArgument for an unknown rule id in the options.
  static Result<std::unique_ptr<Linter>> Create(LintOptions options);
};

// Migrations under `paths` (migration directories, a directory of them, or
// single .sql files of either layout), with the files for `dialect`. Unlike
// MigrationSource, a missing down is not an error here: missing-down reports
// it. Paths are shown relative to `display_root`; `source` carries the
// [migrations] layout and no_transaction keys. Errors: kNotFound for a path
// that does not exist, kInvalidArgument for an unreadable file.
Result<std::vector<Migration>> LoadMigrationsForLint(const std::vector<std::string>& paths,
                                                     Dialect dialect, const std::string& display_root,
                                                     const DirectoryOptions& source = {});

// Output formats of `dbroll lint`: "text", "json", "sarif", "github", "junit".
// `color` only affects text. Errors: kInvalidArgument for an unknown format.
Result<std::string> RenderFindings(const std::vector<Finding>& findings, const std::string& format,
                                   int files_checked, bool color = false);

// Pre-merge mode: migration files added or modified since `base` in the git
// repository holding `project_dir`, as paths relative to `project_dir`.
struct BaseDiff {
  std::set<std::string> added;     // new since base: lint these
  std::set<std::string> modified;  // existed in base and changed: already merged, an error
};
// Errors: kInvalidArgument when git fails (not a repository, unknown ref).
Result<BaseDiff> DiffAgainstBase(const std::string& project_dir, const std::string& migrations_dir,
                                 const std::string& base);

struct LintRun {
  std::vector<Finding> findings;  // sorted by path, line, column
  int files_checked = 0;          // files whose findings are reported
};
// `dbroll lint` in one call: lints `paths` (default: the project's migrations
// directory) with the options from `config`, paths shown relative to
// `project_dir`. With a git ref `base` (pre-merge mode) every migration is
// still linted, so later ones know the schema earlier ones built, but only
// those added or changed since `base` are reported, and an edit of one that
// exists there is an error. Errors: as LintOptionsFromConfig,
// LoadMigrationsForLint and DiffAgainstBase.
Result<LintRun> LintProject(const Config& config, const std::string& project_dir,
                            const std::vector<std::string>& paths = {}, const std::string& base = "");

// `dbroll verify`'s report (dbroll/verify.h) in the formats lint writes, SARIF
// and GitHub through the same writers as lint's findings: "text" (one line
// per version), "json" (one entry per version), "sarif", "github" (workflow
// commands) or "junit" (one testcase per version). kInvalidArgument otherwise.
struct VerifyReport;
struct VerifiedVersion;
Result<std::string> RenderVerifyReport(const VerifyReport& report, const std::string& format);
// "ok           0001_accounts" (state padded to 13), then the version's
// reason and finding messages indented; `color` colours the state.
std::string VerifyVersionText(const VerifiedVersion& v, bool color);

}  // namespace dbroll

#endif  // DBROLL_LINT_H_
