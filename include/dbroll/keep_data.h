// Keep-data archives: what `-- dbroll:keep-data` (or [migrations] keep_data)
// saved before a destructive statement, so the rollback of that version
// brings the data back. See docs/keep-data.md.
#ifndef DBROLL_KEEP_DATA_H_
#define DBROLL_KEEP_DATA_H_

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "dbroll/engine.h"
#include "dbroll/status.h"

namespace dbroll {

// One archive: the data one statement of one version destroyed.
struct ArchiveInfo {
  std::string version;
  int seq = 0;            // statement order within the version's up, from 1
  std::string kind;       // "column", "table", "renamed" (a dropped table renamed aside), "type", "rows", "update"
  std::string table;      // as written in the statement
  std::string columns;    // comma-separated columns as written ("" for whole rows)
  std::string archive;    // the archive table's name
  std::string created_at; // ISO 8601 UTC
  long long rows = 0;
  long long bytes = -1;   // size on disk where the database tells (-1: unknown)
  std::optional<std::string> purged_at;  // set once purged: the data is gone
};

struct PurgeOptions {
  // Purge archives of versions at or before the schema version this release
  // reached. Default: none.
  std::optional<std::string> before_release;
  // Purge archives created longer ago than this. Default: none.
  std::optional<std::chrono::seconds> older_than;
  bool dry_run = false;  // list what would be purged, change nothing
};

// Every archive the database holds (purged ones too), oldest version first.
// Empty when keep-data was never used.
Result<std::vector<ArchiveInfo>> ListArchives(Engine& engine);

// Drops the archive tables selected by `options` (at least one of
// before_release / older_than is required) and marks them purged; a later
// rollback of their versions is refused unless DownOptions::without_data.
// Takes the runner lock. Returns the archives purged.
Result<std::vector<ArchiveInfo>> PurgeArchives(Engine& engine, const PurgeOptions& options);

}  // namespace dbroll

#endif  // DBROLL_KEEP_DATA_H_
