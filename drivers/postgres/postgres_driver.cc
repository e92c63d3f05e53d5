// PostgreSQL driver: with pg_conn.cc, the only code that includes libpqxx.
//
// pqxx opens the connection and runs the engine's queries and the lock calls.
// The migration path (RunTransaction, RunStatement) speaks to the same
// connection through libpq (pg::Connection hands out its PGconn, pg::Res
// frees each result), because it needs two things pqxx 6 does not expose:
// one result per statement of a multi-statement string (so that a migration
// and its history row travel in one round trip, yet the failed statement is
// still known exactly), and the error's position, DETAIL and HINT fields.
#include <libpq-fe.h>
#include <unistd.h>

#include <pqxx/pqxx>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <thread>

#include "dbroll/options.h"
#include "dbroll/url.h"
#include "drivers/factories.h"
#include "drivers/postgres/pg_conn.h"
#include "drivers/postgres/pg_syntax.h"
#include "drivers/postgres/pg_text.h"

namespace dbroll::internal {
namespace {

constexpr std::chrono::milliseconds kDefaultLockTimeout{5000};
constexpr std::chrono::milliseconds kDefaultReplicaWaitTimeout{300000};
using Clock = std::chrono::steady_clock;

// "16/B374D848" -> its 64-bit position; 0 for anything else.
uint64_t ParseLsn(const std::string& text) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 >= text.size()) return 0;
  try {
    return (std::stoull(text.substr(0, slash), nullptr, 16) << 32) | std::stoull(text.substr(slash + 1), nullptr, 16);
  } catch (...) {
    return 0;
  }
}

std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", s);
  return buf;
}

bool IsConnectionSqlstate(const std::string& s) {
  // Class 08 is connection exceptions; 57P01-57P03 are the server shutting
  // the session down (pg_terminate_backend, crash, startup).
  return s.rfind("08", 0) == 0 || s == "57P01" || s == "57P02" || s == "57P03";
}

// 55P03 is lock_not_available (lock_timeout), 40P01 a deadlock: both mean
// "try the whole transaction again later", which is what kLockTimeout asks.
Code CodeForSqlstate(const std::string& s) {
  if (s == "55P03" || s == "40P01") return Code::kLockTimeout;
  if (IsConnectionSqlstate(s)) return Code::kConnectionLost;
  return Code::kDatabaseError;
}

std::string Describe(std::string primary, const std::string& sqlstate, const std::string& detail,
                     const std::string& hint) {
  while (!primary.empty() && (primary.back() == '\n' || primary.back() == ' ')) primary.pop_back();
  if (!sqlstate.empty()) primary += " (SQLSTATE " + sqlstate + ")";
  if (!detail.empty()) primary += "; DETAIL: " + detail;
  if (!hint.empty()) primary += "; HINT: " + hint;
  return primary;
}

// pqxx 6 only gives libpq's formatted report ("ERROR:  msg\nLINE 1: ...\n
// ^\nDETAIL:  ...\nHINT:  ..."): keep the message, DETAIL and HINT lines.
std::string FromReport(const std::string& report, const std::string& sqlstate) {
  std::string primary, detail, hint;
  size_t b = 0;
  while (b < report.size()) {
    size_t e = report.find('\n', b);
    std::string line = report.substr(b, e == std::string::npos ? std::string::npos : e - b);
    auto field = [&](const std::string& tag) {
      std::string v = line.substr(tag.size());
      v.erase(0, v.find_first_not_of(' '));
      return v;
    };
    for (const char* sev : {"ERROR:", "FATAL:", "PANIC:"}) {
      if (primary.empty() && line.rfind(sev, 0) == 0) primary = field(sev);
    }
    if (line.rfind("DETAIL:", 0) == 0) detail = field("DETAIL:");
    if (line.rfind("HINT:", 0) == 0) hint = field("HINT:");
    if (e == std::string::npos) break;
    b = e + 1;
  }
  if (primary.empty()) primary = report.substr(0, report.find('\n'));
  return Describe(primary, sqlstate, detail, hint);
}

Status Lost(const std::string& what) {
  return Status(Code::kConnectionLost, "the connection to the database was lost: " + what);
}

