// MySQL / MariaDB driver: the only file that includes mysql-connector-c++.
//
// One connection per driver, never reconnected: the migration lock
// (GET_LOCK) belongs to the session, so a silent reconnect would run
// migrations without it. Every connector exception is caught here and turned
// into a Status that keeps the server's errno and SQLSTATE.
//
// Under Galera (wsrep_on) GET_LOCK is node-local, so the lock is a row in a
// lock table instead, written under wsrep certification and kept alive by a
// heartbeat on a second connection (see drivers/mysql/galera.h, docs/clusters.md).
#include <mysql_connection.h>
#include <mysql_driver.h>
#include <cppconn/exception.h>
#include <cppconn/resultset.h>
#include <cppconn/resultset_metadata.h>
#include <cppconn/statement.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "dbroll/options.h"
#include "dbroll/url.h"
#include "drivers/factories.h"
#include "drivers/mysql/galera.h"

namespace dbroll::internal {
namespace {

// Client and server errors that mean the session is gone: the server went
// away, the network dropped, or someone ran KILL on the connection.
bool IsConnectionError(int errnum) {
  switch (errnum) {
    case 1053:  // ER_SERVER_SHUTDOWN
    case 1927:  // ER_CONNECTION_KILLED (MariaDB)
    case 2002:  // CR_CONNECTION_ERROR
    case 2003:  // CR_CONN_HOST_ERROR
    case 2005:  // CR_UNKNOWN_HOST
    case 2006:  // CR_SERVER_GONE_ERROR
    case 2013:  // CR_SERVER_LOST
    case 2055:  // CR_SERVER_LOST_EXTENDED
    case 4031:  // ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8)
      return true;
    default:
      return false;
  }
}

// Lock waits the engine may retry as a whole migration.
bool IsLockError(int errnum) {
  return errnum == 1205 /* ER_LOCK_WAIT_TIMEOUT */ || errnum == 1213 /* ER_LOCK_DEADLOCK */ ||
         errnum == 3572 /* ER_LOCK_NOWAIT */;
}

// "ERROR 1064 (42000): You have an error ..." as the mysql client prints it.
std::string Describe(const sql::SQLException& e) {
  if (e.getErrorCode() == 0) return e.what();
  return "ERROR " + std::to_string(e.getErrorCode()) + " (" + e.getSQLState() + "): " + e.what();
}

// MySQL reports syntax errors as "... near 'rest of statement' at line N"
// (N counted inside the statement). Returns the byte offset of that text in
// `sql` so the engine can point at path:line:col, or nullopt.
std::optional<size_t> NearPosition(const std::string& message, const std::string& sql) {
  const std::string kNear = "near '";
  const std::string kAtLine = "' at line ";
  size_t n = message.find(kNear);
  size_t a = message.rfind(kAtLine);
  if (n == std::string::npos || a == std::string::npos || a < n + kNear.size()) return std::nullopt;
  const std::string near = message.substr(n + kNear.size(), a - n - kNear.size());
  const int line = std::atoi(message.c_str() + a + kAtLine.size());
  if (line < 1) return std::nullopt;
  size_t line_start = 0;
  for (int l = 1; l < line && line_start != std::string::npos; ++l) {
    line_start = sql.find('\n', line_start);
    if (line_start != std::string::npos) ++line_start;
  }
  if (line_start == std::string::npos) return std::nullopt;
  if (near.empty()) return sql.size();  // the server wanted more: the error is at the end
  // The quoted text is the rest of the statement, cut at 80 characters.
  if (sql.size() >= near.size() && sql.compare(sql.size() - near.size(), near.size(), near) == 0) {
    return sql.size() - near.size();
  }
  size_t at = sql.find(near, line_start);
  if (at == std::string::npos) return std::nullopt;
  return at;
}

// GET_LOCK names are server-wide, so the database is part of the name.
// MySQL limits them to 64 characters; longer ones are hashed (FNV-1a).
std::string LockName(const std::string& database, const std::string& table) {
  std::string name = "dbroll:" + database + "." + table;
  if (name.size() <= 64) return name;
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : name) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return "dbroll:" + database.substr(0, 40) + ":" + buf;
}

class MysqlDriver : public Driver {
 public:
  MysqlDriver(std::unique_ptr<sql::Connection> conn, std::unique_ptr<sql::Statement> stmt,
              std::string where, std::string lock_name, sql::ConnectOptionsMap connect_options,
              std::string lock_table)
      : conn_(std::move(conn)),
        stmt_(std::move(stmt)),
        where_(std::move(where)),
        lock_name_(std::move(lock_name)),
        connect_options_(std::move(connect_options)),
        lock_table_(std::move(lock_table)) {}

