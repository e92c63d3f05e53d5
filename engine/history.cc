#include "engine/history.h"

#include <chrono>
#include <ctime>

namespace dbroll::internal {

std::string QuoteIdent(Dialect d, const std::string& name) {
  const char q = d == Dialect::kMysql ? '`' : '"';
  std::string out(1, q);
  for (char c : name) {
    out += c;
    if (c == q) out += q;
  }
  out += q;
  return out;
}

std::string QuoteLiteral(Dialect d, const std::string& value) {
  if (d == Dialect::kMysql) {
    // Hex keeps the text exact whatever sql_mode says about backslashes.
    static constexpr char kHex[] = "0123456789ABCDEF";
    if (value.empty()) return "''";
    std::string out = "CONVERT(X'";
    for (unsigned char c : value) {
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
    return out + "' USING utf8mb4)";
  }
  // PostgreSQL reads backslashes in '...' as escapes when a database sets
  // standard_conforming_strings=off; E'...' means the same under either
  // setting, so a stored down script stays byte-exact.
  const bool escape = d == Dialect::kPostgres && value.find('\\') != std::string::npos;
  std::string out = escape ? "E'" : "'";
  for (char c : value) {
    out += c;
    if (c == '\'' || (escape && c == '\\')) out += c;
  }
  return out + "'";
}

std::string NowUtc() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

namespace {

std::string Stem(const std::string& table) {
  const std::string suffix = "_history";
  if (table.size() > suffix.size() &&
      table.compare(table.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return table.substr(0, table.size() - suffix.size());
  }
  return table;
}

constexpr const char* kColumns =
    "version, name, up_checksum, down_checksum, down_script, down_no_transaction, irreversible,"
    " applied_at, applied_by, release_tag, duration_ms, state, statements_done, error, statement_checksums,"
    " session_id, catalog_before";

const std::string& Or(const std::optional<std::string>& v, const std::string& fallback) {
  return v ? *v : fallback;
}

}  // namespace

History::History(Driver* driver, const std::string& schema, const std::string& table)
    : driver_(driver), dialect_(driver->dialect()), schema_(schema) {
  history_name_ = table;
  log_name_ = Stem(table) + "_log";
  meta_name_ = table + "_meta";
  auto qualify = [&](const std::string& t) {
    return schema.empty() ? QuoteIdent(dialect_, t)
                          : QuoteIdent(dialect_, schema) + "." + QuoteIdent(dialect_, t);
  };
  history_ = qualify(history_name_);
  log_ = qualify(log_name_);
  meta_ = qualify(meta_name_);
}

Result<bool> CatalogHasTable(Driver& driver, const std::string& table, const std::string& schema, bool search_path) {
  const Dialect d = driver.dialect();
  const std::string name = QuoteLiteral(d, table);
  std::string sql =
      "SELECT count(*) FROM information_schema.tables WHERE table_schema=DATABASE() AND table_name=" + name;
  if (d == Dialect::kSqlite) {
    sql = "SELECT count(*) FROM sqlite_master WHERE type='table' AND name=" + name;
  } else if (d == Dialect::kPostgres && search_path) {
    sql = "SELECT count(*) FROM pg_catalog.pg_tables WHERE tablename=" + name +
          " AND schemaname = ANY (current_schemas(false))";
  } else if (d == Dialect::kPostgres) {
    // One index probe on (relname, relnamespace). pg_tables filtered by
    // schemaname looks at the table of that name in every schema: in a
    // database of N tenant schemas each check cost N.
    const std::string nsp = schema.empty() ? std::string("current_schema()") : QuoteLiteral(d, schema);
    sql = "SELECT count(*) FROM pg_catalog.pg_class WHERE relname=" + name +
          " AND relkind IN ('r', 'p') AND relnamespace = pg_catalog.to_regnamespace(pg_catalog.quote_ident(" + nsp +
          "))";
  }
  auto rows = driver.Query(sql);
  if (!rows.ok()) return rows.status();
  return !rows->empty() && rows->front()[0] && *rows->front()[0] != "0";
}

Result<bool> History::Exists() { return CatalogHasTable(*driver_, history_name_, schema_); }

Status History::AddColumnIfMissing(const std::string& column, const std::string& type) {
  auto probe = driver_->Query("SELECT " + column + " FROM " + history_ + " WHERE 1=0");
  if (probe.ok()) return Status::Ok();
  if (probe.status().code() != Code::kDatabaseError) return probe.status();
  return driver_->RunStatement(Statement{"ALTER TABLE " + history_ + " ADD COLUMN " + column + " " + type, "", 1, 1, 0});
}

Status History::Ensure() {
  auto exists = Exists();
  if (!exists.ok()) return exists.status();
  const std::string text = dialect_ == Dialect::kMysql ? "LONGTEXT" : "TEXT";
  const std::string set_format = "INSERT INTO " + meta_ + " (k, v) VALUES ('format', " +
                                 Lit(std::to_string(kHistoryFormat)) + ")";
  if (exists.value()) {
    auto rows = driver_->Query("SELECT v FROM " + meta_ + " WHERE k='format'");
    if (!rows.ok() && rows.status().code() != Code::kDatabaseError) return rows.status();
    int format = 0;  // 0: the meta table or its row is missing (a half-created set)
    if (rows.ok() && !rows->empty() && rows->front()[0]) format = std::atoi(rows->front()[0]->c_str());
    if (format > kHistoryFormat) {
      return Status(Code::kUnsupported,
                    history_name_ + " has format " + std::to_string(format) +
                        ", newer than this dbroll understands (" + std::to_string(kHistoryFormat) +
                        ") -- upgrade dbroll");
    }
    if (format == kHistoryFormat) return Status::Ok();
    // Every step below may be interrupted and run again.
    if (format == 0) DBROLL_RETURN_IF_ERROR(CreateTables({}));
    DBROLL_RETURN_IF_ERROR(AddColumnIfMissing("session_id", "VARCHAR(64)"));
    DBROLL_RETURN_IF_ERROR(AddColumnIfMissing("catalog_before", text));
    return driver_->RunTransaction({}, {"DELETE FROM " + meta_ + " WHERE k='format'", set_format});
  }
  DBROLL_RETURN_IF_ERROR(driver_->PrepareForWrites());
  return CreateTables({"DELETE FROM " + meta_ + " WHERE k='format'", set_format});
}

Status History::CreateTables(const std::vector<std::string>& then) {
  const bool my = dialect_ == Dialect::kMysql;
  const std::string text = my ? "LONGTEXT" : "TEXT";
  const std::string tail = my ? " DEFAULT CHARSET=utf8mb4" : "";
  std::string id;
  switch (dialect_) {
    case Dialect::kSqlite: id = "id INTEGER PRIMARY KEY AUTOINCREMENT"; break;
    case Dialect::kPostgres: id = "id BIGSERIAL PRIMARY KEY"; break;
    case Dialect::kMysql: id = "id BIGINT AUTO_INCREMENT PRIMARY KEY"; break;
  }
  std::vector<std::string> ddl = {
      "CREATE TABLE IF NOT EXISTS " + history_ +
          " (version VARCHAR(64) NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL,"
          " up_checksum VARCHAR(64) NOT NULL, down_checksum VARCHAR(64), down_script " + text + ","
          " down_no_transaction SMALLINT NOT NULL DEFAULT 0, irreversible " + text + ","
          " applied_at VARCHAR(32) NOT NULL, applied_by VARCHAR(255) NOT NULL,"
          " release_tag VARCHAR(255), duration_ms BIGINT NOT NULL DEFAULT 0,"
          " state VARCHAR(16) NOT NULL, statements_done INTEGER NOT NULL DEFAULT 0,"
          " error " + text + ", statement_checksums " + text + ", session_id VARCHAR(64), catalog_before " +
          text + ")" +
          // SQLite: the primary key is the table, one b-tree less to write per migration.
          (dialect_ == Dialect::kSqlite ? " WITHOUT ROWID" : tail),
      "CREATE TABLE IF NOT EXISTS " + log_ + " (" + id +
          ", at VARCHAR(32) NOT NULL, by_user VARCHAR(255) NOT NULL, action VARCHAR(32) NOT NULL,"
          " versions " + text + ", release_tag VARCHAR(255), schema_version VARCHAR(64),"
          " outcome VARCHAR(32) NOT NULL, message " + text + ")" + tail,
      "CREATE TABLE IF NOT EXISTS " + meta_ + " (k VARCHAR(64) NOT NULL PRIMARY KEY, v " + text + ")" + tail,
  };
  std::vector<Statement> stmts;
  for (auto& s : ddl) stmts.push_back(Statement{s, "", 1, 1, 0});
  // With transactional DDL the tables and `then` commit together: one
  // commit less for every new database (a fleet creates thousands).
  if (driver_->TransactionalDdl()) return driver_->RunTransaction(stmts, then);
  for (auto& s : stmts) DBROLL_RETURN_IF_ERROR(driver_->RunStatement(s));
  return then.empty() ? Status::Ok() : driver_->RunTransaction({}, then);
}

Result<std::vector<HistoryRow>> History::Read(bool with_scripts, std::vector<std::string>* unknown) {
  auto rows = driver_->Query(
      std::string("SELECT version, name, up_checksum, down_checksum, ") +
      (with_scripts ? "down_script" : "NULL") +
      ", down_no_transaction, irreversible, applied_at, applied_by, release_tag, duration_ms,"
      " state, statements_done, error, statement_checksums, session_id, catalog_before FROM " + history_);
  if (!rows.ok()) return rows.status();
  std::vector<HistoryRow> out;
  out.reserve(rows->size());
  static const std::string kEmpty;
  for (auto& r : *rows) {
    HistoryRow h;
    h.version = Or(r[0], kEmpty);
    h.name = Or(r[1], kEmpty);
    h.up_checksum = Or(r[2], kEmpty);
    h.down_checksum = Or(r[3], kEmpty);
    h.down_script = r[4];
    h.down_no_transaction = r[5] && *r[5] == "1";
    h.irreversible = r[6];
    h.applied_at = Or(r[7], kEmpty);
    h.applied_by = Or(r[8], kEmpty);
    h.release = r[9];
    h.duration_ms = r[10] ? std::atoll(r[10]->c_str()) : 0;
    const std::string state = Or(r[11], kEmpty);
    if (auto parsed = ParseHistoryState(state)) {
      h.state = *parsed;
    } else if (unknown) {
      h.state = HistoryState::kFailed;
      unknown->push_back(h.version);
    } else {
      return Status(Code::kDirty, history_name_ + ": version " + h.version + " has state '" + state +
                                      "', which this dbroll does not know -- upgrade dbroll if a newer one wrote "
                                      "it; if it was edited by hand, record what the database holds: mark it applied")
          .set_remedy(Remedy::kMarkApplied, h.version);
    }
    h.statements_done = r[12] ? std::atoi(r[12]->c_str()) : 0;
    h.error = r[13];
    h.statement_checksums = Or(r[14], kEmpty);
    h.session_id = r[15];
    h.catalog_before = r[16];
    out.push_back(std::move(h));
  }
  return out;
}

Result<std::vector<LogEntry>> History::ReadLog(int limit) {
  std::string sql = "SELECT id, at, by_user, action, versions, release_tag, schema_version, outcome, message FROM " +
                    log_ + " ORDER BY id DESC";
  if (limit > 0) sql += " LIMIT " + std::to_string(limit);
  auto rows = driver_->Query(sql);
  if (!rows.ok()) return rows.status();
  std::vector<LogEntry> out;
  static const std::string kEmpty;
  for (auto& r : *rows) {
    LogEntry e;
    e.id = r[0] ? std::atoll(r[0]->c_str()) : 0;
    e.at = Or(r[1], kEmpty);
    e.by = Or(r[2], kEmpty);
    e.action = Or(r[3], kEmpty);
    e.versions = Or(r[4], kEmpty);
    e.release = r[5];
    e.schema_version = Or(r[6], kEmpty);
    e.outcome = Or(r[7], kEmpty);
    e.message = Or(r[8], kEmpty);
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::string> History::ReleaseVersion(const std::string& release) {
  auto rows = driver_->Query("SELECT schema_version FROM " + log_ + " WHERE release_tag=" + Lit(release) +
                             " AND outcome='ok' AND action IN ('migrate','baseline') ORDER BY id DESC LIMIT 1");
  if (!rows.ok()) return rows.status();
  if (rows->empty()) {
    return Status(Code::kNotFound, "release " + release +
                                       " was never migrated on this database -- the history lists the releases that were")
        .set_remedy(Remedy::kInspectHistory);
  }
  return Or(rows->front()[0], "");
}

Result<std::string> History::CurrentRelease() {
  // The release of the schema as it is now: the newest schema change's tag,
  // or, when that change had none (a plain migrate or down after a
  // release), the newest release that left the schema at the same version.
  // A tag from before a later untagged change is stale and not shown.
  const std::string changes = " WHERE outcome='ok' AND action IN ('migrate','baseline','down')";
  auto last = driver_->Query("SELECT release_tag, schema_version FROM " + log_ + changes + " ORDER BY id DESC LIMIT 1");
  if (!last.ok()) return last.status();
  if (last->empty()) return std::string();
  if (last->front()[0]) return *last->front()[0];
  auto same = driver_->Query("SELECT release_tag FROM " + log_ + changes + " AND release_tag IS NOT NULL AND " +
                             "schema_version = " + Lit(Or(last->front()[1], "")) + " ORDER BY id DESC LIMIT 1");
  if (!same.ok()) return same.status();
  if (same->empty()) return std::string();
  return Or(same->front()[0], "");
}

std::string History::InsertSql(const HistoryRow& r, const std::string* catalog_sql) const {
  // Values in table order, without a column list: less to parse per migration.
  return "INSERT INTO " + history_ + " VALUES (" + Values(r, catalog_sql) + ")";
}

std::string History::Values(const HistoryRow& r, const std::string* catalog_sql) const {
  return Lit(r.version) + ", " + Lit(r.name) + ", " + Lit(r.up_checksum) + ", " + Lit(r.down_checksum) + ", " +
         Lit(r.down_script) + ", " + (r.down_no_transaction ? "1" : "0") + ", " + Lit(r.irreversible) + ", " +
         Lit(r.applied_at) + ", " + Lit(r.applied_by) + ", " + Lit(r.release) + ", " + std::to_string(r.duration_ms) +
         ", " + Lit(std::string(HistoryStateName(r.state))) + ", " + std::to_string(r.statements_done) + ", " + Lit(r.error) +
         ", " + Lit(r.statement_checksums) + ", " + Lit(r.session_id) + ", " +
         (catalog_sql ? *catalog_sql : Lit(r.catalog_before));
}

std::string History::UpsertSql(const HistoryRow& r, const std::string* catalog_sql) const {
  return Upsert(Values(r, catalog_sql));
}

std::string History::UpsertSql(const HistoryRow& first, const HistoryRow& second,
                               const std::string* second_catalog_sql) const {
  return Upsert(Values(first, nullptr) + "), (" + Values(second, second_catalog_sql));
}

std::string History::Upsert(const std::string& vals) const {
  const std::string cols = kColumns;
  switch (dialect_) {
    case Dialect::kSqlite:
      return "INSERT OR REPLACE INTO " + history_ + " (" + cols + ") VALUES (" + vals + ")";
    case Dialect::kMysql:
      return "REPLACE INTO " + history_ + " (" + cols + ") VALUES (" + vals + ")";
    case Dialect::kPostgres: {
      std::string set;
      size_t b = 0;
      while (b < cols.size()) {
        size_t e = cols.find(',', b);
        std::string c = cols.substr(b, e == std::string::npos ? std::string::npos : e - b);
        c.erase(0, c.find_first_not_of(' '));
        if (c != "version") set += (set.empty() ? "" : ", ") + c + " = EXCLUDED." + c;
        if (e == std::string::npos) break;
        b = e + 1;
      }
      return "INSERT INTO " + history_ + " (" + cols + ") VALUES (" + vals +
             ") ON CONFLICT (version) DO UPDATE SET " + set;
    }
  }
  return "";
}

std::string History::DeleteSql(const std::string& version) const {
  return "DELETE FROM " + history_ + " WHERE version=" + Lit(version);
}

std::string History::StateSql(const std::string& version, HistoryState state, int statements_done,
                              const std::optional<std::string>& session_id, const std::string& catalog_sql,
                              const std::optional<std::string>& error, long long duration_ms) const {
  return "UPDATE " + history_ + " SET state=" + Lit(std::string(HistoryStateName(state))) +
         (duration_ms >= 0 ? ", duration_ms=" + std::to_string(duration_ms) : std::string()) +
         ", statements_done=" + std::to_string(statements_done) + ", session_id=" + Lit(session_id) +
         ", catalog_before=" + catalog_sql + ", error=" + Lit(error) + " WHERE version=" + Lit(version);
}

std::string History::LogSql(const LogEntry& e) const {
  return "INSERT INTO " + log_ +
         " (at, by_user, action, versions, release_tag, schema_version, outcome, message) VALUES (" +
         Lit(e.at.empty() ? NowUtc() : e.at) + ", " + Lit(e.by) + ", " + Lit(e.action) + ", " +
         Lit(e.versions) + ", " + Lit(e.release) + ", " + Lit(e.schema_version) + ", " +
         Lit(e.outcome) + ", " + Lit(e.message) + ")";
}

}  // namespace dbroll::internal