// Every exception pqxx throws, as a Status; call from inside a catch block.
Status FromCurrentException(const std::string& secret) {
  try {
    throw;
  } catch (const pqxx::broken_connection& e) {
    return Lost(pg::Scrub(FromReport(e.what(), ""), secret));
  } catch (const pqxx::in_doubt_error& e) {
    return Status(Code::kCommitUnknown, pg::Scrub(e.what(), secret) +
                                            " -- whether the transaction committed is unknown; inspect the "
                                            "database before running dbroll again");
  } catch (const pqxx::sql_error& e) {
    const std::string msg = pg::Scrub(FromReport(e.what(), e.sqlstate()), secret);
    const Code code = CodeForSqlstate(e.sqlstate());
    Status s = code == Code::kConnectionLost ? Lost(msg) : Status(code, msg);
    s.set_sqlstate(e.sqlstate());
    return s;
  } catch (const pqxx::deadlock_detected& e) {
    return Status(Code::kLockTimeout, pg::Scrub(e.what(), secret)).set_sqlstate("40P01");
  } catch (const std::exception& e) {
    return Status(Code::kDatabaseError, pg::Scrub(e.what(), secret));
  }
}

// A session while it waits in a SessionPool for the next driver.
struct PooledSession : SessionPool::Session {
  PooledSession(std::unique_ptr<pg::Connection> c, int n) : conn(std::move(c)), uses(n) {}
  std::unique_ptr<pg::Connection> conn;
  int uses;  // drivers that have had it
};

// A server process keeps the catalog entries of every table it has touched
// (about 55 kB per schema of 20 tables): a pooled session is closed after
// this many drivers, so memory stays flat in the number of schemas while a
// new connection is paid once per this many targets.
constexpr int kSessionMaxUses = 100;

class PostgresDriver : public Driver {
 public:
  PostgresDriver(std::unique_ptr<pg::Connection> conn, PGconn* raw, std::string secret, std::string version,
                 int64_t lock_key, std::string schema_to_create, std::string backend_pid)
      : conn_(std::move(conn)),
        raw_(raw),
        secret_(std::move(secret)),
        version_(std::move(version)),
        lock_key_(lock_key),
        schema_to_create_(std::move(schema_to_create)),
        backend_pid_(std::move(backend_pid)) {}

