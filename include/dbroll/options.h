// Engine options and the dbroll.toml config that fills them.
#ifndef DBROLL_OPTIONS_H_
#define DBROLL_OPTIONS_H_

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dbroll/status.h"

namespace dbroll {

struct EngineOptions {
  // Database URL (sqlite:, postgres://, mysql://). Default: "sqlite:dbroll.db"
  // resolved against base_dir.
  std::string url = "sqlite:dbroll.db";
  // Directory relative paths resolve against (the config file's directory). Default: cwd.
  std::string base_dir;
  // Migrations directory, relative to base_dir. Default: "migrations".
  std::string migrations_dir = "migrations";
  // [migrations] layout: which tool's file layout the directory holds
  // ("auto", "dbroll", "golang-migrate", "popx", "diesel", "dbmate", "goose",
  // "sql-migrate", "flyway"; docs/guide.md "Layouts"). Default: "auto".
  std::string migrations_layout = "auto";
  // [migrations] no_transaction: versions whose up and down run outside a
  // transaction without editing their files. Default: none.
  std::vector<std::string> no_transaction_versions;
  // History table. Default: "dbroll_history"; the audit log is "<prefix>_log"
  // where prefix is the history name without "_history" (default "dbroll_log").
  std::string history_table = "dbroll_history";
  // PostgreSQL schema holding history and migrations. Default: none (search_path).
  std::string schema;
  // "sequence" or "timestamp": the form `dbroll new` gives versions. Default: "sequence".
  std::string versioning = "sequence";
  // Recorded as applied_by. Default: "$USER@hostname".
  std::string applied_by;
  // How long to wait for another runner's lock. Default: 60 s.
  std::chrono::milliseconds lock_timeout{60000};
  // Retries of a migration that failed only on a lock wait (PostgreSQL
  // lock_timeout), with backoff. Default: 5.
  int lock_retries = 5;
  // First backoff between lock retries; doubles each time, at most 5 s. Default: 200 ms.
  std::chrono::milliseconds lock_retry_backoff{200};
  // Dialect sections of the config as "postgres.lock_timeout" -> "5s"; the
  // driver reads its own prefix. Default: empty.
  std::map<std::string, std::string> driver_settings;
  // For commands that must change nothing (status, validate, history, lint,
  // --dry-run, schema dump, drift): the driver opens read-only (see
  // DriverOptions::read_only) and every write (migrate, down, baseline,
  // repair, the audit log) is kInvalidArgument. Default: false.
  bool read_only = false;
  // [migrations] keep_data: archive what every up's DROP COLUMN, DROP TABLE,
  // column type change and TRUNCATE destroy, as if each up began with
  // `-- dbroll:keep-data` (docs/keep-data.md). Default: false.
  bool keep_data = false;
  // [migrations] keep_data_max_rows: keep-data refuses, before anything
  // runs, to archive a table (DROP TABLE, DROP COLUMN, type change,
  // TRUNCATE) holding more rows than this (the server's estimate:
  // pg_class.reltuples, information_schema.TABLES.TABLE_ROWS; SQLite counts).
  // 0: no bound. Default: 0.
  long long keep_data_max_rows = 0;
  // Placeholders: `${name}` in SQL is replaced by its value, everywhere (as
  // Flyway does; `$${name}` is a literal `${name}`). Filled from
  // [placeholders] in dbroll.toml, then DBROLL_PLACEHOLDER_<name> in the
  // environment, then `--set name=value` (later wins). Default: empty.
  std::map<std::string, std::string> placeholders;
  // Whether `${name}` is replaced (and an undefined one is an error). On when
  // dbroll.toml has a [placeholders] table or any placeholder is set;
  // [placeholders] enabled = false turns it off. Default: false.
  bool placeholders_enabled = false;
};

// dbroll.toml, parsed. Sections the engine does not use ([lint], [deploy],
// [notify], [alerts], ...) are kept as flat "key" -> text maps; nested tables
// flatten to "a.b".
struct Config {
  std::string path;  // the file read, "" when none
  EngineOptions engine;
  std::map<std::string, std::map<std::string, std::string>> sections;

  // Value of `section.key`, or `fallback`.
  std::string Get(const std::string& section, const std::string& key,
                  const std::string& fallback = "") const;
};

// Reads `path` (toml). Unknown keys, wrong types and syntax errors are
// kInvalidArgument with "path:line:col: ..." text. `${VAR}` is expanded from
// the environment in strings. DBROLL_URL / DATABASE_URL override
// [database] url. A missing file is kNotFound.
Result<Config> LoadConfig(const std::string& path);

// Defaults for a project at `dir` with no config file.
Config DefaultConfig(const std::string& dir);

// Where a run's settings come from, resolved the way the CLI resolves them
// (so an orchestrator connects to exactly the database `dbroll` would).
struct ConfigSources {
  std::string dir = ".";  // project directory; its .env is read first. Default "."
  // Config file (relative: to the working directory, else to `dir`).
  // Default "": <dir>/dbroll.toml when present, else DefaultConfig(dir).
  std::string config;
  std::string url;  // overrides the config and the environment. Default: none
  std::optional<std::chrono::milliseconds> lock_timeout;  // overrides the config. Default: none
  // Placeholder values over the config's and the environment's (and turning
  // placeholders on). Default: none.
  std::map<std::string, std::string> placeholders;
};

// LoadDotenv(dir), then LoadConfig of the file found (or the defaults), then
// the overrides. Errors: those of LoadDotenv and LoadConfig; kInvalidArgument
// when <dir>/dbroll.toml cannot be looked at (a bad directory).
Result<Config> ResolveConfig(const ConfigSources& sources);

// Parses .env text as dbmate does: blank lines and `#` comments are skipped,
// `export ` is allowed, values may be 'single-quoted' (literal),
// "double-quoted" (\n, \", \\ escapes) or bare (trimmed, ` #comment` cut).
// kInvalidArgument naming `path`:line:column for anything else.
Result<std::vector<std::pair<std::string, std::string>>> ParseDotenv(const std::string& text,
                                                                     const std::string& path);

// Reads `dir`/.env when it exists and sets each variable the environment
// does not have yet (a CI secret is never replaced by a checked-in default).
Status LoadDotenv(const std::string& dir);

// "$USER@hostname": who is recorded in the history and logs by default.
std::string DefaultActor();

// The longest duration any setting takes: 2^31-1 ms (about 596 h), what
// PostgreSQL's lock_timeout and SQLite's busy timeout can hold.
inline constexpr long long kMaxDurationMs = 2147483647;

// Parses "5s", "200ms", "1.5s", "2m", "1h", "1500" (ms): digits, an optional
// fraction, an optional unit (ms, s, m, min, h). kInvalidArgument for anything
// else -- a sign, an exponent, "inf", "nan" -- or more than kMaxDurationMs;
// the message gives the accepted forms, callers prefix the key.
Result<std::chrono::milliseconds> ParseDuration(const std::string& text);

}  // namespace dbroll

#endif  // DBROLL_OPTIONS_H_
