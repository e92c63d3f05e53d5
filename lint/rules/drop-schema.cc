// drop-schema: dropping a schema (PostgreSQL, SQLite attached schemas) loses
// every object in it, more so with CASCADE.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  if (DeclaredIrreversible(ctx.migration)) return;
  ctx.ForEachOp(false, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    if (op.kind != OpKind::kDropSchema) return;
    for (const auto& prev : s.statements) {
      if (&prev == &st) break;
      for (const auto& p : prev.ops) {
        if (p.kind == OpKind::kCreateSchema && p.table == op.table) return;
      }
    }
    ctx.Report(s, st, op,
               "schema " + op.table + " is dropped" + (op.cascade ? " with CASCADE: every object in it is lost" : ""),
               "move what is still needed out of the schema first; drop it in a migration marked "
               "`-- dbroll:irreversible <reason>`");
  });
}
}  // namespace
extern const Rule kDropSchemaRule = {"drop-schema", Severity::kError, "An up drops a schema", Check};
}  // namespace dbroll::lint