  // A healthy idle session goes back to the pool as a new one would start
  // (DISCARD ALL: settings, role, advisory locks, temporary tables, prepared
  // statements), so that nothing of this target reaches the next one.
  ~PostgresDriver() override {
    if (!pool_ || broken_ || session_uses_ >= kSessionMaxUses || !conn_ || !raw_ || conn_->raw() != raw_ ||
        PQstatus(raw_) != CONNECTION_OK || PQtransactionStatus(raw_) != PQTRANS_IDLE) {
      return;
    }
    pg::Res r(PQexec(raw_, "DISCARD ALL"));
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) return;
    try {
      pool_->Put(pool_key_, std::make_unique<PooledSession>(std::move(conn_), session_uses_));
    } catch (...) {
      // Out of memory: the session is closed instead.
    }
  }

  // Where the session goes when this driver is destroyed.
  // `uses`: drivers that have had this session, this one included.
  void SetPool(std::shared_ptr<SessionPool> pool, std::string key, int uses) {
    pool_ = std::move(pool);
    pool_key_ = std::move(key);
    session_uses_ = uses;
  }

  Dialect dialect() const override { return Dialect::kPostgres; }
  std::string ServerVersion() const override {
    return "PostgreSQL " + version_ +
           (standby_ ? " (standby: this reads a read-only replica in recovery, which may lag behind the primary)"
                     : "");
  }
  bool TransactionalDdl() const override { return true; }
  std::optional<std::string> NonTransactionalReason(const Statement& s) const override {
    return pg::NonTransactionalReason(s.text);
  }
  // A SQL_ASCII server takes any bytes; a client_encoding other than UTF8
  // (from the URL) is converted by the server from that encoding instead.
  bool RequiresUtf8() const override { return server_encoding_ != "SQL_ASCII" && client_encoding_ == "UTF8"; }
  // libpg_query's grammar is trusted only for the server major version it was
  // built from (a newer server accepts syntax an older grammar rejects), and
  // only when the session lexes strings as the parser does.
  Status CheckSyntax(const std::vector<Statement>& statements) const override {
    if (std::atoi(version_.c_str()) != pg::ParserMajorVersion() || !standard_strings_) return Status::Ok();
    return pg::CheckSyntax(statements);
  }
  // What the connect query learned about the session.
  void SetSessionFacts(std::string server_encoding, std::string client_encoding, bool standard_strings) {
    server_encoding_ = std::move(server_encoding);
    client_encoding_ = std::move(client_encoding);
    standard_strings_ = standard_strings;
  }

  // What the connect query learned about replication, and the replica-lag
  // bound ([postgres] max_replica_lag; negative: no waiting).
  void SetReplication(bool standby, std::chrono::milliseconds max_lag, std::chrono::milliseconds wait_timeout) {
    standby_ = standby;
    max_lag_ = max_lag;
    replica_wait_timeout_ = wait_timeout;
  }

  // A replica's lag is how long ago the oldest commit of this session it has
  // not replayed yet was made (or the server's replay_lag when that is
  // larger); polled from pg_stat_replication until every replica is within
  // max_lag_, for at most replica_wait_timeout_.
  Status WaitForReplicas(const std::function<void(const std::string&)>& notice) override {
    if (max_lag_.count() < 0 || standby_) return Status::Ok();
    auto flushed = Query("SELECT pg_catalog.pg_current_wal_flush_lsn()::text");
    if (!flushed.ok()) return flushed.status();
    const auto start = Clock::now();
    if (!flushed->empty()) unreplayed_.push_back({ParseLsn(flushed->front()[0].value_or("")), start});
    const double bound = static_cast<double>(max_lag_.count()) / 1000.0;
    auto last_notice = start - std::chrono::hours(1);
    bool waited = false;
    while (true) {
      auto rows = Query(
          "SELECT coalesce(application_name, ''), coalesce(host(client_addr), 'local'), "
          "coalesce(replay_lsn::text, '0/0'), coalesce(extract(epoch FROM replay_lag), 0)::float8 "
          "FROM pg_catalog.pg_stat_replication ORDER BY 1, 2");
      if (!rows.ok()) return rows.status();
      const auto now = Clock::now();
      double worst = 0;
      std::string who;
      uint64_t slowest = UINT64_MAX;
      for (const auto& r : rows.value()) {
        const uint64_t replayed = ParseLsn(r[2].value_or(""));
        slowest = std::min(slowest, replayed);
        double lag = 0;
        for (const auto& c : unreplayed_) {
          if (c.lsn > replayed) {
            lag = std::max(std::chrono::duration<double>(now - c.at).count(), std::atof(r[3].value_or("0").c_str()));
            break;
          }
        }
        if (lag > worst) {
          worst = lag;
          who = r[0].value_or("") + " at " + r[1].value_or("");
        }
      }
      while (!unreplayed_.empty() && unreplayed_.front().lsn <= slowest) unreplayed_.pop_front();
      if (worst <= bound) {
        if (waited) notice("replicas caught up: lag " + Seconds(worst) + " <= " + Seconds(bound));
        return Status::Ok();
      }
      const double waiting = std::chrono::duration<double>(now - start).count();
      if (now - start >= replica_wait_timeout_) {
        return Status(Code::kLockTimeout,
                      "replica " + who + " is still " + Seconds(worst) + " behind the primary after waiting " +
                          Seconds(waiting) + ", more than [postgres] max_replica_lag (" + Seconds(bound) +
                          ") -- the migrations so far are applied; let the replica catch up (is its replay "
                          "paused? SELECT pg_is_wal_replay_paused() on it) and run dbroll again, or raise "
                          "[postgres] max_replica_lag or replica_wait_timeout");
      }
      if (now - last_notice >= std::chrono::seconds(1)) {
        notice("waiting for replicas: lag " + Seconds(worst) + " > " + Seconds(bound) + " (" + who + ")");
        last_notice = now;
      }
      waited = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }

  // The configured schema is created here, on the write path, never at
  // connect: `dbroll status` must leave a database as it found it.
  Status PrepareForWrites() override {
    if (schema_to_create_.empty()) return Status::Ok();
    auto r = Query("CREATE SCHEMA IF NOT EXISTS " + pg::QuoteIdent(schema_to_create_));
    // 23505: another runner created it between the check and the insert.
    if (!r.ok() && r.status().sqlstate() != "23505") return r.status();
    return Status::Ok();
  }

  // A session-level advisory lock: the server frees it when the session ends,
  // however dbroll ends. The wait is bounded by a lock_timeout local to the
  // implicit transaction of that one query string, so the session keeps its
  // configured lock_timeout for the migrations.
  Status Lock(std::chrono::milliseconds timeout) override {
    const std::string key = std::to_string(lock_key_);
    std::string sql = timeout.count() <= 0
                          ? "SELECT pg_try_advisory_lock(" + key + ")"
                          : "SET LOCAL lock_timeout = " + std::to_string(timeout.count()) +
                                "; SET LOCAL statement_timeout = 0; SELECT pg_advisory_lock(" + key + "), 't'";
    auto rows = Query(sql);
    if (!rows.ok()) {
      if (rows.status().code() != Code::kLockTimeout) return rows.status();
    } else if (!rows->empty() && rows->front().back().value_or("f") == "t") {
      return Status::Ok();
    }
    return Status(Code::kLockTimeout, "another dbroll holds the migration lock of this database (advisory lock " +
                                          key + ")");
  }

  Status Unlock() override {
    // A lost session has already released its advisory locks.
    if (broken_) return Status::Ok();
    auto rows = Query("SELECT pg_advisory_unlock(" + std::to_string(lock_key_) + ")");
    return rows.ok() ? Status::Ok() : rows.status();
  }

  Status RunTransaction(const std::vector<Statement>& statements,
                        const std::vector<std::string>& bookkeeping) override {
    std::vector<const std::string*> parts;
    parts.reserve(statements.size() + bookkeeping.size());
    for (const auto& s : statements) parts.push_back(&s.text);
    for (const auto& s : bookkeeping) parts.push_back(&s);
    return Exec(parts, /*transaction=*/true);
  }

  // Sent alone, without BEGIN, so it runs in autocommit: CREATE INDEX
  // CONCURRENTLY and friends are allowed here.
  Status RunStatement(const Statement& statement) override { return Exec({&statement.text}, /*transaction=*/false); }

  std::string SessionId() const override { return backend_pid_; }

  Result<bool> SessionAlive(const std::string& id) override {
    if (id == backend_pid_) return false;
    if (id.empty() || !std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
    auto rows = Query("SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE pid = " + id);
    if (!rows.ok()) return rows.status();
    return !rows->empty() && rows->front()[0].value_or("0") != "0";
  }

  std::string CatalogFingerprintSql(const std::vector<std::string>& objects, const std::string& exclude_prefix,
                                    FingerprintScope scope) const override {
    // An E'' literal reads the same whatever standard_conforming_strings says.
    auto lit = [](const std::string& v) {
      std::string out = "E'";
      for (char c : v) {
        if (c == '\'' || c == '\\') out += c;
        out += c;
      }
      return out + "'";
    };
    auto cond = [&](const std::string& col) {
      if (objects.empty()) {
        return "left(" + col + ", " + std::to_string(exclude_prefix.size()) + ") <> " + lit(exclude_prefix);
      }
      std::string in;
      for (const auto& o : objects) in += (in.empty() ? "" : ", ") + lit(o);
      return col + " IN (" + in + ")";
    };
    const std::string ns = "(SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = current_schema())";
    const bool existence = scope == FingerprintScope::kExistence && !objects.empty();
    std::string sql =
        std::string("(SELECT '") + (existence ? "fpx:" : "fp:") +
        "' || coalesce(md5(string_agg(x, E'\\n' ORDER BY x)), 'none') FROM ("
        "SELECT 'r|' || c.relname || '|' || c.relkind::text AS x FROM pg_catalog.pg_class c"
        " WHERE c.relnamespace = " + ns + " AND " + cond("c.relname");
    if (existence) return sql + ") f)";
    sql +=
        " UNION ALL SELECT 'a|' || c.relname || '|' || a.attname || '|' || format_type(a.atttypid, a.atttypmod) ||"
        " '|' || a.attnotnull::text || '|' || coalesce(pg_get_expr(d.adbin, d.adrelid), '~')"
        " FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
        " LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
        " WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'v', 'm', 'p', 'f')"
        " AND c.relnamespace = " + ns + " AND " + cond("c.relname") +
        " UNION ALL SELECT 'i|' || t.relname || '|' || c.relname || '|' || i.indisunique::text || '|' ||"
        " i.indisvalid::text || '|' || pg_get_indexdef(i.indexrelid) FROM pg_catalog.pg_index i"
        " JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid JOIN pg_catalog.pg_class t ON t.oid = i.indrelid"
        " WHERE t.relnamespace = " + ns + " AND (" + cond("t.relname") + " OR " + cond("c.relname") + ")"
        " UNION ALL SELECT 'k|' || t.relname || '|' || k.conname || '|' || pg_get_constraintdef(k.oid)"
        " FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_class t ON t.oid = k.conrelid"
        " WHERE t.relnamespace = " + ns + " AND " + cond("t.relname") +
        " UNION ALL SELECT 'g|' || t.relname || '|' || g.tgname || '|' || pg_get_triggerdef(g.oid)"
        " FROM pg_catalog.pg_trigger g JOIN pg_catalog.pg_class t ON t.oid = g.tgrelid"
        " WHERE NOT g.tgisinternal AND t.relnamespace = " + ns + " AND " + cond("t.relname");
    if (objects.empty()) {
      sql += " UNION ALL SELECT 'p|' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')|' ||"
             " md5(coalesce(p.prosrc, '')) FROM pg_catalog.pg_proc p WHERE p.pronamespace = " + ns +
             " UNION ALL SELECT 'e|' || t.typname || '|' || e.enumlabel || '|' || e.enumsortorder::text"
             " FROM pg_catalog.pg_enum e JOIN pg_catalog.pg_type t ON t.oid = e.enumtypid"
             " WHERE t.typnamespace = " + ns;
    }
    return sql + ") f)";
  }

  Result<std::vector<Row>> Query(const std::string& sql) override {
    if (broken_) return Lost("an earlier call lost it");
    try {
      pqxx::nontransaction tx(*conn_);
      const pqxx::result r = tx.exec(sql);
      std::vector<Row> rows;
      rows.reserve(r.size());
      for (const auto& row : r) {
        Row out(row.size());
        for (pqxx::row::size_type i = 0; i < row.size(); ++i) {
          if (!row[i].is_null()) out[i] = std::string(row[i].c_str(), row[i].size());
        }
        rows.push_back(std::move(out));
      }
      return rows;
    } catch (...) {
      Status s = FromCurrentException(secret_);
      if (s.code() == Code::kConnectionLost) broken_ = true;
      return s;
    }
  }

 private:
  // Sends `parts` as one simple-query string -- wrapped in BEGIN/COMMIT when
  // `transaction` -- and reads one result per statement, so the failed
  // statement's index is known even when the server gives no position.
  Status Exec(const std::vector<const std::string*>& parts, bool transaction) {
    if (broken_) return Lost("an earlier call lost it");
    std::string sql;
    size_t total = 16;
    for (const auto* p : parts) total += p->size() + 3;
    sql.reserve(total);
    std::vector<size_t> starts(parts.size()), ends(parts.size());
    if (transaction) sql = "BEGIN;\n";
    for (size_t i = 0; i < parts.size(); ++i) {
      starts[i] = sql.size();
      sql += *parts[i];
      ends[i] = sql.size();
      // The newline ends a trailing "-- comment" before the terminator.
      sql += "\n;\n";
    }
    if (transaction) sql += "COMMIT";
    if (PQsendQuery(raw_, sql.c_str()) == 0) {
      broken_ = PQstatus(raw_) == CONNECTION_BAD;
      return Lost(pg::Scrub(PQerrorMessage(raw_), secret_));
    }
    size_t done = 0;  // statements that succeeded, BEGIN included
    std::optional<Status> error;
    long position = 0;
    while (pg::Res res = pg::Res(PQgetResult(raw_))) {
      const PGresult* r = res.get();
      switch (PQresultStatus(r)) {
        case PGRES_COPY_IN:
          PQputCopyEnd(raw_, "COPY FROM STDIN has no data in a dbroll migration");
          break;
        case PGRES_COPY_OUT: {
          char* buf = nullptr;
          while (PQgetCopyData(raw_, &buf, 0) > 0) PQfreemem(buf);
          break;
        }
        case PGRES_FATAL_ERROR:
          if (!error) {
            error = ErrorOf(r);
            if (const char* p = PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION)) position = std::atol(p);
          }
          break;
        default:
          if (!error) ++done;
          break;
      }
    }
    if (!error) return Status::Ok();
    Status s = std::move(*error);
    // The server's position counts characters of the whole string; it names
    // the statement exactly. Without one (runtime errors), the count of
    // results does.
    if (position > 0) {
      const size_t at = pg::ServerPositionToByte(sql, position, server_encoding_);
      for (size_t i = 0; i < parts.size(); ++i) {
        if (at >= starts[i] && at <= ends[i]) {
          s.set_statement_index(static_cast<int>(i));
          s.set_position(at - starts[i]);
          break;
        }
      }
    }
    if (!s.statement_index()) {
      const long index = static_cast<long>(done) - (transaction ? 1 : 0);
      if (index >= 0) s.set_statement_index(static_cast<int>(index));
    }
    if (PQstatus(raw_) == CONNECTION_BAD || IsConnectionSqlstate(s.sqlstate())) {
      broken_ = true;
      // Every statement before COMMIT reported success and then the line went
      // quiet without a word from the server: COMMIT may or may not have run.
      if (transaction && s.sqlstate().empty() && done == parts.size() + 1) {
        Status unknown(Code::kCommitUnknown,
                       "the connection was lost while COMMIT was in flight, so whether this migration was "
                       "committed is unknown: " + s.message() +
                           " -- check the history table (the migration status) before running again");
        unknown.set_remedy(Remedy::kInspectStatus);
        return unknown;
      }
      Status lost = Lost(s.message());
      lost.set_sqlstate(s.sqlstate());
      if (auto i = s.statement_index()) lost.set_statement_index(*i);
      if (auto p = s.position()) lost.set_position(*p);
      return lost;
    }
    if (PQtransactionStatus(raw_) != PQTRANS_IDLE) {
      pg::Res rb(PQexec(raw_, "ROLLBACK"));
      if (PQresultStatus(rb.get()) != PGRES_COMMAND_OK && PQstatus(raw_) == CONNECTION_BAD) broken_ = true;
    }
    return s;
  }

  Status ErrorOf(const PGresult* r) const {
    auto field = [&](int code) {
      const char* v = PQresultErrorField(r, code);
      return std::string(v ? v : "");
    };
    const std::string sqlstate = field(PG_DIAG_SQLSTATE);
    std::string primary = field(PG_DIAG_MESSAGE_PRIMARY);
    if (primary.empty()) {
      // libpq's own errors (a dropped connection) carry only the report.
      const char* report = PQresultErrorMessage(r);
      primary = report && *report ? report : PQerrorMessage(raw_);
    }
    Status s(CodeForSqlstate(sqlstate),
             pg::Scrub(Describe(primary, sqlstate, field(PG_DIAG_MESSAGE_DETAIL), field(PG_DIAG_MESSAGE_HINT)),
                       secret_));
    s.set_sqlstate(sqlstate);
    return s;
  }

  std::unique_ptr<pg::Connection> conn_;
  PGconn* raw_;  // owned by conn_
  std::string secret_;
  std::string version_;
  int64_t lock_key_;
  std::string schema_to_create_;  // "" when the history lives in current_schema()
  std::string server_encoding_ = "UTF8";  // SQL_ASCII counts error positions in bytes
  std::string client_encoding_ = "UTF8";
  bool standard_strings_ = true;
  bool standby_ = false;  // pg_is_in_recovery(): only read-only commands get here
  std::chrono::milliseconds max_lag_{-1};
  std::chrono::milliseconds replica_wait_timeout_ = kDefaultReplicaWaitTimeout;
  struct Commit {
    uint64_t lsn;
    Clock::time_point at;
  };
  std::deque<Commit> unreplayed_;  // by some replica, oldest first
  std::string backend_pid_;  // pg_backend_pid(), the SessionId()
  std::shared_ptr<SessionPool> pool_;  // null: the session closes with the driver
  std::string pool_key_;
  int session_uses_ = 1;
  // Set once the connection is gone. From then on nothing touches it, so pqxx
  // never gets the chance to reconnect behind raw_'s back.
  bool broken_ = false;
};

