// drop-schema: dropping a schema (PostgreSQL, SQLite attached schemas) loses
// every object in it, more so with CASCADE.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  ctx.ForEachOpOf(OpKind::kDropSchema, {.unless_irreversible = true, .skip_created_here = false}, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    if (EarlierOp(s, st, [&](const Op& p) { return p.kind == OpKind::kCreateSchema && p.table == op.table; })) return;
    ctx.Report(s, st, op,
               "schema " + op.table + " is dropped" + (op.cascade ? " with CASCADE: every object in it is lost" : ""),
               "move what is still needed out of the schema first; drop it in a migration marked "
               "`-- dbroll:irreversible <reason>`");
  });
}
}  // namespace
extern const Rule kDropSchemaRule = {"drop-schema", Severity::kError, "An up drops a schema", Check};
}  // namespace dbroll::lint
