// drop-database: a migration that drops a database destroys everything in it.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  ctx.ForEachOpOf(OpKind::kDropDatabase, {.unless_irreversible = true, .skip_created_here = false}, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    ctx.Report(s, st, op, "database " + op.table + " is dropped with everything in it",
               "drop databases by hand after a backup, not in a migration");
  });
}
}  // namespace
extern const Rule kDropDatabaseRule = {"drop-database", Severity::kError, "An up drops a database", Check};
}  // namespace dbroll::lint
