// Exit codes of the dbroll CLI: one table, documented in docs/cli.md.
#ifndef DBROLL_CLI_EXIT_CODES_H_
#define DBROLL_CLI_EXIT_CODES_H_

#include "dbroll/status.h"

namespace dbroll::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitCheckFailed = 1,      // validate/lint/verify/drift found problems
  kExitUsage = 2,            // bad flags, config, or migration files; unknown version/release
  kExitDatabase = 3,         // database error or connection lost: nothing half-done
  kExitMigrationFailed = 4,  // a migration failed; the database is as before
  kExitDirty = 5,            // a migration failed part-way; a person must decide
  kExitPending = 5,          // status --exit-code: not up to date (pending or dirty): do not deploy
  kExitLockTimeout = 6,      // another runner holds the lock
  kExitIrreversible = 7,     // down refused to cross an irreversible migration
  kExitRolledBack = 8,       // deploy failed and was rolled back
  kExitAwaitingApproval = 9, // blue-green deploy waits for dbroll approve
  kExitFrozen = 10,          // deploys are frozen
  kExitCommitUnknown = 11,   // commit outcome unknown: inspect before retrying
  kExitDeployInProgress = 12,  // another deploy is running: wait for it (or take over a dead one)
  kExitFleetFailed = 13,     // fleet: some targets failed or were not started (see the per-target lines)
  kExitInternal = 70,        // a bug in dbroll
};

inline int ExitCodeFor(const Status& s) {
  switch (s.code()) {
    case Code::kOk: return kExitOk;
    case Code::kCheckFailed: return kExitCheckFailed;
    case Code::kInvalidArgument:
    case Code::kNotFound:
    case Code::kUnsupported: return kExitUsage;
    case Code::kDatabaseError:
    case Code::kConnectionLost: return kExitDatabase;
    case Code::kMigrationFailed: return kExitMigrationFailed;
    case Code::kDirty: return kExitDirty;
    case Code::kLockTimeout: return kExitLockTimeout;
    case Code::kIrreversible: return kExitIrreversible;
    case Code::kRolledBack: return kExitRolledBack;
    case Code::kAwaitingApproval: return kExitAwaitingApproval;
    case Code::kFrozen: return kExitFrozen;
    case Code::kCommitUnknown: return kExitCommitUnknown;
    case Code::kDeployInProgress: return kExitDeployInProgress;
    case Code::kInternal: return kExitInternal;
  }
  return kExitInternal;
}

}  // namespace dbroll::cli

#endif  // DBROLL_CLI_EXIT_CODES_H_
