// What a version can change, so that verify snapshots only that part of the
// catalog (PostgreSQL and MySQL; SQLite snapshots are cheap already).
#ifndef DBROLL_ENGINE_VERIFY_SCOPE_H_
#define DBROLL_ENGINE_VERIFY_SCOPE_H_

#include <optional>

#include "dbroll/migration.h"
#include "engine/schema_internal.h"

namespace dbroll::internal {

// The tables, views and indexes the statements of `m` (up and down) create,
// alter, rename, truncate or drop. nullopt when a statement cannot be scoped:
// anything but CREATE/ALTER/DROP TABLE|VIEW|INDEX, RENAME TABLE, TRUNCATE and
// plain INSERT/UPDATE/DELETE/COMMENT/GRANT/REVOKE (functions, types, triggers,
// sequences, DO blocks, CALL/SELECT, partitions and inheritance, placeholders).
std::optional<ScopeNames> VersionScope(const Migration& m, Dialect dialect);

// Adds what a change to `names` can change too, as found in `before` (the
// schema the version starts from), until nothing more is added: views whose
// definition names one of them (views over views too), tables whose columns,
// constraints (foreign keys), indexes or triggers name one. False when the
// scope cannot be exact: a function whose signature or SQL-standard body
// names one (a rename or CASCADE changes or drops it), or a partitioned table.
bool WidenScope(const Snapshot& before, ScopeNames* names);

}  // namespace dbroll::internal

#endif  // DBROLL_ENGINE_VERIFY_SCOPE_H_
