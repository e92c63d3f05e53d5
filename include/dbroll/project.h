// What a project needs around a run, for the CLI and any orchestrator alike:
// the next migration's files, the schema file, the deploy gate over a status
// report, and release tags.
#ifndef DBROLL_PROJECT_H_
#define DBROLL_PROJECT_H_

#include <string>

#include "dbroll/engine.h"
#include "dbroll/options.h"
#include "dbroll/status.h"

namespace dbroll {

// The version the next migration in `migrations_dir` gets. "sequence"
// (default): one more than the highest leading number of any entry, as wide
// as the widest one (at least 4 digits: 0001); numbers of any length, never
// overflowing. "timestamp": the UTC time as YYYYMMDDHHMMSS, or the next free
// number after it when taken. A missing directory has no versions.
// Errors: kInvalidArgument when the directory cannot be read.
Result<std::string> NextVersion(const std::string& migrations_dir, const std::string& versioning);

struct NewMigration {
  std::string version;
  std::string up_path, down_path;  // the files created
};

// Creates <migrations dir>/<NextVersion>_<name>/up.sql and down.sql (the
// migrations directory too when missing); characters of `name` other than
// letters and digits become '_'. Never overwrites: kInvalidArgument when a
// file exists or cannot be written.
Result<NewMigration> CreateMigration(const Config& config, const std::string& name);

// Writes `dbroll.toml` (pointing at `database_url`) and an empty migrations
// directory in `dir`. kInvalidArgument when dbroll.toml exists already.
// `created` receives the config path and the migrations directory.
Status InitProject(const std::string& dir, const std::string& database_url, std::vector<std::string>* created);

// When `[migrations] schema_file` is set, rewrites it (relative to the
// config's directory) with the live schema's snapshot text; call it after a
// migrate or down that changed something. Ok when unset.
Status UpdateSchemaFile(Engine& engine, const Config& config);

// Replaces `path` with `text` atomically (write beside, then rename), so a
// reader never sees half a file.
Status ReplaceFile(const std::string& path, const std::string& text);

// The deploy gate (`dbroll status --exit-code`): Ok when every migration is
// applied; kDirty naming the first failed or interrupted version; kCheckFailed
// listing the pending versions (the first five). Both carry a Remedy.
Status CheckUpToDate(const StatusReport& report);

// Ok for a release tag made of [A-Za-z0-9._+-], 1..128 long, not starting
// with '-' or '.' (safe in URLs, file names and shell arguments); otherwise
// kInvalidArgument. Engine::Migrate, Engine::Down and deploys check it.
Status ValidateReleaseTag(const std::string& tag);

}  // namespace dbroll

#endif  // DBROLL_PROJECT_H_
