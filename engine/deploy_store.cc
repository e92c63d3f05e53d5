#include "engine/deploy_store.h"

#include <chrono>
#include <cstdlib>
#include <random>
#include <set>
#include <thread>

#include "engine/history.h"

namespace dbroll {

const char* DeployStateName(DeployState s) {
  switch (s) {
    case DeployState::kStarted: return "started";
    case DeployState::kMigrated: return "migrated";
    case DeployState::kAppDeployed: return "app-deployed";
    case DeployState::kVerifying: return "verifying";
    case DeployState::kAwaitingApproval: return "awaiting-approval";
    case DeployState::kSucceeded: return "succeeded";
    case DeployState::kFailed: return "failed";
    case DeployState::kRollingBack: return "rolling-back";
    case DeployState::kRolledBack: return "rolled-back";
    case DeployState::kRollbackFailed: return "rollback-failed";
  }
  return "?";
}

Result<DeployState> ParseDeployState(const std::string& name) {
  for (DeployState s : {DeployState::kStarted, DeployState::kMigrated, DeployState::kAppDeployed,
                        DeployState::kVerifying, DeployState::kAwaitingApproval, DeployState::kSucceeded, DeployState::kFailed,
                        DeployState::kRollingBack, DeployState::kRolledBack,
                        DeployState::kRollbackFailed}) {
    if (name == DeployStateName(s)) return s;
  }
  return Status(Code::kInvalidArgument, "unknown deploy state \"" + name + "\"");
}

bool IsUnfinished(DeployState s) {
  switch (s) {
    case DeployState::kStarted:
    case DeployState::kMigrated:
    case DeployState::kAppDeployed:
    case DeployState::kVerifying:
    case DeployState::kAwaitingApproval:
    case DeployState::kRollingBack:
      return true;
    default:
      return false;
  }
}

namespace internal {
namespace {

constexpr char kColumns[] =
    "release_tag, previous_release, schema_from, schema_to, target_release, target_schema,"
    " strategy, state, started_at, updated_at, finished_at, started_by, reason, failed_check, steps,"
    " step_log, hook_pgid, hook_host, gated";

// Columns added after the first release: an older table gets them on first use.
constexpr const char* kAddedColumns[] = {"step_log", "hook_pgid", "hook_host", "gated", "write_token"};

std::string NewToken() {
  static thread_local std::mt19937_64 rng(std::random_device{}() ^
                                          static_cast<unsigned long long>(
                                              std::chrono::steady_clock::now().time_since_epoch().count()));
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return buf;
}

class SqlDeployStore : public DeployStore {
 public:
  SqlDeployStore(Driver* driver, const std::string& schema, const std::string& history_table)
      : driver_(driver), d_(driver->dialect()), schema_(schema) {
    std::string stem = history_table;
    const std::string suffix = "_history";
    if (stem.size() > suffix.size() && stem.compare(stem.size() - suffix.size(), suffix.size(), suffix) == 0) {
      stem.resize(stem.size() - suffix.size());
    }
    auto qualify = [&](const std::string& t) {
      return schema.empty() ? QuoteIdent(d_, t) : QuoteIdent(d_, schema) + "." + QuoteIdent(d_, t);
    };
    deploys_name_ = stem + "_deploys";
    deploys_ = qualify(deploys_name_);
    freeze_ = qualify(stem + "_freeze");
    slot_ = qualify(stem + "_deploy_slot");
  }

  Result<long long> Create(const DeployRecord& r) override {
    DBROLL_RETURN_IF_ERROR(Ensure());
    // No RETURNING in MySQL, so the id is chosen in the INSERT itself; the
    // primary key turns a concurrent insert of the same id into an error.
    DBROLL_RETURN_IF_ERROR(Run("INSERT INTO " + deploys_ + " (id, " + kColumns + ") SELECT COALESCE(MAX(id), 0) + 1, " +
                               Values(r) + " FROM " + deploys_));
    auto rows = driver_->Query("SELECT MAX(id) FROM " + deploys_ + " WHERE release_tag=" + Lit(r.release) +
                               " AND started_at=" + Lit(r.started_at));
    if (!rows.ok()) return rows.status();
    if (rows->empty() || !rows->front()[0]) return Status(Code::kInternal, "deploy record vanished after insert");
    return std::atoll(rows->front()[0]->c_str());
  }

  Status Update(const DeployRecord& r) override {
    DBROLL_RETURN_IF_ERROR(Ensure());
    auto existing = Get(r.id);
    if (!existing.ok()) return existing.status();
    return Run("UPDATE " + deploys_ + " SET " + SetClause(r, NewToken()) + " WHERE id=" + std::to_string(r.id));
  }

