// Schema snapshots: a normalised description of a live schema, read from the
// catalog through Driver::Query, so that the same schema gives the same text
// whatever order it was built in; and the difference between two snapshots.
#ifndef DBROLL_SCHEMA_H_
#define DBROLL_SCHEMA_H_

#include <string>
#include <vector>

#include "dbroll/driver.h"
#include "dbroll/options.h"
#include "dbroll/status.h"

namespace dbroll {

// One object of a schema. Objects that belong to a table (columns,
// constraints, indexes, triggers) carry its name in `table` and are named
// "<table>.<name>".
struct SchemaObject {
  // "extension", "type", "sequence", "table", "column", "constraint",
  // "index", "view", "trigger", "function".
  std::string kind;
  std::string name;
  std::string table;       // owning table; "" for top-level objects
  std::string summary;     // short form for messages: a column's type, an index's columns
  std::string definition;  // normalised full definition; equal definitions mean equal objects
  int position = 0;        // a column's ordinal position (1-based); 0 for other kinds

  // "column accounts.flag_b (boolean)", "index accounts_name on accounts (name)".
  std::string Describe() const;
};

struct Snapshot {
  Dialect dialect = Dialect::kSqlite;
  // Sorted by (top-level object, kind, name); columns by position.
  std::vector<SchemaObject> objects;
};

struct SnapshotOptions {
  // Tables left out, with everything on them. Tables named dbroll_* are
  // always left out. Default: none beyond dbroll_*.
  std::vector<std::string> exclude_tables;
};

// Leaves out the history, log and meta tables `options` names.
SnapshotOptions SnapshotOptionsFor(const EngineOptions& options);

// Reads the schema the driver's connection sees (SQLite: the main database;
// PostgreSQL: every non-system schema; MySQL: the current database).
// Errors: the driver's, with the catalog query named.
Result<Snapshot> TakeSnapshot(Driver& driver, const SnapshotOptions& options = {});

// Readable, stable text: one object per line, table parts indented below their table.
std::string SnapshotText(const Snapshot& snapshot);
// {"format":1,"dialect":"sqlite","objects":[{"kind":..., ...}, ...]}
std::string SnapshotJson(const Snapshot& snapshot);

struct SchemaChange {
  enum class Kind { kAdded, kRemoved, kChanged };
  Kind kind = Kind::kChanged;
  SchemaObject before;  // empty for kAdded
  SchemaObject after;   // empty for kRemoved
};

// What turns `before` into `after`: added, removed and changed objects, plus a
// kChanged "table" entry when only the column order of a table differs.
// Sorted like Snapshot::objects. Empty when the snapshots are equal.
std::vector<SchemaChange> DiffSnapshots(const Snapshot& before, const Snapshot& after);

}  // namespace dbroll

#endif  // DBROLL_SCHEMA_H_
