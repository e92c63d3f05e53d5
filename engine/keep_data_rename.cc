// Keep-data for DROP TABLE: the table is renamed aside into the archive
// instead of copied (O(1), and the rollback gets back the very table: rows,
// indexes, constraints, identity/sequence state), where nothing else refers
// to it. Where something does, a rename would drag that reference along or
// leave it pointing at the archive, so the table is copied as before.
#include <cstdlib>

#include "engine/history.h"
#include "engine/keep_data.h"

namespace dbroll::internal {
namespace {

constexpr char kRenamed[] = "renamed";

Result<long long> Count(Driver* driver, const std::string& sql) {
  auto rows = driver->Query(sql);
  if (!rows.ok()) return rows.status();
  if (rows->empty() || rows->front().empty() || !rows->front()[0]) return 0;
  return std::atoll(rows->front()[0]->c_str());
}

}  // namespace

std::string KeepData::ArchiveRef(const std::string& kind, const std::string& archive) const {
  if (dialect_ == Dialect::kPostgres && kind == kRenamed) return Quote(archive_schema_) + "." + Quote(archive);
  return Quote(archive);
}

Result<bool> KeepData::RenamesAside(const std::string& version, int seq, const std::string& table,
                                    const std::string& archive) {
  // MySQL and SQLite rename within the database the migration runs on.
  if (dialect_ != Dialect::kPostgres && !SplitQualified(table).first.empty()) return false;
  auto catalog = CatalogExists();
  if (!catalog.ok()) return catalog.status();
  if (catalog.value()) {
    auto kind = driver_->Query("SELECT kind FROM " + catalog_ + " WHERE version = " +
                               QuoteLiteral(dialect_, version) + " AND seq = " + std::to_string(seq));
    if (!kind.ok()) return kind.status();
    if (!kind->empty() && kind->front()[0]) return *kind->front()[0] == kRenamed;
  }
  const std::string arch = QuoteLiteral(dialect_, archive);
  std::string sql;
  switch (dialect_) {
    case Dialect::kSqlite: sql = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = " + arch; break;
    case Dialect::kPostgres: sql = "SELECT count(*) FROM pg_catalog.pg_class WHERE relname = " + arch; break;
    case Dialect::kMysql:
      sql = "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = " + arch;
      break;
  }
  auto archived = Count(driver_, sql);
  if (!archived.ok()) return archived.status();
  auto cols = Columns(table);
  if (!cols.ok()) return cols.status();
  // An interrupted run left the archive: renamed when the table is gone.
  if (archived.value() > 0) return cols->empty();
  if (cols->empty()) return false;
  const std::string lit = QuoteLiteral(dialect_, dialect_ == Dialect::kPostgres ? table : BareName(table, false));
  switch (dialect_) {
    case Dialect::kSqlite:
      // Index and trigger names are unique per file (the down re-creates
      // them), and a rename rewrites views, triggers and foreign keys of
      // other tables to follow the table into the archive.
      sql = "SELECT (SELECT count(*) FROM sqlite_master WHERE lower(tbl_name) = lower(" + lit +
            ") AND type IN ('index', 'trigger') AND sql IS NOT NULL) + (SELECT count(*) FROM sqlite_master WHERE "
            "type IN ('view', 'trigger') AND lower(tbl_name) <> lower(" + lit + ") AND instr(lower(sql), lower(" +
            lit + ")) > 0) + (SELECT count(*) FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type "
            "= 'table' AND lower(m.name) <> lower(" + lit + ") AND lower(f.\"table\") = lower(" + lit + "))";
      break;
    case Dialect::kPostgres:
      // Views and foreign keys follow the table by oid; inheritance and
      // partitions do not move with SET SCHEMA; an index or owned sequence
      // whose name the archive schema already holds cannot move there.
      sql = "SELECT count(*) FROM pg_catalog.pg_class c WHERE c.oid = to_regclass(" + lit + ") AND (c.relkind <> 'r' "
            "OR c.relispartition OR EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid OR "
            "i.inhparent = c.oid) OR EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.confrelid = c.oid AND "
            "k.conrelid <> c.oid) OR EXISTS (SELECT 1 FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_rewrite w ON "
            "w.oid = d.objid WHERE d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.refobjid = c.oid AND "
            "w.ev_class <> c.oid) OR EXISTS (SELECT 1 FROM pg_catalog.pg_class o WHERE o.relnamespace = "
            "to_regnamespace(" + QuoteLiteral(dialect_, Quote(archive_schema_)) + ") AND o.relname IN (SELECT "
            "x.relname FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class x ON x.oid = i.indexrelid WHERE "
            "i.indrelid = c.oid UNION ALL SELECT s.relname FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_class s ON "
            "s.oid = d.objid WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refobjid = c.oid AND "
            "s.relkind = 'S')))";
      break;
    case Dialect::kMysql:
      // InnoDB foreign key and trigger names are unique per database (the
      // down re-creates them).
      sql = "SELECT (SELECT count(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = "
            "DATABASE() AND (TABLE_NAME = " + lit + " OR REFERENCED_TABLE_NAME = " + lit + ")) + (SELECT count(*) "
            "FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = " +
            lit + ")";
      break;
  }
  auto refs = Count(driver_, sql);
  if (!refs.ok()) return refs.status();
  return refs.value() == 0;
}

std::vector<std::string> KeepData::RenameAsideSql(const std::string& table, const std::string& archive) const {
  const std::string arch = Quote(archive);
  switch (dialect_) {
    case Dialect::kSqlite: return {"ALTER TABLE " + table + " RENAME TO " + arch};
    case Dialect::kMysql: return {"RENAME TABLE " + table + " TO " + arch};
    case Dialect::kPostgres: break;
  }
  // Renamed first, so two versions dropping tables of the same name never
  // meet in the archive schema.
  const std::string schema = SplitQualified(table).first;
  return {"CREATE SCHEMA IF NOT EXISTS " + Quote(archive_schema_), "ALTER TABLE " + table + " RENAME TO " + arch,
          "ALTER TABLE " + (schema.empty() ? "" : schema + ".") + arch + " SET SCHEMA " + Quote(archive_schema_)};
}

std::pair<std::string, std::string> KeepData::RenameBackSql(const ArchiveInfo& a, const std::string& cols) const {
  const std::string ref = ArchiveRef(a.kind, a.archive);
  const auto [schema, name] = SplitQualified(a.table);
  switch (dialect_) {
    case Dialect::kSqlite: return {"DROP TABLE IF EXISTS " + a.table, "ALTER TABLE " + ref + " RENAME TO " + name};
    case Dialect::kMysql: return {"DROP TABLE IF EXISTS " + a.table, "RENAME TABLE " + ref + " TO " + a.table};
    case Dialect::kPostgres: break;
  }
  // One statement that looks at what the down re-created: views and foreign
  // keys bind to it by oid, so when it has some the archived rows are copied
  // into it; otherwise it is replaced by the archived table, moved back into
  // the schema the down used.
  const std::string lit = QuoteLiteral(dialect_, a.table);
  const std::string target =
      "coalesce(dbroll_target, " + (schema.empty() ? "current_schema()" : QuoteLiteral(dialect_, BareName(schema))) + ")";
  std::string sql =
      "DO $dbroll$ DECLARE dbroll_target text; BEGIN SELECT n.nspname INTO dbroll_target FROM pg_catalog.pg_class c "
      "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass(" + lit + "); "
      "IF dbroll_target IS NOT NULL AND (EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.confrelid = "
      "to_regclass(" + lit + ") AND k.conrelid <> k.confrelid) OR EXISTS (SELECT 1 FROM pg_catalog.pg_depend d JOIN "
      "pg_catalog.pg_rewrite w ON w.oid = d.objid WHERE d.classid = 'pg_catalog.pg_rewrite'::regclass AND "
      "d.refobjid = to_regclass(" + lit + ") AND w.ev_class <> d.refobjid)) THEN INSERT INTO " + a.table + " (" +
      cols + ") OVERRIDING SYSTEM VALUE SELECT " + cols + " FROM " + ref + " ON CONFLICT DO NOTHING; ELSE "
      "DROP TABLE IF EXISTS " + a.table + "; EXECUTE format('ALTER TABLE %s SET SCHEMA %I', " +
      QuoteLiteral(dialect_, ref) + ", " + target + "); EXECUTE format('ALTER TABLE %I.%s RENAME TO %s', " + target +
      ", " + QuoteLiteral(dialect_, Quote(a.archive)) + ", " + QuoteLiteral(dialect_, name) + "); END IF; END $dbroll$";
  return {sql, "DROP TABLE IF EXISTS " + ref};
}

}  // namespace dbroll::internal