  Result<bool> UpdateIf(const DeployRecord& r, DeployState expected) override {
    DBROLL_RETURN_IF_ERROR(Ensure());
    // Drivers do not report affected rows, so each write carries a fresh
    // token: the row holds ours afterwards only when our condition matched.
    const std::string token = NewToken();
    DBROLL_RETURN_IF_ERROR(Run("UPDATE " + deploys_ + " SET " + SetClause(r, token) + " WHERE id=" +
                               std::to_string(r.id) + " AND state=" + Lit(DeployStateName(expected))));
    auto rows = driver_->Query("SELECT write_token FROM " + deploys_ + " WHERE id=" + std::to_string(r.id));
    if (!rows.ok()) return rows.status();
    if (rows->empty()) {
      return Status(Code::kNotFound, "deploy " + std::to_string(r.id) + " does not exist -- the deploy list shows the deploys there are")
          .set_remedy(Remedy::kInspectDeploys);
    }
    return rows->front()[0] && *rows->front()[0] == token;
  }

  Result<DeploySlot> ClaimSlot(const DeploySlot& mine, const std::string& steal_token) override {
    DBROLL_RETURN_IF_ERROR(Ensure());
    std::string cond = "token IS NULL OR token=''";
    if (!steal_token.empty()) cond += " OR token=" + Lit(steal_token);
    DBROLL_RETURN_IF_ERROR(Run("UPDATE " + slot_ + " SET token=" + Lit(mine.token) + ", holder=" + Lit(mine.holder) +
                               ", host=" + Lit(mine.host) + ", pid=" + std::to_string(mine.pid) +
                               ", since=" + Lit(mine.since) + ", deploy_id=" + std::to_string(mine.deploy_id) +
                               " WHERE id=1 AND (" + cond + ")"));
    auto rows = driver_->Query("SELECT token, holder, host, pid, since, deploy_id FROM " + slot_ + " WHERE id=1");
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return Status(Code::kInternal, "the deploy slot row is missing from " + slot_);
    const Row& r = rows->front();
    DeploySlot s;
    s.token = Text(r[0]);
    s.holder = Text(r[1]);
    s.host = Text(r[2]);
    s.pid = r[3] ? std::atoll(r[3]->c_str()) : 0;
    s.since = Text(r[4]);
    s.deploy_id = r[5] ? std::atoll(r[5]->c_str()) : 0;
    return s;
  }

  Status UpdateSlot(const DeploySlot& slot) override {
    DBROLL_RETURN_IF_ERROR(Ensure());
    return Run("UPDATE " + slot_ + " SET deploy_id=" + std::to_string(slot.deploy_id) +
               " WHERE id=1 AND token=" + Lit(slot.token));
  }

  Status ReleaseSlot(const std::string& token) override {
    DBROLL_RETURN_IF_ERROR(Ensure());
    return Run("UPDATE " + slot_ + " SET token=NULL, holder=NULL, host=NULL, pid=NULL, since=NULL, deploy_id=NULL"
               " WHERE id=1 AND token=" + Lit(token));
  }

  Result<DeployRecord> Get(long long id) override {
    auto rows = Select(" WHERE id=" + std::to_string(id));
    if (!rows.ok()) return rows.status();
    if (rows->empty()) {
      return Status(Code::kNotFound, "deploy " + std::to_string(id) + " does not exist -- the deploy list shows the deploys there are")
          .set_remedy(Remedy::kInspectDeploys);
    }
    return std::move(rows->front());
  }

  Result<std::vector<DeployRecord>> List(int limit) override {
    return Select(" ORDER BY id DESC" + (limit > 0 ? " LIMIT " + std::to_string(limit) : std::string()));
  }

  Result<std::optional<FreezeRecord>> GetFreeze() override {
    auto exists = TableExists();
    if (!exists.ok()) return exists.status();
    if (!exists.value()) return std::optional<FreezeRecord>();
    auto rows = driver_->Query("SELECT frozen_by, frozen_at, reason, deploy_id FROM " + freeze_ + " WHERE id=1");
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return std::optional<FreezeRecord>();
    const Row& r = rows->front();
    FreezeRecord f{Text(r[0]), Text(r[1]), Text(r[2]), r[3] ? std::atoll(r[3]->c_str()) : 0};
    return std::optional<FreezeRecord>(std::move(f));
  }

  Status SetFreeze(const FreezeRecord& f) override {
    DBROLL_RETURN_IF_ERROR(Ensure());
    // Delete + insert in one transaction: the same on every dialect, and a
    // reader never sees deploys unfrozen in between.
    return driver_->RunTransaction(
        {}, {"DELETE FROM " + freeze_ + " WHERE id=1",
             "INSERT INTO " + freeze_ + " (id, frozen_by, frozen_at, reason, deploy_id) VALUES (1, " + Lit(f.by) +
                 ", " + Lit(f.at) + ", " + Lit(f.reason) + ", " + std::to_string(f.deploy_id) + ")"});
  }