Result<std::chrono::milliseconds> Setting(const DriverOptions& o, const std::string& key,
                                          std::chrono::milliseconds fallback) {
  auto it = o.settings.find("postgres." + key);
  if (it == o.settings.end()) return fallback;
  auto d = ParseDuration(it->second);
  if (!d.ok()) {
    return Status(Code::kInvalidArgument, "[postgres] " + key + " = \"" + it->second + "\": " + d.status().message());
  }
  return d;
}

// Behind a pooler: whether it pools by transaction, so that consecutive
// transactions of one client may run on different server sessions. A mark set
// in this session is looked for from a second client: a session-mode pool
// gives that client a session of its own (reset with DISCARD ALL), a
// transaction-mode pool hands it the idle session this client just used (or
// another one with a mark left by another dbroll); and this client looks
// whether its own mark is still there.
Result<bool> TransactionPooled(pqxx::connection_base& conn, const std::string& conninfo, const std::string& secret) {
  try {
    const std::string mark = std::to_string(::getpid()) + "." +
                             std::to_string(Clock::now().time_since_epoch().count());
    {
      pqxx::nontransaction tx(conn);
      tx.exec("SELECT set_config('dbroll.pool_probe', " + tx.quote(mark) + ", false)");
    }
    pqxx::connection other(conninfo);
    {
      pqxx::nontransaction tx(other);
      const pqxx::result r = tx.exec("SELECT coalesce(current_setting('dbroll.pool_probe', true), '')");
      if (!std::string(r[0][0].c_str()).empty()) return true;
    }
    pqxx::nontransaction tx(conn);
    const pqxx::result r = tx.exec("SELECT coalesce(current_setting('dbroll.pool_probe', true), '')");
    return std::string(r[0][0].c_str()) != mark;
  } catch (...) {
    return FromCurrentException(secret);
  }
}

}  // namespace

