// prefer-bigint-keys: a 32-bit (or 16-bit) primary key runs out, and widening
// it later rewrites the table and every referencing key under an exclusive lock.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  if (!ctx.postgres()) return;
  ForEachColumnType(ctx, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op, const std::string& column,
                             const std::string& type, bool primary_key) {
    if (!primary_key) return;
    const char* limit = nullptr;
    if (type == "int4" || type == "integer" || type == "int" || type == "serial" || type == "serial4") {
      limit = "2,147,483,647";
    } else if (type == "int2" || type == "smallint" || type == "smallserial" || type == "serial2") {
      limit = "32,767";
    }
    if (!limit) return;
    ctx.Report(s, st, op,
               "primary key column " + op.table + "." + column + " is " + type + ": it runs out at " + limit +
                   ", and widening it later rewrites the table under an ACCESS EXCLUSIVE lock",
               "use bigint (bigint GENERATED ALWAYS AS IDENTITY for a generated key)");
  });
}
}  // namespace
extern const Rule kPreferBigintKeysRule = {"prefer-bigint-keys", Severity::kWarning,
                                           "A 32-bit or 16-bit primary key (PostgreSQL)", Check};
}  // namespace dbroll::lint