  Status ClearFreeze() override {
    DBROLL_RETURN_IF_ERROR(Ensure());
    return Run("DELETE FROM " + freeze_ + " WHERE id=1");
  }

 private:
  std::string Lit(const std::string& v) const { return QuoteLiteral(d_, v); }
  static std::string Text(const std::optional<std::string>& v) { return v ? *v : std::string(); }
  Status Run(const std::string& sql) { return driver_->RunStatement(Statement{sql, "", 1, 1, 0}); }

  std::string SetClause(const DeployRecord& r, const std::string& token) const {
    return "previous_release=" + Lit(r.previous_release) + ", schema_from=" + Lit(r.schema_from) +
           ", schema_to=" + Lit(r.schema_to) + ", target_release=" + Lit(r.target_release) +
           ", target_schema=" + Lit(r.target_schema) + ", strategy=" + Lit(r.strategy) +
           ", state=" + Lit(DeployStateName(r.state)) + ", updated_at=" + Lit(r.updated_at) +
           ", finished_at=" + Lit(r.finished_at) + ", reason=" + Lit(r.reason) +
           ", failed_check=" + Lit(r.failed_check) + ", steps=" + Lit(r.steps) + ", step_log=" + Lit(r.step_log) +
           ", hook_pgid=" + std::to_string(r.hook_pgid) + ", hook_host=" + Lit(r.hook_host) +
           ", gated=" + Lit(r.gated ? "true" : "false") + ", write_token=" + Lit(token);
  }

  std::string Values(const DeployRecord& r) const {
    return Lit(r.release) + ", " + Lit(r.previous_release) + ", " + Lit(r.schema_from) + ", " + Lit(r.schema_to) +
           ", " + Lit(r.target_release) + ", " + Lit(r.target_schema) + ", " + Lit(r.strategy) + ", " +
           Lit(DeployStateName(r.state)) + ", " + Lit(r.started_at) + ", " + Lit(r.updated_at) + ", " +
           Lit(r.finished_at) + ", " + Lit(r.started_by) + ", " + Lit(r.reason) + ", " + Lit(r.failed_check) +
           ", " + Lit(r.steps) + ", " + Lit(r.step_log) + ", " + std::to_string(r.hook_pgid) + ", " +
           Lit(r.hook_host) + ", " + Lit(r.gated ? "true" : "false");
  }

  // Probing with a query that fails when the table is missing would abort a
  // PostgreSQL transaction, so existence is asked of the catalog instead.
  Result<bool> TableExists() {
    if (ensured_) return true;
    return CatalogHasTable(*driver_, deploys_name_, schema_);
  }

  // Several deploys may start on a fresh database at once; concurrent DDL can
  // fail on a server (PostgreSQL's catalog, "column exists"), so a failed
  // attempt is retried after the others had their turn.
  Status Ensure() {
    if (ensured_) return Status::Ok();
    Status s;
    for (int attempt = 0; attempt < 4; ++attempt) {
      s = EnsureOnce();
      if (s.ok()) {
        ensured_ = true;
        return s;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50 * (attempt + 1)));
    }
    return s;
  }

