// Shared by the per-dialect catalog readers (schema_<dialect>.cc) and the
// dialect-independent parts (schema.cc).
#ifndef DBROLL_ENGINE_SCHEMA_INTERNAL_H_
#define DBROLL_ENGINE_SCHEMA_INTERNAL_H_

#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "dbroll/schema.h"

namespace dbroll::internal {

// Decides which tables a snapshot leaves out: dbroll_* and the configured ones.
class TableFilter {
 public:
  explicit TableFilter(const SnapshotOptions& options) : exclude_(options.exclude_tables) {}
  bool Excluded(std::string_view table) const;

 private:
  std::vector<std::string> exclude_;
};

// Runs a catalog query; an error names the query's purpose.
Result<std::vector<Row>> CatalogQuery(Driver& driver, const std::string& what, const std::string& sql);

// Whitespace runs outside quotes become one space; leading/trailing space goes.
std::string CollapseSpace(std::string_view text);
std::string Lower(std::string_view text);
// The column's text, "" for NULL.
const std::string& Text(const Row& row, size_t i);

// What catalog reads found, kept between snapshots of one database by a caller
// that takes many (verify). SQLite only: an object's pragmas follow from its
// CREATE text (an index's also from its table's), so the key is those texts.
struct CatalogCache {
  std::map<std::string, std::vector<SchemaObject>> sqlite;
  // PostgreSQL: the session (Driver::SessionId) that holds the prepared
  // scoped read, "" when none.
  std::string pg_scoped_session;
};

// TakeSnapshot, reusing and filling `cache` (nullptr: read everything).
Result<Snapshot> TakeSnapshotCached(Driver& driver, const SnapshotOptions& options, CatalogCache* cache);

// The names (unqualified; PostgreSQL folded as the server stores them) of the
// tables, views, indexes and sequences a scoped snapshot reads again. A
// scoped read returns exactly the objects InScope() accepts: those relations,
// their columns, constraints, indexes and triggers, and sequences they own.
using ScopeNames = std::set<std::string, std::less<>>;  // looked up with string_view too

// True when a scoped read with `names` returns `object` (if it exists).
bool InScope(const SchemaObject& object, const ScopeNames& names);

// `base` (a snapshot of the same database taken earlier) with its in-scope
// objects replaced by what the catalog holds now: one query per kind, each
// restricted to `names`. PostgreSQL and MySQL only. Exact when every change
// since `base` was taken touched only objects InScope() accepts; the caller
// (verify's scoping, engine/verify_scope.h) makes sure of that.
// `merge` false: just the objects in scope read now, not merged into `base`.
Result<Snapshot> TakeScopedSnapshot(Driver& driver, const SnapshotOptions& options, const Snapshot& base,
                                    const ScopeNames& names, CatalogCache* cache = nullptr, bool merge = true);

// DiffSnapshots(a, b), for `a` and `b` that TakeScopedSnapshot merged with
// `names` from the same base (or one of them that base; `b` may also be an
// unmerged read): only the objects whose key an object in scope of either has
// are compared, since every other object is the base's, unchanged, in both.
// (Those keys are exactly the objects in scope a merged snapshot read: a
// base object with the key of one it read is replaced by it.) The result is
// the same.
std::vector<SchemaChange> DiffScoped(const Snapshot& a, const Snapshot& b, const ScopeNames& names);

Result<std::vector<SchemaObject>> ReadSqliteSchema(Driver& driver, const TableFilter& filter,
                                                   CatalogCache* cache = nullptr);
// `only`: read just the objects InScope(only) accepts; nullptr: everything.
Result<std::vector<SchemaObject>> ReadPostgresSchema(Driver& driver, const TableFilter& filter,
                                                     const ScopeNames* only = nullptr, CatalogCache* cache = nullptr);
// `only`: read just the tables, views and sequences of these names, with
// their columns, constraints, indexes and triggers; nullptr: everything.
Result<std::vector<SchemaObject>> ReadMysqlSchema(Driver& driver, const TableFilter& filter,
                                                  const ScopeNames* only = nullptr);

// The CHECK (...) clauses of a CREATE TABLE text, each as "[CONSTRAINT name ]CHECK (expr)"
// with whitespace collapsed (SQLite keeps checks only in the table's SQL).
std::vector<std::string> ExtractChecks(std::string_view create_table);
// The text after the top-level WHERE of a CREATE INDEX, "" when none.
std::string ExtractIndexPredicate(std::string_view create_index);

}  // namespace dbroll::internal

#endif  // DBROLL_ENGINE_SCHEMA_INTERNAL_H_
