// What a statement of a statement-by-statement run touches, so that the
// intent recorded before it can fingerprint just that part of the catalog.
#ifndef DBROLL_ENGINE_INTENT_H_
#define DBROLL_ENGINE_INTENT_H_

#include <optional>
#include <string>
#include <vector>

#include "dbroll/driver.h"
#include "dbroll/migration.h"

namespace dbroll::internal {

// Unqualified names of the tables, views and indexes a DDL statement creates,
// alters, renames or drops (CREATE/ALTER/DROP TABLE|VIEW|INDEX, RENAME TABLE,
// TRUNCATE); empty when it cannot tell, which means "the whole schema".
// PostgreSQL folds unquoted names to lower case.
std::vector<std::string> TargetObjects(const std::string& text, Dialect dialect);

// How much of the catalog tells whether `text` took effect: kExistence for
// statements whose success always creates or removes the objects
// TargetObjects names (CREATE [OR REPLACE] TABLE|VIEW, DROP TABLE|VIEW,
// RENAME TABLE), where a failed or never-run attempt leaves their existence
// as it was, or leaves them so that running the statement again is harmless;
// kStructure for everything else.
FingerprintScope ScopeFor(const std::string& text, Dialect dialect);

// CREATE [UNIQUE] INDEX CONCURRENTLY [IF NOT EXISTS] [name] ON [ONLY] table.
struct ConcurrentIndex {
  std::string name;  // "" when the statement names none
  std::string table;
};
std::optional<ConcurrentIndex> ParseCreateIndexConcurrently(const std::string& text);

}  // namespace dbroll::internal

#endif  // DBROLL_ENGINE_INTENT_H_