  Status EnsureOnce() {
    DBROLL_RETURN_IF_ERROR(driver_->PrepareForWrites());
    const bool my = d_ == Dialect::kMysql;
    const std::string text = my ? "LONGTEXT" : "TEXT";
    const std::string tail = my ? " DEFAULT CHARSET=utf8mb4" : "";
    const std::vector<std::string> ddl = {
        "CREATE TABLE IF NOT EXISTS " + deploys_ +
            " (id BIGINT NOT NULL PRIMARY KEY, release_tag VARCHAR(255) NOT NULL, previous_release VARCHAR(255),"
            " schema_from VARCHAR(64), schema_to VARCHAR(64), target_release VARCHAR(255), target_schema VARCHAR(64),"
            " strategy VARCHAR(32) NOT NULL, state VARCHAR(32) NOT NULL, started_at VARCHAR(32) NOT NULL,"
            " updated_at VARCHAR(32) NOT NULL, finished_at VARCHAR(32), started_by VARCHAR(255), reason " + text +
            ", failed_check " + text + ", steps " + text + ")" + tail,
        "CREATE TABLE IF NOT EXISTS " + freeze_ +
            " (id INTEGER NOT NULL PRIMARY KEY, frozen_by VARCHAR(255) NOT NULL, frozen_at VARCHAR(32) NOT NULL,"
            " reason " + text + " NOT NULL, deploy_id BIGINT)" + tail,
        "CREATE TABLE IF NOT EXISTS " + slot_ +
            " (id INTEGER NOT NULL PRIMARY KEY, token VARCHAR(64), holder VARCHAR(255), host VARCHAR(255),"
            " pid BIGINT, since VARCHAR(32), deploy_id BIGINT)" + tail,
    };
    for (const auto& s : ddl) DBROLL_RETURN_IF_ERROR(Run(s));
    auto columns = Columns();
    if (!columns.ok()) return columns.status();
    for (const char* c : kAddedColumns) {
      if (columns->count(c)) continue;
      const std::string type = std::string(c) == "hook_pgid" ? "BIGINT"
                               : std::string(c) == "step_log" ? text
                                                              : "VARCHAR(255)";
      DBROLL_RETURN_IF_ERROR(Run("ALTER TABLE " + deploys_ + " ADD COLUMN " + c + " " + type));
    }
    switch (d_) {
      case Dialect::kSqlite: return Run("INSERT OR IGNORE INTO " + slot_ + " (id) VALUES (1)");
      case Dialect::kPostgres: return Run("INSERT INTO " + slot_ + " (id) VALUES (1) ON CONFLICT DO NOTHING");
      case Dialect::kMysql: return Run("INSERT IGNORE INTO " + slot_ + " (id) VALUES (1)");
    }
    return Status::Ok();
  }

  Result<std::set<std::string>> Columns() {
    std::string sql;
    switch (d_) {
      case Dialect::kSqlite:
        sql = "SELECT name FROM pragma_table_info(" + Lit(deploys_name_) + ")";
        break;
      case Dialect::kPostgres:
        sql = "SELECT column_name FROM information_schema.columns WHERE table_name=" + Lit(deploys_name_) +
              " AND table_schema=" + (schema_.empty() ? std::string("current_schema()") : Lit(schema_));
        break;
      case Dialect::kMysql:
        sql = "SELECT column_name FROM information_schema.columns WHERE table_schema=DATABASE() AND table_name=" +
              Lit(deploys_name_);
        break;
    }
    auto rows = driver_->Query(sql);
    if (!rows.ok()) return rows.status();
    std::set<std::string> out;
    for (const Row& r : rows.value()) {
      if (r[0]) out.insert(*r[0]);
    }
    return out;
  }

  Result<std::vector<DeployRecord>> Select(const std::string& tail) {
    auto exists = TableExists();
    if (!exists.ok()) return exists.status();
    if (!exists.value()) return std::vector<DeployRecord>{};
    DBROLL_RETURN_IF_ERROR(Ensure());  // an older table gets the newer columns
    auto rows = driver_->Query(std::string("SELECT id, ") + kColumns + " FROM " + deploys_ + tail);
    if (!rows.ok()) return rows.status();
    std::vector<DeployRecord> out;
    for (const Row& r : rows.value()) {
      DeployRecord d;
      d.id = r[0] ? std::atoll(r[0]->c_str()) : 0;
      d.release = Text(r[1]);
      d.previous_release = Text(r[2]);
      d.schema_from = Text(r[3]);
      d.schema_to = Text(r[4]);
      d.target_release = Text(r[5]);
      d.target_schema = Text(r[6]);
      d.strategy = Text(r[7]);
      auto state = ParseDeployState(Text(r[8]));
      if (!state.ok()) {
        return Status(Code::kUnsupported, "deploy " + std::to_string(d.id) + ": " + state.status().message() +
                                              " -- written by a newer dbroll? upgrade dbroll");
      }
      d.state = state.value();
      d.started_at = Text(r[9]);
      d.updated_at = Text(r[10]);
      d.finished_at = Text(r[11]);
      d.started_by = Text(r[12]);
      d.reason = Text(r[13]);
      d.failed_check = Text(r[14]);
      d.steps = Text(r[15]);
      d.step_log = Text(r[16]);
      d.hook_pgid = r[17] ? std::atoll(r[17]->c_str()) : 0;
      d.hook_host = Text(r[18]);
      d.gated = Text(r[19]) != "false";
      out.push_back(std::move(d));
    }
    return out;
  }

  Driver* driver_;
  Dialect d_;
  std::string schema_;
  std::string deploys_name_;      // unqualified
  std::string deploys_, freeze_, slot_;  // qualified and quoted
  bool ensured_ = false;
};

}  // namespace

std::unique_ptr<DeployStore> NewSqlDeployStore(Driver* driver, const std::string& schema,
                                               const std::string& history_table) {
  return std::make_unique<SqlDeployStore>(driver, schema, history_table);
}

}  // namespace internal
}  // namespace dbroll
