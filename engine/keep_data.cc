#include "engine/keep_data.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <set>
#include <tuple>

#include "engine/history.h"

namespace dbroll::internal {
namespace {

std::string Stem(const std::string& table) {
  const std::string suffix = "_history";
  if (table.size() > suffix.size() && table.compare(table.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return table.substr(0, table.size() - suffix.size());
  }
  return table;
}

std::string Join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  size_t b = 0;
  while (!s.empty() && b <= s.size()) {
    size_t e = s.find(',', b);
    out.push_back(s.substr(b, e == std::string::npos ? std::string::npos : e - b));
    if (e == std::string::npos) break;
    b = e + 1;
  }
  return out;
}

const char* KindName(Destruction::Kind k) {
  switch (k) {
    case Destruction::Kind::kDropColumn: return "column";
    case Destruction::Kind::kAlterType: return "type";
    case Destruction::Kind::kDropTable: return "table";
    case Destruction::Kind::kTruncate:
    case Destruction::Kind::kDelete: return "rows";
    case Destruction::Kind::kUpdate: return "update";
    case Destruction::Kind::kNone: break;
  }
  return "";
}

std::string At(const Statement& s) {
  return s.path + ":" + std::to_string(s.line) + ":" + std::to_string(s.column) + ": ";
}

// A `-- dbroll:keep-data` comment between the previous statement and this one.
bool Marked(const Script& script, const std::vector<Statement>& stmts, size_t i) {
  size_t from = i == 0 ? 0 : std::min(stmts[i - 1].offset + stmts[i - 1].text.size(), script.text.size());
  size_t to = std::min(stmts[i].offset, script.text.size());
  if (to <= from) return false;
  return script.text.substr(from, to - from).find("dbroll:keep-data") != std::string::npos;
}

}  // namespace

KeepData::KeepData(Driver* driver, const std::string& schema, const std::string& history_table)
    : driver_(driver), dialect_(driver->dialect()), schema_(schema) {
  const std::string stem = Stem(history_table);
  catalog_name_ = stem + "_archives";
  prefix_ = stem + "_archive_";
  archive_schema_ = stem + "_archive" + (schema.empty() ? "" : "_" + schema);
  catalog_ = schema.empty() ? QuoteIdent(dialect_, catalog_name_)
                            : QuoteIdent(dialect_, schema) + "." + QuoteIdent(dialect_, catalog_name_);
}

std::string KeepData::Quote(const std::string& ident) const { return QuoteIdent(dialect_, ident); }

std::string KeepData::NowSql() const {
  switch (dialect_) {
    case Dialect::kSqlite: return "strftime('%Y-%m-%dT%H:%M:%SZ','now')";
    case Dialect::kPostgres: return "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";
    case Dialect::kMysql: return "DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m-%dT%H:%i:%sZ')";
  }
  return "''";
}

std::string KeepData::ArchiveName(const std::string& version, int seq) const {
  std::string v;
  for (char c : version) {
    v += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
                                                      : '_';
  }
  return prefix_ + v + "_" + std::to_string(seq);
}

Result<bool> KeepData::CatalogExists() {
  const std::string lit = QuoteLiteral(dialect_, catalog_name_);
  std::string sql;
  switch (dialect_) {
    case Dialect::kSqlite: sql = "SELECT count(*) FROM sqlite_master WHERE type='table' AND name=" + lit; break;
    case Dialect::kPostgres:
      sql = "SELECT count(*) FROM pg_catalog.pg_tables WHERE tablename=" + lit + " AND schemaname=" +
            (schema_.empty() ? std::string("current_schema()") : QuoteLiteral(dialect_, schema_));
      break;
    case Dialect::kMysql:
      sql = "SELECT count(*) FROM information_schema.tables WHERE table_schema=DATABASE() AND table_name=" + lit;
      break;
  }
  auto rows = driver_->Query(sql);
  if (!rows.ok()) return rows.status();
  return !rows->empty() && rows->front()[0] && *rows->front()[0] != "0";
}

Status KeepData::EnsureCatalog() {
  auto exists = CatalogExists();
  if (!exists.ok()) return exists.status();
  if (exists.value()) return Status::Ok();
  Statement s;
  s.text = "CREATE TABLE " + catalog_ +
           " (version VARCHAR(64) NOT NULL, seq INTEGER NOT NULL, kind VARCHAR(16) NOT NULL,"
           " table_name VARCHAR(255) NOT NULL, column_list VARCHAR(1000) NOT NULL,"
           " archive_table VARCHAR(128) NOT NULL, created_at VARCHAR(32) NOT NULL, row_count BIGINT NOT NULL,"
           " purged_at VARCHAR(32), PRIMARY KEY (version, seq))" +
           // As the history tables: literals compare in utf8mb4's default collation.
           std::string(dialect_ == Dialect::kMysql ? " DEFAULT CHARSET=utf8mb4" : "");
  Status st = driver_->RunStatement(s);
  if (!st.ok()) return Status(st.code(), catalog_name_ + ": could not create the keep-data catalog: " + st.message());
  return st;
}

Result<std::vector<std::string>> KeepData::RowKey(const std::string& table) {
  const std::string bare = BareName(table, dialect_ != Dialect::kMysql);
  const std::string lit = QuoteLiteral(dialect_, dialect_ == Dialect::kPostgres ? table : bare);
  // Rows of (key name, column, column is NOT NULL), the primary key first
  // (as key name ""), then the unique keys by name, columns in key order.
  std::string sql;
  switch (dialect_) {
    case Dialect::kSqlite:
      sql = "SELECT '', name, 1, pk FROM pragma_table_info(" + lit + ") WHERE pk > 0 UNION ALL "
            "SELECT il.name, ii.name, ti.\"notnull\", ii.seqno FROM pragma_index_list(" + lit + ") il "
            "JOIN pragma_index_info(il.name) ii LEFT JOIN pragma_table_info(" + lit + ") ti ON ti.name = ii.name "
            "WHERE il.\"unique\" = 1 AND il.partial = 0 AND il.origin <> 'pk' ORDER BY 1, 4";
      break;
    case Dialect::kPostgres:
      sql = "SELECT CASE WHEN i.indisprimary THEN '' ELSE c.relname END, a.attname, a.attnotnull FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = "
            "ANY(i.indkey) WHERE i.indrelid = to_regclass(" + lit + ") AND i.indisunique AND i.indpred IS NULL "
            "AND i.indexprs IS NULL AND i.indnkeyatts = i.indnatts "
            "ORDER BY 1, array_position(i.indkey::int2[], a.attnum)";
      break;
    case Dialect::kMysql:
      sql = "SELECT IF(s.INDEX_NAME = 'PRIMARY', '', s.INDEX_NAME), s.COLUMN_NAME, c.IS_NULLABLE = 'NO' "
            "FROM information_schema.STATISTICS s JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = "
            "s.TABLE_SCHEMA AND c.TABLE_NAME = s.TABLE_NAME AND c.COLUMN_NAME = s.COLUMN_NAME "
            "WHERE s.TABLE_SCHEMA = DATABASE() AND s.TABLE_NAME = " + lit + " AND s.NON_UNIQUE = 0 "
            "AND s.SUB_PART IS NULL ORDER BY 1, s.SEQ_IN_INDEX";
      break;
  }
  auto rows = driver_->Query(sql);
  if (!rows.ok()) return rows.status();
  // key name -> columns; a key with a nullable (or expression) column is no key.
  std::map<std::string, std::vector<std::string>> keys;
  std::set<std::string> unusable;
  for (const auto& r : rows.value()) {
    if (r.size() < 3 || !r[0]) continue;
    const std::string v = r[2].value_or("0");
    if (!r[1] || (v != "1" && v != "t" && v != "true")) unusable.insert(*r[0]);
    if (r[1]) keys[*r[0]].push_back(*r[1]);
  }
  for (const auto& [name, cols] : keys) {
    if (!unusable.count(name)) return cols;  // "" (the primary key) sorts first
  }
  return std::vector<std::string>{};
}

Result<long long> KeepData::EstimatedRows(const std::string& table) {
  const std::string bare = BareName(table, dialect_ != Dialect::kMysql);
  std::string sql;
  switch (dialect_) {
    case Dialect::kSqlite: sql = "SELECT count(*) FROM " + table; break;
    case Dialect::kPostgres:
      // -1: never analysed (PostgreSQL 14+); count then.
      sql = "SELECT CASE WHEN c.reltuples < 0 THEN -1 ELSE c.reltuples::bigint END FROM pg_class c WHERE c.oid = "
            "to_regclass(" + QuoteLiteral(dialect_, table) + ")";
      break;
    case Dialect::kMysql:
      sql = "SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = " +
            QuoteLiteral(dialect_, bare);
      break;
  }
  auto rows = driver_->Query(sql);
  if (!rows.ok()) return rows.status();
  long long n = rows->empty() || rows->front().empty() || !rows->front()[0] ? 0 : std::atoll(rows->front()[0]->c_str());
  if (n < 0) {
    auto counted = driver_->Query("SELECT count(*) FROM " + table);
    if (!counted.ok()) return counted.status();
    n = counted->empty() || !counted->front()[0] ? 0 : std::atoll(counted->front()[0]->c_str());
  }
  return n;
}

Result<std::vector<std::string>> KeepData::Columns(const std::string& table) {
  const std::string bare = BareName(table, dialect_ != Dialect::kMysql);
  std::string sql;
  switch (dialect_) {
    case Dialect::kSqlite:
      sql = "SELECT name FROM pragma_table_info(" + QuoteLiteral(dialect_, bare) + ") ORDER BY cid";
      break;
    case Dialect::kPostgres:
      sql = "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(" + QuoteLiteral(dialect_, table) +
            ") AND attnum > 0 AND NOT attisdropped ORDER BY attnum";
      break;
    case Dialect::kMysql:
      sql = "SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = " +
            QuoteLiteral(dialect_, bare) + " ORDER BY ordinal_position";
      break;
  }
  auto rows = driver_->Query(sql);
  if (!rows.ok()) return rows.status();
  std::vector<std::string> out;
  for (const auto& r : rows.value()) {
    if (!r.empty() && r[0]) out.push_back(*r[0]);
  }
  return out;
}

Result<std::vector<Statement>> KeepData::ArchiveUp(const std::string& version, const Script& script,
                                                   const std::vector<Statement>& stmts, bool whole_script,
                                                   bool check_keys) {
  std::vector<Statement> out;
  int seq = 0;
  for (size_t i = 0; i < stmts.size(); ++i) {
    const Statement& st = stmts[i];
    const Destruction d = RecognizeDestruction(st.text);
    const bool marked = Marked(script, stmts, i);
    const bool dml = d.kind == Destruction::Kind::kDelete || d.kind == Destruction::Kind::kUpdate;
    const bool covered = d.kind != Destruction::Kind::kNone && (dml ? marked : (whole_script || marked));
    if (covered && d.unsupported) {
      return Status(Code::kInvalidArgument,
                    At(st) + "keep-data cannot archive this " + (d.kind == Destruction::Kind::kDelete ? "DELETE" : "UPDATE") +
                        " (USING, FROM, JOIN, an alias, RETURNING, ORDER BY, LIMIT or a row-value SET) -- write it as "
                        "DELETE FROM t WHERE ... / UPDATE t SET c = ... WHERE ..., or remove its keep-data mark; "
                        "nothing was applied");
    }
    if (covered) {
      // The tables that get an archive, with their archive's name.
      struct Target {
        std::string table, archive;
        int seq;
      };
      std::vector<Target> targets;
      for (const std::string& table : d.tables) {
        const std::string bare = BareName(table);
        if (bare.rfind(prefix_, 0) == 0 || bare == catalog_name_) continue;
        if (check_keys) {
          auto cols = Columns(table);
          if (!cols.ok()) return cols.status();
          if (cols->empty()) {
            // DROP TABLE IF EXISTS of a table that is not there destroys nothing.
            if (d.kind == Destruction::Kind::kDropTable) continue;
            return Status(Code::kInvalidArgument,
                          At(st) + "keep-data: table " + bare +
                              " does not exist before this statement, so its data cannot be archived -- keep-data "
                              "archives tables that exist before the migration; nothing was applied");
          }
          const bool needs_key = d.kind == Destruction::Kind::kDropColumn || d.kind == Destruction::Kind::kAlterType ||
                                 d.kind == Destruction::Kind::kUpdate;
          if (needs_key) {
            auto pk = RowKey(table);
            if (!pk.ok()) return pk.status();
            if (pk->empty()) {
              return Status(Code::kInvalidArgument,
                            At(st) + "keep-data: table " + bare +
                                " has no primary key and no unique key on NOT NULL columns, so archived values could "
                                "not be matched back to their rows -- add a primary key first, or remove the keep-data "
                                "mark and the data is lost; nothing was applied");
            }
          }
        }
        ++seq;
        targets.push_back({table, ArchiveName(version, seq), seq});
      }
      // DROP TABLE renames its tables aside when every one of them can be;
      // the DROP itself then has nothing left to do.
      bool rename_aside = d.kind == Destruction::Kind::kDropTable && !targets.empty();
      for (size_t k = 0; rename_aside && k < targets.size(); ++k) {
        auto r = RenamesAside(version, targets[k].seq, targets[k].table, targets[k].archive);
        if (!r.ok()) return r.status();
        rename_aside = r.value();
      }
      for (const auto& [table, archive, n] : targets) {
        if (check_keys && max_rows_ > 0 && !dml && !rename_aside) {
          auto rows = EstimatedRows(table);
          if (!rows.ok()) return rows.status();
          if (rows.value() > max_rows_) {
            return Status(Code::kInvalidArgument,
                          At(st) + "keep-data: table " + BareName(table) + " holds about " +
                              std::to_string(rows.value()) + " rows, more than [migrations] keep_data_max_rows = " +
                              std::to_string(max_rows_) +
                              " allows to archive -- raise the bound, or archive the table another way and "
                              "remove the keep-data mark; nothing was applied");
          }
        }
        const std::string kind = rename_aside ? "renamed" : KindName(d.kind);
        Statement gen = st;
        if (rename_aside) {
          for (const std::string& sql : RenameAsideSql(table, archive)) {
            gen.text = sql;
            out.push_back(gen);
          }
        } else {
          gen.text = "CREATE TABLE " + Quote(archive) + " AS SELECT * FROM " + table +
                     (d.where.empty() ? std::string() : " WHERE " + d.where);
          out.push_back(gen);
        }
        gen.text = "INSERT INTO " + catalog_ +
                   " (version, seq, kind, table_name, column_list, archive_table, created_at, row_count) SELECT " +
                   QuoteLiteral(dialect_, version) + ", " + std::to_string(n) + ", " + QuoteLiteral(dialect_, kind) +
                   ", " + QuoteLiteral(dialect_, table) + ", " + QuoteLiteral(dialect_, Join(d.columns, ",")) + ", " +
                   QuoteLiteral(dialect_, archive) + ", " + NowSql() + ", count(*) FROM " + ArchiveRef(kind, archive);
        out.push_back(gen);
      }
      if (rename_aside) continue;
    }
    out.push_back(st);
  }
  return out;
}

Result<std::vector<ArchiveInfo>> KeepData::List(const std::string& version) {
  auto exists = CatalogExists();
  if (!exists.ok()) return exists.status();
  if (!exists.value()) return std::vector<ArchiveInfo>{};
  std::string sql =
      "SELECT version, seq, kind, table_name, column_list, archive_table, created_at, row_count, purged_at FROM " +
      catalog_;
  if (!version.empty()) sql += " WHERE version = " + QuoteLiteral(dialect_, version);
  auto rows = driver_->Query(sql);
  if (!rows.ok()) return rows.status();
  std::vector<ArchiveInfo> out;
  for (const auto& r : rows.value()) {
    if (r.size() < 9) continue;
    ArchiveInfo a;
    auto v = [&](size_t i) { return r[i] ? *r[i] : std::string(); };
    a.version = v(0);
    a.seq = std::atoi(v(1).c_str());
    a.kind = v(2);
    a.table = v(3);
    a.columns = v(4);
    a.archive = v(5);
    a.created_at = v(6);
    a.rows = std::atoll(v(7).c_str());
    a.purged_at = r[8];
    out.push_back(std::move(a));
  }
  std::sort(out.begin(), out.end(), [](const ArchiveInfo& a, const ArchiveInfo& b) {
    const int c = CompareVersions(a.version, b.version);
    return c != 0 ? c < 0 : a.seq < b.seq;
  });
  return out;
}

Result<std::vector<Statement>> KeepData::RestoreDown(const std::string& version, const std::string& path,
                                                     bool without_data, bool resuming) {
  auto list = List(version);
  if (!list.ok()) return list.status();
  std::vector<ArchiveInfo> archives = list.value();
  std::reverse(archives.begin(), archives.end());  // undo the last statement's loss first
  std::vector<Statement> out;
  auto add = [&](const std::string& text) {
    Statement s;
    s.text = text;
    s.path = path;
    out.push_back(s);
  };
  for (const ArchiveInfo& a : archives) {
    const std::string arch = ArchiveRef(a.kind, a.archive);
    std::string restore = "SELECT 1";  // nothing (left) to restore
    std::string drop = "DROP TABLE IF EXISTS " + arch;
    if (!without_data && !a.purged_at) {
      auto acols = Columns(arch);
      if (!acols.ok()) return acols.status();
      if (acols->empty() && !resuming) {
        return Status(Code::kNotFound,
                      path + ": keep-data: the archive table " + a.archive + " of version " + a.version +
                          " is missing, so the data it held cannot be restored -- restore that table from a backup, "
                          "or roll back with --without-data (the data is then lost); nothing was rolled back");
      }
      if (!acols->empty()) {
        std::vector<std::string> quoted;
        for (const auto& c : acols.value()) quoted.push_back(Quote(c));
        const std::string cols = Join(quoted, ", ");
        if (a.kind == "renamed") {
          std::tie(restore, drop) = RenameBackSql(a, cols);
        } else if (a.kind == "table" || a.kind == "rows") {
          restore = "INSERT INTO " + a.table + " (" + cols + ")" +
                    (dialect_ == Dialect::kPostgres ? " OVERRIDING SYSTEM VALUE" : "") + " SELECT " + cols +
                    " FROM " + arch;
          if (a.kind == "rows") {
            auto pk = RowKey(a.table);
            if (!pk.ok()) return pk.status();
            if (!pk->empty()) {
              std::vector<std::string> on;
              for (const auto& k : pk.value()) on.push_back("x." + Quote(k) + " = " + arch + "." + Quote(k));
              restore += " WHERE NOT EXISTS (SELECT 1 FROM " + a.table + " x WHERE " + Join(on, " AND ") + ")";
            }
          }
        } else {
          auto pk = RowKey(a.table);
          if (!pk.ok()) return pk.status();
          if (pk->empty()) {
            return Status(Code::kInvalidArgument,
                          path + ": keep-data: table " + BareName(a.table) +
                              " has no primary key and no unique key on NOT NULL columns after the down statements, "
                              "so the archived values in " + a.archive +
                              " cannot be matched to their rows -- make the down re-create the key, or "
                              "roll back with --without-data (the values are then lost); nothing was rolled back");
          }
          std::vector<std::string> on, set;
          for (const auto& k : pk.value()) on.push_back("a." + Quote(k) + " = x." + Quote(k));
          for (const auto& c : SplitList(a.columns)) {
            set.push_back((dialect_ == Dialect::kMysql ? "x." + c : c) + " = a." + c);
          }
          if (dialect_ == Dialect::kMysql) {
            restore = "UPDATE " + a.table + " AS x JOIN " + arch + " AS a ON " + Join(on, " AND ") + " SET " +
                      Join(set, ", ");
          } else {
            restore = "UPDATE " + a.table + " AS x SET " + Join(set, ", ") + " FROM " + arch + " AS a WHERE " +
                      Join(on, " AND ");
          }
        }
      }
    }
    add(restore);
    add(drop);
    add("DELETE FROM " + catalog_ + " WHERE version = " + QuoteLiteral(dialect_, a.version) +
        " AND seq = " + std::to_string(a.seq));
  }
  return out;
}

}  // namespace dbroll::internal