Result<std::unique_ptr<Driver>> OpenPostgresDriver(const DriverOptions& options) {
  auto spec = pg::BuildConnectSpec(options.url, options.schema);
  if (!spec.ok()) return spec.status();
  auto lock_timeout = Setting(options, "lock_timeout", kDefaultLockTimeout);
  if (!lock_timeout.ok()) return lock_timeout.status();
  auto statement_timeout = Setting(options, "statement_timeout", std::chrono::milliseconds(-1));
  if (!statement_timeout.ok()) return statement_timeout.status();
  auto max_replica_lag = Setting(options, "max_replica_lag", std::chrono::milliseconds(-1));
  if (!max_replica_lag.ok()) return max_replica_lag.status();
  auto replica_wait_timeout = Setting(options, "replica_wait_timeout", kDefaultReplicaWaitTimeout);
  if (!replica_wait_timeout.ok()) return replica_wait_timeout.status();
  std::string pooler = "auto";
  if (auto it = options.settings.find("postgres.pooler"); it != options.settings.end()) pooler = it->second;
  if (pooler != "auto" && pooler != "none" && pooler != "session" && pooler != "transaction") {
    return Status(Code::kInvalidArgument, "[postgres] pooler = \"" + pooler +
                                              "\": not a pooling mode -- use \"auto\" (the default), \"none\", "
                                              "\"session\" or \"transaction\"");
  }
  std::string secret = spec->password;
  if (secret.empty()) {
    if (const char* env = std::getenv("PGPASSWORD")) secret = env;
  }
  const std::string where = RedactUrl(options.url);
  // The pool's key: the same server, database and credentials (the URL but
  // its search_path); the session's settings are set again below.
  const std::string pool_key = "postgres:" + spec->conninfo;
  try {
    std::unique_ptr<pg::Connection> conn;
    int uses = 1;
    if (options.sessions) {
      std::unique_ptr<SessionPool::Session> idle = options.sessions->Take(pool_key);
      if (auto* p = dynamic_cast<PooledSession*>(idle.get())) {
        conn = std::move(p->conn);
        uses = p->uses + 1;
      }
    }
    const bool reused = conn != nullptr;
    if (!conn) conn = std::make_unique<pg::Connection>(spec->conninfo);
    const std::vector<std::string>& path = spec->search_path;
    std::string init = "SET lock_timeout = " + std::to_string(lock_timeout->count()) + ";";
    // Read-only commands: the server itself refuses any write.
    if (options.read_only) init += "SET default_transaction_read_only = on;";
    if (statement_timeout->count() >= 0) {
      init += "SET statement_timeout = " + std::to_string(statement_timeout->count()) + ";";
    }
    // A killed dbroll must free its advisory lock promptly; without this the
    // server notices the dead client only when the running statement ends
    // (a long pg_sleep or index build). PostgreSQL 14+ has the setting.
    init +=
        "SELECT set_config('client_connection_check_interval', '1000', false) "
        "WHERE current_setting('server_version_num')::int >= 140000;";
    if (!path.empty()) {
      init += "SET search_path TO ";
      for (size_t i = 0; i < path.size(); ++i) init += (i ? ", " : "") + pg::QuoteIdent(path[i]);
      init += ";";
    }
    std::string schema;
    std::string database, version, encoding, client_encoding, backend_pid;
    bool standard_strings = true;
    bool standby = false;
    bool schema_exists = true;
    {
      init += "SELECT current_database(), current_setting('server_version'), coalesce(current_schema(), ''), " +
              (path.empty() ? std::string("true")
                            : "EXISTS (SELECT FROM pg_namespace WHERE nspname = " + conn->quote(path.front()) + ")") +
              ", current_setting('server_encoding'), current_setting('standard_conforming_strings'), "
              "current_setting('client_encoding'), pg_backend_pid(), pg_is_in_recovery()";
      auto run_init = [&] {
        pqxx::nontransaction tx(*conn);
        return tx.exec(init);
      };
      pqxx::result r;
      try {
        r = run_init();
      } catch (const pqxx::broken_connection&) {
        // A pooled session the server has closed since (idle_session_timeout, a restart): connect anew.
        if (!reused) throw;
        conn = std::make_unique<pg::Connection>(spec->conninfo);
        uses = 1;
        r = run_init();
      }
      database = r[0][0].c_str();
      version = r[0][1].c_str();
      version = version.substr(0, version.find(' '));
      schema = path.empty() ? r[0][2].c_str() : path.front();
      schema_exists = std::string(r[0][3].c_str()) == "t";
      encoding = r[0][4].c_str();
      standard_strings = std::string(r[0][5].c_str()) == "on";
      client_encoding = r[0][6].c_str();
      backend_pid = r[0][7].c_str();
      standby = std::string(r[0][8].c_str()) == "t";
    }
    PGconn* raw = conn->raw();
    const std::string pool_refusal =
        where +
        " goes through a connection pool in transaction pooling mode (pgbouncer pool_mode = transaction): each "
        "transaction may run on another server session, which breaks the session advisory lock and the session "
        "settings dbroll relies on, so two runners could both hold the lock -- point dbroll at a session-mode "
        "pool or a direct URL of the primary; nothing was changed";
    if (pooler == "transaction") return Status(Code::kInvalidArgument, pool_refusal + " ([postgres] pooler)");
    // libpq's backend pid is the one of the server process it talks to --
    // unless a pooler stands between (pgbouncer hands out its own key).
    if (pooler == "auto" && std::to_string(PQbackendPID(raw)) != backend_pid) {
      auto pooled = TransactionPooled(*conn, spec->conninfo, secret);
      if (!pooled.ok()) return Status(pooled.status().code(), where + ": " + pooled.status().message());
      if (pooled.value()) return Status(Code::kInvalidArgument, pool_refusal);
    }
    if (standby && !options.read_only) {
      return Status(Code::kInvalidArgument,
                    where + " is a standby (read-only replica, in recovery): dbroll changes only a primary -- "
                            "point dbroll at the primary, or list every server in a multi-host URL "
                            "(postgres://h1:5432,h2:5432/db?target_session_attrs=read-write) so libpq picks the "
                            "one that takes writes; nothing was changed");
    }
    // A missing schema is created by PrepareForWrites, never here: reading
    // must leave the database as it was.
    auto driver = std::make_unique<PostgresDriver>(std::move(conn), raw, secret, version,
                                                   pg::LockKey(database, schema, options.history_table),
                                                   schema_exists ? "" : path.front(), backend_pid);
    if (options.sessions) driver->SetPool(options.sessions, pool_key, uses);
    driver->SetSessionFacts(encoding, client_encoding, standard_strings);
    driver->SetReplication(standby, max_replica_lag.value(), replica_wait_timeout.value());
    return std::unique_ptr<Driver>(std::move(driver));
  } catch (...) {
    Status s = FromCurrentException(secret);
    std::string msg = s.message();
    const std::string lost = "the connection to the database was lost: ";
    if (msg.rfind(lost, 0) == 0) {
      msg = "cannot connect to " + where + ": " + msg.substr(lost.size()) +
            " -- check the URL, that the server runs, and the credentials (URL, PGPASSWORD or ~/.pgpass)";
    } else {
      msg = where + ": " + msg;
    }
    Status out(s.code(), msg);
    out.set_sqlstate(s.sqlstate());
    return out;
  }
}

}  // namespace dbroll::internal
