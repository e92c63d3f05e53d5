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

const char* RemedyName(Remedy remedy) {
  switch (remedy) {
    case Remedy::kNone: return "";
    case Remedy::kRunMigrate: return "migrate";
    case Remedy::kRunDown: return "down";
    case Remedy::kRunDownWithoutData: return "down-without-data";
    case Remedy::kInspectStatus: return "status";
    case Remedy::kInspectHistory: return "history";
    case Remedy::kValidate: return "validate";
    case Remedy::kMarkRolledBack: return "mark-rolled-back";
    case Remedy::kMarkApplied: return "mark-applied";
    case Remedy::kMarkAppliedOrRolledBack: return "mark-applied-or-rolled-back";
    case Remedy::kDecideStatement: return "decide-statement";
    case Remedy::kRepairVersion: return "repair";
    case Remedy::kPurgeArchives: return "purge";
    case Remedy::kRunAdopt: return "adopt";
    case Remedy::kRunDrop: return "drop";
    case Remedy::kInspectDeploys: return "deploys";
    case Remedy::kResumeDeploy: return "resume-deploy";
    case Remedy::kResumeOrRollbackDeploy: return "resume-or-rollback-deploy";
    case Remedy::kRollbackDeploy: return "rollback-deploy";
    case Remedy::kUnfreeze: return "unfreeze";
    case Remedy::kApproveOrReject: return "approve-or-reject";
    case Remedy::kInitProject: return "init";
  }
  return "";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return message_;
}

}  // namespace dbroll
