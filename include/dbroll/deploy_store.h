// Where coordinated deploys and the deploy freeze are recorded: two tables
// beside the history tables (<prefix>_deploys, <prefix>_freeze), written by
// the Engine's driver so the coordinator never touches a Driver itself.
#ifndef DBROLL_DEPLOY_STORE_H_
#define DBROLL_DEPLOY_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "dbroll/status.h"

namespace dbroll {

// The life of a deploy. A record is written at every transition, so a killed
// dbroll leaves the state it stopped in.
enum class DeployState {
  kStarted,         // record written, migrations not yet applied
  kMigrated,        // schema at schema_to; the app-deploy hook runs next
  kAppDeployed,     // the app-deploy hook succeeded
  kVerifying,       // the health gates are running
  kAwaitingApproval,  // blue-green: green is healthy, traffic still on blue; a person decides
  kSucceeded,       // terminal: healthy
  kFailed,          // terminal: the migration failed before the app was touched
  kRollingBack,     // schema down, app revert and health check in progress
  kRolledBack,      // terminal: schema and app are back at the target release
  kRollbackFailed,  // terminal until a person acts; `dbroll rollback` retries
};
const char* DeployStateName(DeployState s);  // "started", "app-deployed", ...
// kInvalidArgument for an unknown name.
Result<DeployState> ParseDeployState(const std::string& name);
// True for states a deploy can still move out of (resume, rollback, or for
// kAwaitingApproval: approve / reject).
bool IsUnfinished(DeployState s);

struct DeployRecord {
  long long id = 0;                  // assigned by DeployStore::Create
  std::string release;               // the release being deployed
  std::string previous_release;      // release running before; "" when none
  std::string schema_from;           // newest applied version before; "" = none
  std::string schema_to;             // newest applied version after migrate
  std::string target_release;        // what a rollback returns to; default previous_release
  std::string target_schema;         // schema a rollback returns to; default schema_from
  std::string strategy = "rolling";  // how it was deployed
  DeployState state = DeployState::kStarted;
  std::string started_at, updated_at, finished_at;  // ISO 8601 UTC; finished "" until terminal
  std::string started_by;            // user@host
  std::string reason;                // why it failed or was rolled back; "" when none
  std::string failed_check;          // the health check that failed; "" when none
  std::string steps;                 // "migrate=12,app-deploy=340": milliseconds per step, in order
  std::string step_log;              // JSON array of {name, started_at, ms, outcome}; "" for old records
  long long hook_pgid = 0;           // process group of the hook running now; 0 when none
  std::string hook_host;             // host that hook runs on; "" when none
  bool gated = true;                 // false: no health gate checked the deploy
};

// The one deploy slot: whoever holds it may deploy, resume, roll back,
// approve or reject. Held by a process; a row in <prefix>_deploy_slot.
struct DeploySlot {
  std::string token;      // unique per claim; "" when the slot is free
  std::string holder;     // user@host
  std::string host;       // hostname of the holding process
  long long pid = 0;      // the holding process
  std::string since;      // ISO 8601 UTC
  long long deploy_id = 0;  // the deploy it runs; 0 until its record exists
};

struct FreezeRecord {
  std::string by, at, reason;  // who, when (ISO 8601 UTC), why
  long long deploy_id = 0;     // the deploy whose rollback froze deploys; 0 for a manual freeze
};

class DeployStore {
 public:
  virtual ~DeployStore() = default;

  // Inserts `record` (its id is ignored) and returns the new id.
  virtual Result<long long> Create(const DeployRecord& record) = 0;
  // Overwrites the record with record.id; kNotFound when there is none.
  virtual Status Update(const DeployRecord& record) = 0;
  // kNotFound when no deploy has this id.
  virtual Result<DeployRecord> Get(long long id) = 0;
  // Writes `record` only when the stored state is still `expected`, in one
  // conditional statement. False (nothing written) when another process
  // moved the deploy on; kNotFound when there is no such deploy.
  virtual Result<bool> UpdateIf(const DeployRecord& record, DeployState expected) = 0;
  // Newest first; `limit` <= 0 means all. Empty when nothing was ever deployed.
  virtual Result<std::vector<DeployRecord>> List(int limit) = 0;

  // The freeze, or nullopt when deploys are not frozen.
  virtual Result<std::optional<FreezeRecord>> GetFreeze() = 0;
  // Freezes deploys (replacing any earlier freeze record).
  virtual Status SetFreeze(const FreezeRecord& freeze) = 0;
  // Lifts the freeze; ok when there was none.
  virtual Status ClearFreeze() = 0;

  // Takes the deploy slot for `mine` in one conditional statement when it is
  // free or still held by `steal_token` (a holder known to be dead; "" for
  // none). Returns the slot as stored afterwards: claimed when its token is
  // mine.token, otherwise the holder to report.
  virtual Result<DeploySlot> ClaimSlot(const DeploySlot& mine, const std::string& steal_token) = 0;
  // Records the deploy the slot runs; only while `slot.token` holds it.
  virtual Status UpdateSlot(const DeploySlot& slot) = 0;
  // Frees the slot when `token` holds it; ok otherwise.
  virtual Status ReleaseSlot(const std::string& token) = 0;
};

}  // namespace dbroll

#endif  // DBROLL_DEPLOY_STORE_H_
