// update-without-where: UPDATE without WHERE (also in CTEs and DO blocks)
// overwrites every row and locks the whole table while it does.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  if (DeclaredIrreversible(ctx.migration)) return;
  ctx.ForEachOp(false, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    if (op.kind != OpKind::kUpdate || op.has_where || CreatedHere(st, op)) return;
    if (KeepDataCovers(ctx, s, st, op)) return;  // archived and restored: see keep-data
    ctx.Report(s, st, op, "UPDATE on table " + op.table + " has no WHERE: every row is overwritten",
               "add a WHERE clause; backfill large tables in batches (WHERE id BETWEEN ...)");
  });
}
}  // namespace
extern const Rule kUpdateWithoutWhereRule = {"update-without-where", Severity::kError,
                                             "UPDATE without WHERE in an up", Check};
}  // namespace dbroll::lint
