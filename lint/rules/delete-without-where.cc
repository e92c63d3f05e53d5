// delete-without-where: DELETE without WHERE (also in CTEs and DO blocks)
// removes every row, usually by mistake.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  ctx.ForEachOpOf(OpKind::kDelete, kDataLossInUp, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    if (op.has_where) return;
    ctx.Report(s, st, op, "DELETE on table " + op.table + " has no WHERE: every row is deleted",
               "add a WHERE clause naming the rows to delete, or archive them first");
  });
}
}  // namespace
extern const Rule kDeleteWithoutWhereRule = {"delete-without-where", Severity::kError,
                                             "DELETE without WHERE in an up", Check};
}  // namespace dbroll::lint
