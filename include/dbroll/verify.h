// Proving migrations on a scratch database: verify (every down undoes its
// up) and drift (the live schema is what the applied migrations build).
#ifndef DBROLL_VERIFY_H_
#define DBROLL_VERIFY_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dbroll/engine.h"
#include "dbroll/options.h"
#include "dbroll/schema.h"
#include "dbroll/status.h"

namespace dbroll {

// One problem verify found, shaped like a lint finding.
struct VerifyFinding {
  std::string version, name;  // the migration
  // Stable kebab-case id: verify-up-fails, verify-down-fails,
  // verify-down-incomplete, verify-up-not-repeatable, verify-history-down-fails,
  // verify-data-lost (--data: the down loses rows or values)
  // (the down fails in the whole-history pass: all ups, then all downs newest first).
  std::string rule;
  std::string path;  // the script the finding points at (project-relative)
  int line = 0;      // 1-based; 0 when the finding is about the whole script
  int column = 0;
  // "0003_flags: down leaves column accounts.flag_b (boolean) behind"
  std::string message;
};

struct VerifiedVersion {
  std::string version, name;
  // "ok", "failed" or "not-verified" (with `reason`: an irreversible up, an
  // up that fails on a clean replay, --fail-fast).
  std::string state;
  std::string reason;  // why not verified; "" otherwise
  std::vector<VerifyFinding> findings;
};

struct VerifyReport {
  std::string scratch;  // what was used, e.g. "temporary database dbroll_scratch_123_1" (no secrets)
  std::vector<VerifiedVersion> versions;
  bool ok() const;
};

struct VerifyOptions {
  // Scratch database URL, used as given and not dropped. Default: a
  // temporary SQLite file, or a temporary PostgreSQL database / MySQL schema
  // created through the configured server and dropped afterwards.
  std::string scratch_url;
  // First version to verify; the scratch database is first migrated to the
  // version before it. Default: the first version.
  std::optional<std::string> from;
  // Stop after the first failed version; later versions are not verified.
  // Default: verify every version.
  bool fail_fast = false;
  // Also prove data: seed each table a version touches with generated rows
  // (when empty), and report rows and column values its down loses
  // (rule verify-data-lost). Default: schema only.
  bool data = false;
  // Called after each version of the per-version pass, for progress output
  // (the whole-history pass may add findings to a version later). Default: none.
  std::function<void(const VerifiedVersion&)> on_version;
};

// For each version from `from` on, starting from the state a clean replay of
// the ups reaches at the version before: snapshot, up, snapshot, down,
// snapshot (must equal the first), up again, snapshot (must equal the
// second). After a finding the scratch database is rebuilt (ups replayed from
// empty) to the clean state at that version, so every version is judged from
// a clean replay. Then the whole-history pass: all ups, then all downs newest
// first; a down that fails there is a finding on its version, naming the
// newer version whose incomplete down caused it when one can be told.
// Findings are values in the report; the Status is an error only when the
// run itself could not happen (no scratch database, unreadable migrations).
Result<VerifyReport> Verify(const EngineOptions& options, const VerifyOptions& verify);

struct DriftReport {
  std::string applied_version;        // newest version applied on the live database
  std::vector<SchemaChange> changes;  // from the replayed schema (before) to the live one (after)
  std::vector<std::string> messages;  // one per change, in order
  std::vector<std::string> notes;     // caveats: replay could not match the live history exactly
  bool ok() const { return changes.empty(); }
};

struct DriftOptions {
  std::string scratch_url;  // as VerifyOptions::scratch_url
};

// Replays the versions applied on `live` onto a scratch database and
// compares its schema with the live one. kDirty when the live database has a
// failed or interrupted version.
Result<DriftReport> CheckDrift(Engine& live, const DriftOptions& drift);

}  // namespace dbroll

#endif  // DBROLL_VERIFY_H_