  ~MysqlDriver() override {
    // Releasing explicitly lets the next runner in at once; closing alone
    // would also free the lock, but only when the server notices.
    try {
      StopHeartbeat();
      if (lock_held_) (void)Unlock();
      stmt_.reset();
      conn_->close();
    } catch (const std::exception&) {
      // The session is gone either way, and with it the lock.
    }
  }

  // Reads the flavour, version and session id, and applies session settings.
  Status Init(const std::map<std::string, std::string>& settings, bool require_tls, bool read_only) {
    // Before any SELECT: a Galera node outside the primary component refuses
    // them with an obscure error, and SHOW still works there.
    DBROLL_RETURN_IF_ERROR(InitGalera(settings));
    if (require_tls) {
      // The connector does not enforce ssl-mode with every client library, so
      // check the session itself rather than trust the option.
      auto cipher = Query("SHOW SESSION STATUS LIKE 'Ssl_cipher'");
      if (!cipher.ok()) return cipher.status();
      if (cipher->empty() || cipher->front().size() < 2 || cipher->front()[1].value_or("").empty()) {
        return Status(Code::kConnectionLost,
                      "cannot connect to " + where_ +
                          ": ssl-mode requires TLS, but the connection is not encrypted (the server has no SSL "
                          "configured, see SELECT @@have_ssl) -- configure TLS on the server or use ssl-mode=preferred");
      }
    }
    if (auto it = settings.find("mysql.lock_wait_timeout"); it != settings.end()) {
      auto d = ParseDuration(it->second);
      if (!d.ok()) return Status(Code::kInvalidArgument, "[mysql] lock_wait_timeout: " + d.status().message());
      const long long secs = std::max<long long>(1, (d->count() + 999) / 1000);
      DBROLL_RETURN_IF_ERROR(Exec("SET SESSION lock_wait_timeout=" + std::to_string(secs)));
    }
    // Read-only commands: the server refuses any write, DDL included.
    if (read_only) DBROLL_RETURN_IF_ERROR(Exec("SET SESSION TRANSACTION READ ONLY"));
    auto rows = Query("SELECT VERSION(), CONNECTION_ID()");
    if (!rows.ok()) return rows.status();
    if (rows->empty() || rows->front().size() < 2 || !rows->front()[0]) {
      return Status(Code::kDatabaseError, where_ + ": the server did not report its version");
    }
    const std::string v = *rows->front()[0];
    connection_id_ = rows->front()[1].value_or("?");
    mariadb_ = v.find("MariaDB") != std::string::npos;
    // "10.11.6-MariaDB-0+deb12u1" -> "10.11.6"; "8.0.36-0ubuntu0" -> "8.0.36".
    size_t end = 0;
    while (end < v.size() && (std::isdigit(static_cast<unsigned char>(v[end])) || v[end] == '.')) ++end;
    version_ = std::string(mariadb_ ? "MariaDB " : "MySQL ") + v.substr(0, end);
    return Status::Ok();
  }

  Dialect dialect() const override { return Dialect::kMysql; }
  std::string ServerVersion() const override { return version_; }
  // MySQL and MariaDB commit every DDL statement implicitly.
  bool TransactionalDdl() const override { return false; }
  // The history's columns are utf8mb4; so is the connection unless the URL
  // names another charset (which the server then converts from).
  bool RequiresUtf8() const override { return utf8_; }
  void set_utf8(bool utf8) { utf8_ = utf8; }

