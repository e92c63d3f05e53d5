#include "dbroll/status.h"

namespace dbroll {

const char* CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "ok";
    case Code::kInvalidArgument: return "invalid-argument";
    case Code::kNotFound: return "not-found";
    case Code::kCheckFailed: return "check-failed";
    case Code::kDatabaseError: return "database-error";
    case Code::kConnectionLost: return "connection-lost";
    case Code::kLockTimeout: return "lock-timeout";
    case Code::kMigrationFailed: return "migration-failed";
    case Code::kDirty: return "dirty";
    case Code::kCommitUnknown: return "commit-unknown";
    case Code::kDeployInProgress: return "deploy-in-progress";
    case Code::kIrreversible: return "irreversible";
    case Code::kUnsupported: return "unsupported";
    case Code::kFrozen: return "frozen";
    case Code::kRolledBack: return "rolled-back";
    case Code::kAwaitingApproval: return "awaiting-approval";
    case Code::kInternal: return "internal";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return message_;
}

}  // namespace dbroll
