// drop-table: an up that drops a table loses its rows; a SQLite table rebuild
// (create new, copy, drop old, rename) that keeps every column is not a loss.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  ctx.ForEachOpOf(OpKind::kDropTable, kDataLossInUp, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    if (IsTableRebuild(s, op, ctx.schema)) return;
    ctx.Report(s, st, op, Describe(op) + " is dropped with all its rows",
               "rename it (or stop using it) first and drop it in a later migration marked "
               "`-- dbroll:irreversible <reason>` once no app version reads it");
  });
}
}  // namespace
extern const Rule kDropTableRule = {"drop-table", Severity::kError, "An up drops a table with its data", Check};
}  // namespace dbroll::lint