  Status Lock(std::chrono::milliseconds timeout) override {
    // MariaDB counts nested GET_LOCKs on one session; keep it at one level
    // so that one Unlock always frees it.
    if (lock_held_) return Status::Ok();
    if (galera_) return GaleraLock(timeout);
    char secs[32];
    if (mariadb_) {
      std::snprintf(secs, sizeof secs, "%.3f", timeout.count() / 1000.0);
    } else {
      // MySQL takes whole seconds; rounding up never gives up early.
      std::snprintf(secs, sizeof secs, "%lld", static_cast<long long>((timeout.count() + 999) / 1000));
    }
    // IS_USED_LOCK runs after GET_LOCK gave up, so it names the holder.
    auto rows = Query("SELECT GET_LOCK(" + HexLiteral(lock_name_) + ", " + secs + "), IS_USED_LOCK(" +
                      HexLiteral(lock_name_) + ")");
    if (!rows.ok()) return rows.status();
    const Row& r = rows->front();
    if (r[0] && *r[0] == "1") {
      lock_held_ = true;
      return Status::Ok();
    }
    if (r[0] && *r[0] == "0") {
      return Status(Code::kLockTimeout, where_ + ": lock '" + lock_name_ + "' is held by connection " +
                                            r[1].value_or("?") + " -- another dbroll is running");
    }
    return Status(Code::kDatabaseError, where_ + ": GET_LOCK('" + lock_name_ +
                                            "') failed (the session was killed or the server is out of memory)");
  }

  Status Unlock() override {
    if (!lock_held_) return Status::Ok();
    lock_held_ = false;
    if (galera_ && lock_row_) {
      StopHeartbeat();
      return lock_row_->Release();
    }
    return Exec("DO RELEASE_LOCK(" + HexLiteral(lock_name_) + ")");
  }

  Status RunTransaction(const std::vector<Statement>& statements,
                        const std::vector<std::string>& bookkeeping) override {
    if (galera_) {
      const bool from_file = std::any_of(statements.begin(), statements.end(),
                                         [](const Statement& st) { return !st.path.empty(); });
      DBROLL_RETURN_IF_ERROR(EnsureOsu(from_file));
    }
    DBROLL_RETURN_IF_ERROR(Exec("START TRANSACTION"));
    int index = 0;
    for (const auto& st : statements) {
      if (Status s = Exec(st.text); !s.ok()) return Abort(s.set_statement_index(index));
      ++index;
    }
    for (const auto& sql : bookkeeping) {
      if (Status s = Exec(sql); !s.ok()) return Abort(s.set_statement_index(index));
      ++index;
    }
    // The history write and the lock row certify together: if another runner
    // took the lock over, one of the two transactions is refused.
    if (Status s = FenceGaleraLock(); !s.ok()) return Abort(s.set_statement_index(index));
    if (Status s = Exec("COMMIT"); !s.ok()) {
      if (s.code() == Code::kConnectionLost) {
        // The server may have committed before the connection dropped.
        Status unknown(Code::kCommitUnknown,
                       s.message() + " -- the connection dropped during COMMIT, so whether the migration "
                                     "was committed is unknown; check the history table before running again");
        unknown.set_sqlstate(s.sqlstate());
        return unknown;
      }
      return Abort(s);
    }
    return Status::Ok();
  }

  Status RunStatement(const Statement& statement) override {
    if (lock_lost_ && lock_row_) return lock_row_->LostStatus();
    if (galera_) DBROLL_RETURN_IF_ERROR(EnsureOsu(!statement.path.empty()));
    return Exec(statement.text);
  }

  // Under Galera connection ids are per node: "<wsrep_gcomm_uuid>/<id>".
  std::string SessionId() const override {
    return galera_ ? node_uuid_ + "/" + connection_id_ : connection_id_;
  }

