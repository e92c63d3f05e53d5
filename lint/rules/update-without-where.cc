// update-without-where: UPDATE without WHERE (also in CTEs and DO blocks)
// overwrites every row and locks the whole table while it does.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  ctx.ForEachOpOf(OpKind::kUpdate, kDataLossInUp, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    if (op.has_where) return;
    ctx.Report(s, st, op, "UPDATE on table " + op.table + " has no WHERE: every row is overwritten",
               "add a WHERE clause; backfill large tables in batches (WHERE id BETWEEN ...)");
  });
}
}  // namespace
extern const Rule kUpdateWithoutWhereRule = {"update-without-where", Severity::kError,
                                             "UPDATE without WHERE in an up", Check};
}  // namespace dbroll::lint