  // A killed client's statement runs on until the server notices; so does
  // its session, and with it the session's GET_LOCK.
  Result<bool> SessionAlive(const std::string& full_id) override {
    if (full_id == SessionId()) return false;
    std::string id = full_id;
    if (const size_t slash = full_id.find('/'); slash != std::string::npos) {
      const std::string node = full_id.substr(0, slash);
      id = full_id.substr(slash + 1);
      if (galera_ && node != node_uuid_) {
        // A node that left the cluster (or restarted: a new gcomm uuid) took
        // its sessions with it; a live one cannot be asked from here.
        auto member = Query("SELECT node_name FROM mysql.wsrep_cluster_members WHERE node_uuid = " +
                            HexLiteral(node));
        if (!member.ok()) return member.status();
        if (member->empty()) return false;
        return Status(Code::kDatabaseError, "that session is on Galera node " +
                                                member->front()[0].value_or("?") + ", not on node " + node_name_ +
                                                " which dbroll is connected to -- run dbroll against that node");
      }
    }
    if (id.empty() || !std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
    auto rows = Query("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = " + id);
    if (!rows.ok()) return rows.status();
    return !rows->empty() && rows->front()[0].value_or("0") != "0";
  }

  // One query over information_schema; with named objects every lookup is an
  // equality on the schema and table columns the server uses as lookup keys
  // (table_schema, event_object_schema), so it does not open every table.
  std::string CatalogFingerprintSql(const std::vector<std::string>& objects, const std::string& exclude_prefix,
                                    FingerprintScope scope) const override {
    // An introducer, not CONVERT(): the server looks a literal up by key, but
    // scans every table of the schema for an expression (0.8 ms with 1,000).
    auto lit = [](const std::string& v) { return "_utf8mb4 " + HexLiteral(v); };
    auto cond = [&](const std::string& col) {
      if (objects.empty()) {
        return "LEFT(" + col + ", " + std::to_string(exclude_prefix.size()) + ") <> " + lit(exclude_prefix);
      }
      std::string c;
      for (const auto& o : objects) c += (c.empty() ? "" : " OR ") + col + " = " + lit(o);
      return "(" + c + ")";
    };
    const bool existence = scope == FingerprintScope::kExistence && !objects.empty();
    // information_schema.TABLES alone is a lookup by key; COLUMNS and
    // STATISTICS open every table they name (about 1 ms a statement).
    std::string sql = std::string("(SELECT CONCAT('") + (existence ? "fpx:" : "fp:") +
                      "', IFNULL(MD5(GROUP_CONCAT(MD5(x) ORDER BY x SEPARATOR '')), 'none')) FROM ("
                      "SELECT CONCAT_WS('|', 't', table_name, table_type) AS x FROM information_schema.TABLES"
                      " WHERE table_schema = DATABASE() AND " + cond("table_name");
    if (existence) return sql + ") f)";
    sql += " UNION ALL SELECT CONCAT_WS('|', 'c', table_name, column_name, ordinal_position, column_type, is_nullable,"
           " IFNULL(column_default, '~')) FROM information_schema.COLUMNS WHERE table_schema = DATABASE() AND " +
           cond("table_name") +
           " UNION ALL SELECT CONCAT_WS('|', 'i', table_name, index_name, seq_in_index, column_name, non_unique)"
           " FROM information_schema.STATISTICS WHERE table_schema = DATABASE() AND " + cond("table_name") +
           " UNION ALL SELECT CONCAT_WS('|', 'k', table_name, constraint_name, constraint_type)"
           " FROM information_schema.TABLE_CONSTRAINTS WHERE table_schema = DATABASE() AND " +
           cond("table_name") +
           " UNION ALL SELECT CONCAT_WS('|', 'g', event_object_table, trigger_name, MD5(action_statement))"
           " FROM information_schema.TRIGGERS WHERE event_object_schema = DATABASE() AND " +
           cond("event_object_table");
    if (objects.empty()) {
      sql += " UNION ALL SELECT CONCAT_WS('|', 'r', routine_type, routine_name, MD5(IFNULL(routine_definition, '')))"
             " FROM information_schema.ROUTINES WHERE routine_schema = DATABASE()";
    }
    return sql + ") f)";
  }

  Result<std::vector<Row>> Query(const std::string& sql) override {
    try {
      std::unique_ptr<sql::ResultSet> rs(stmt_->executeQuery(sql));
      std::vector<Row> rows;
      const unsigned n = rs->getMetaData()->getColumnCount();
      while (rs->next()) {
        Row r(n);
        for (unsigned i = 0; i < n; ++i) {
          if (!rs->isNull(i + 1)) r[i] = std::string(rs->getString(i + 1));
        }
        rows.push_back(std::move(r));
      }
      rs.reset();
      DrainMoreResults();
      return rows;
    } catch (const sql::SQLException& e) {
      return FromException(e, sql);
    }
  }

 private:
  // ---- Galera: node state, cluster-wide lock, heartbeat ----

  Result<GaleraNode> ReadGaleraNode() {
    GaleraNode node;
    auto vars = Query("SHOW SESSION VARIABLES WHERE Variable_name IN ('wsrep_node_name', 'wsrep_OSU_method')");
    if (!vars.ok()) return vars.status();
    auto status = Query(
        "SHOW STATUS WHERE Variable_name IN ('wsrep_cluster_status', 'wsrep_local_state_comment', 'wsrep_gcomm_uuid')");
    if (!status.ok()) return status.status();
    for (const auto* rows : {&vars.value(), &status.value()}) {
      for (const Row& r : *rows) {
        if (r.size() < 2 || !r[0]) continue;
        std::string k = *r[0];
        for (char& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        const std::string v = r[1].value_or("");
        if (k == "wsrep_node_name") node.name = v;
        if (k == "wsrep_osu_method") node.osu_method = v;
        if (k == "wsrep_cluster_status") node.cluster_status = v;
        if (k == "wsrep_local_state_comment") node.local_state = v;
        if (k == "wsrep_gcomm_uuid") node_uuid_ = v;
      }
    }
    node_name_ = node.name;
    return node;
  }

  Status InitGalera(const std::map<std::string, std::string>& settings) {
    auto on = Query("SHOW VARIABLES LIKE 'wsrep_on'");
    if (!on.ok()) return on.status();
    if (on->empty() || on->front().size() < 2 || on->front()[1].value_or("") != "ON") return Status::Ok();
    galera_ = true;
    if (auto it = settings.find("mysql.galera_lock_ttl"); it != settings.end()) {
      auto d = ParseDuration(it->second);
      if (!d.ok()) return Status(Code::kInvalidArgument, "[mysql] galera_lock_ttl: " + d.status().message());
      if (d->count() < 3000) {
        return Status(Code::kInvalidArgument, "[mysql] galera_lock_ttl = \"" + it->second +
                                                  "\" is shorter than 3s -- use at least \"3s\" (default \"30s\")");
      }
      lock_ttl_ = *d;
    }
    auto node = ReadGaleraNode();
    if (!node.ok()) return node.status();
    // Outside the primary component the node serves nothing (and says so
    // obscurely); a node that is not synced still serves reads, and Lock()
    // refuses it for writes.
    if (auto why = GaleraNodeRefusal(where_, *node); why && node->cluster_status != "Primary") {
      return Status(Code::kDatabaseError, *why);
    }
    const auto osu_it = settings.find("mysql.galera_osu");
    const std::string configured = osu_it == settings.end() ? "" : osu_it->second;
    auto osu = DecideGaleraOsu(where_, configured, *node);
    if (!osu.ok()) {
      if (!configured.empty()) return osu.status();  // a bad value
      // A session in RSU nobody asked for: reads are fine, Lock() refuses writes.
      osu_refusal_ = osu.status();
    }
    // dbroll's own tables (history, lock) must exist on every node, so the
    // session stays in TOI and switches to RSU only around migration files'
    // statements (EnsureOsu).
    rsu_ = osu.ok() && *osu == GaleraOsu::kRsu;
    if (osu.ok() && node->osu_method != "TOI") DBROLL_RETURN_IF_ERROR(Exec("SET SESSION wsrep_OSU_method = 'TOI'"));
    // Causal reads: the history read after taking the lock sees every write
    // the cluster committed before, even those this node has not applied yet.
    if (node->local_state == "Synced") DBROLL_RETURN_IF_ERROR(Exec("SET SESSION wsrep_sync_wait = 1"));
    return Status::Ok();
  }

  // RSU for statements from migration files when configured, TOI for
  // everything dbroll generates.
  Status EnsureOsu(bool from_file) {
    const bool want = rsu_ && from_file;
    if (want == in_rsu_) return Status::Ok();
    DBROLL_RETURN_IF_ERROR(Exec(std::string("SET SESSION wsrep_OSU_method = ") + (want ? "'RSU'" : "'TOI'")));
    in_rsu_ = want;
    return Status::Ok();
  }

  Status GaleraLock(std::chrono::milliseconds timeout) {
    if (!osu_refusal_.ok()) return osu_refusal_;
    DBROLL_RETURN_IF_ERROR(EnsureOsu(false));
    auto node = ReadGaleraNode();
    if (!node.ok()) return node.status();
    if (auto why = GaleraNodeRefusal(where_, *node)) return Status(Code::kDatabaseError, *why);
    char host[256] = "?";
    if (gethostname(host, sizeof host - 1) != 0) host[0] = '?';
    host[sizeof host - 1] = '\0';
    GaleraLockRow::Identity id;
    id.where = where_;
    id.table = lock_table_;
    id.name = lock_name_;
    id.owner =
        std::string(host) + " pid " + std::to_string(getpid()) + ", node " + node_name_ + " connection " + connection_id_;
    id.node_name = node_name_;
    id.node_uuid = node_uuid_;
    id.connection_id = connection_id_;
    id.ttl = lock_ttl_;
    lock_row_ = std::make_unique<GaleraLockRow>([this](const std::string& sql) { return Exec(sql); },
                                                [this](const std::string& sql) { return Query(sql); }, id);
    DBROLL_RETURN_IF_ERROR(lock_row_->Acquire(timeout));
    lock_held_ = true;
    lock_lost_ = false;
    StartHeartbeat();
    return Status::Ok();
  }

  // Refreshes the lock row inside the caller's transaction.
  Status FenceGaleraLock() {
    if (!galera_ || !lock_held_ || !lock_row_) return Status::Ok();
    if (lock_lost_) return lock_row_->LostStatus();
    Status s = lock_row_->Fence();
    if (!s.ok() && s.message() == lock_row_->LostStatus().message()) lock_lost_ = true;
    return s;
  }

  // The heartbeat runs on its own connection: the main one may be busy with
  // a long statement for longer than the TTL.
  void StartHeartbeat() {
    StopHeartbeat();
    {
      std::lock_guard<std::mutex> g(hb_mu_);
      hb_stop_ = false;
    }
    const std::string sql = lock_row_->RefreshSql();
    heartbeat_ = std::thread([this, sql] { HeartbeatLoop(sql); });
  }

  void StopHeartbeat() {
    if (!heartbeat_.joinable()) return;
    {
      std::lock_guard<std::mutex> g(hb_mu_);
      hb_stop_ = true;
    }
    hb_cv_.notify_all();
    heartbeat_.join();
  }

  void HeartbeatLoop(const std::string& sql) {
    sql::mysql::MySQL_Driver* vendor = sql::mysql::get_mysql_driver_instance();
    vendor->threadInit();
    std::unique_ptr<sql::Connection> conn;
    std::unique_ptr<sql::Statement> st;
    std::unique_lock<std::mutex> lk(hb_mu_);
    while (!hb_cv_.wait_for(lk, lock_ttl_ / 3, [this] { return hb_stop_; })) {
      lk.unlock();
      try {
        if (!conn) {
          sql::ConnectOptionsMap m = connect_options_;
          conn.reset(vendor->connect(m));
          st.reset(conn->createStatement());
        }
        if (st->executeUpdate(sql) == 0) lock_lost_ = true;
      } catch (const sql::SQLException&) {
        // The node may be gone; the main connection will report it. Try
        // again at the next beat on a new connection.
        st.reset();
        conn.reset();
      }
      lk.lock();
    }
    lk.unlock();
    try {
      st.reset();
      if (conn) conn->close();
    } catch (const sql::SQLException&) {
    }
    conn.reset();
    vendor->threadEnd();
  }

  Status Exec(const std::string& sql) {
    try {
      bool has_rows = stmt_->execute(sql);
      // A result set left unread would put the session out of sync.
      if (has_rows) std::unique_ptr<sql::ResultSet>(stmt_->getResultSet());
      DrainMoreResults();
      return Status::Ok();
    } catch (const sql::SQLException& e) {
      return FromException(e, sql);
    }
  }

  // CALL returns one result per SELECT in the procedure, then a status.
  void DrainMoreResults() {
    while (stmt_->getMoreResults()) std::unique_ptr<sql::ResultSet>(stmt_->getResultSet());
  }

  Status Abort(Status s) {
    // After a lost connection there is nothing to roll back: the server did it.
    if (s.code() != Code::kConnectionLost) (void)Exec("ROLLBACK");
    return s;
  }

  Status FromException(const sql::SQLException& e, const std::string& sql) {
    const int errnum = e.getErrorCode();
    Code code = Code::kDatabaseError;
    std::string message = Describe(e);
    if (IsConnectionError(errnum)) {
      code = Code::kConnectionLost;
      lock_held_ = false;  // the server freed it with the session
      // Galera: the lock row stays until its TTL (or until a contender sees
      // this session or node gone); stop keeping it alive.
      if (heartbeat_.joinable()) StopHeartbeat();
      message += " -- connection " + connection_id_ + " to " + where_ +
                 " is gone (server restart, network, or KILL), and the dbroll lock with it";
    } else if (IsLockError(errnum)) {
      code = Code::kLockTimeout;
    }
    Status s(code, message);
    s.set_sqlstate(e.getSQLState());
    if (errnum == 1064 || errnum == 1149) {
      if (auto p = NearPosition(e.what(), sql)) s.set_position(*p);
    }
    return s;
  }

  std::unique_ptr<sql::Connection> conn_;
  std::unique_ptr<sql::Statement> stmt_;
  std::string where_;  // the redacted URL, for messages
  std::string lock_name_;
  std::string version_;
  std::string connection_id_ = "?";
  bool mariadb_ = true;
  bool lock_held_ = false;
  bool utf8_ = true;
  // Galera only.
  sql::ConnectOptionsMap connect_options_;  // for the heartbeat connection
  std::string lock_table_;
  bool galera_ = false;
  bool rsu_ = false;     // [mysql] galera_osu = "rsu"
  Status osu_refusal_;   // the session was in RSU without galera_osu = "rsu"
  bool in_rsu_ = false;  // the session's wsrep_OSU_method is RSU now
  std::string node_name_;
  std::string node_uuid_;
  std::unique_ptr<GaleraLockRow> lock_row_;  // while Lock() holds it
  std::chrono::milliseconds lock_ttl_ = kGaleraLockTtl;
  std::atomic<bool> lock_lost_{false};
  std::thread heartbeat_;
  std::mutex hb_mu_;
  std::condition_variable hb_cv_;
  bool hb_stop_ = false;
};

// Seconds from "10", "10s", "500ms", "1m".
Result<int> ParseSeconds(const std::string& key, const std::string& text) {
  const bool bare = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
  if (bare && text.size() <= 9) return std::atoi(text.c_str());
  auto d = ParseDuration(bare ? text + "s" : text);
  if (!d.ok()) {
    return Status(Code::kInvalidArgument, key + "=" + text + " is not a duration -- use seconds, e.g. " + key + "=10");
  }
  return static_cast<int>(std::max<long long>(1, (d->count() + 999) / 1000));
}

// Fills the connector options from the URL parameters; `require_tls` is set
// for ssl-mode=required / verify-ca / verify-identity.
Status ApplyParams(const Url& url, const std::string& where, sql::ConnectOptionsMap* m, bool* require_tls) {
  static const std::set<std::string> kKnown = {"ssl-mode", "ssl-ca", "ssl-cert", "ssl-key",
                                               "connect-timeout", "charset", "socket"};
  for (const auto& [k, v] : url.params) {
    if (!kKnown.count(k)) {
      return Status(Code::kInvalidArgument,
                    where + ": unknown parameter '" + k +
                        "' -- mysql URLs take ssl-mode, ssl-ca, ssl-cert, ssl-key, connect-timeout, charset, socket");
    }
  }
  auto param = [&](const std::string& k, const std::string& fallback) {
    auto it = url.params.find(k);
    return it == url.params.end() ? fallback : it->second;
  };
  auto timeout = ParseSeconds("connect-timeout", param("connect-timeout", "10"));
  if (!timeout.ok()) return timeout.status();
  (*m)["OPT_CONNECT_TIMEOUT"] = timeout.value();
  (*m)["OPT_CHARSET_NAME"] = sql::SQLString(param("charset", "utf8mb4"));
  std::string mode = param("ssl-mode", "preferred");
  for (char& c : mode) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::replace(mode.begin(), mode.end(), '_', '-');
  if (mode == "disabled") {
    (*m)["sslEnforce"] = false;
  } else if (mode == "required" || mode == "verify-ca" || mode == "verify-identity") {
    (*m)["sslEnforce"] = true;
    *require_tls = true;
    if (mode != "required") (*m)["sslVerify"] = true;
  } else if (mode != "preferred") {
    return Status(Code::kInvalidArgument,
                  where + ": ssl-mode=" + mode +
                      " is not one of disabled, preferred, required, verify-ca, verify-identity");
  }
  if (auto ca = param("ssl-ca", ""); !ca.empty()) (*m)["sslCA"] = sql::SQLString(ca);
  if (auto cert = param("ssl-cert", ""); !cert.empty()) (*m)["sslCert"] = sql::SQLString(cert);
  if (auto key = param("ssl-key", ""); !key.empty()) (*m)["sslKey"] = sql::SQLString(key);
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Driver>> OpenMysqlDriver(const DriverOptions& options) {
  const std::string where = RedactUrl(options.url);
  auto url = ParseUrl(options.url);
  if (!url.ok()) return url.status();
  if (url->database.empty()) {
    return Status(Code::kInvalidArgument,
                  where + ": the URL names no database -- use mysql://user@host:3306/DATABASE");
  }
  sql::ConnectOptionsMap m;
  bool require_tls = false;
  if (Status s = ApplyParams(url.value(), where, &m, &require_tls); !s.ok()) return s;
  const std::string socket = url->params.count("socket") ? url->params.at("socket") : "";
  if (!socket.empty()) {
    // The client library takes the socket only for "localhost".
    m["hostName"] = sql::SQLString("localhost");
    m["socket"] = sql::SQLString(socket);
  } else {
    m["hostName"] = sql::SQLString(url->host.empty() ? "127.0.0.1" : url->host);
    m["port"] = url->port ? url->port : 3306;
  }
  std::string user = url->user;
  if (user.empty()) {
    const char* env = std::getenv("USER");
    user = env && *env ? env : "root";
  }
  m["userName"] = sql::SQLString(user);
  if (url->has_password) m["password"] = sql::SQLString(url->password);
  m["schema"] = sql::SQLString(url->database);
  // A reconnect would silently drop the session's GET_LOCK.
  m["OPT_RECONNECT"] = false;

  std::unique_ptr<sql::Connection> conn;
  std::unique_ptr<sql::Statement> stmt;
  try {
    sql::mysql::MySQL_Driver* vendor = sql::mysql::get_mysql_driver_instance();
    conn.reset(vendor->connect(m));
    stmt.reset(conn->createStatement());
  } catch (const sql::SQLException& e) {
    const int errnum = e.getErrorCode();
    Status s(IsConnectionError(errnum) ? Code::kConnectionLost : Code::kDatabaseError,
             "cannot connect to " + where + ": " + Describe(e));
    s.set_sqlstate(e.getSQLState());
    return s;
  }
  auto driver = std::make_unique<MysqlDriver>(std::move(conn), std::move(stmt), where,
                                              LockName(url->database, options.history_table), m,
                                              GaleraLockTable(options.history_table));
  if (Status s = driver->Init(options.settings, require_tls, options.read_only); !s.ok()) return s;
  std::string charset = url->params.count("charset") ? url->params.at("charset") : "utf8mb4";
  for (char& c : charset) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  driver->set_utf8(charset.rfind("utf8", 0) == 0);
  return std::unique_ptr<Driver>(std::move(driver));
}

}  // namespace dbroll::internal
