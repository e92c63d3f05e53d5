// irreversible-without-directive: an up that destroys data cannot be undone by
// any down; it must say so, so that `dbroll down` stops there.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  if (DeclaredIrreversible(ctx.migration)) return;
  bool reported = false;
  ctx.ForEachOp(false, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    if (reported || !LosesData(st, op, s, ctx.schema) || KeepDataCovers(ctx, s, st, op)) return;
    // An allow with a reason for the rule that reports this op settles it:
    // one finding per problem.
    const std::string own = DataLossRule(op);
    if (!own.empty() && AllowedWithReason(*s.script, own, st.stmt.line)) return;
    reported = true;
    ctx.Report(s, st, op, "migration " + ctx.migration.migration->version + " destroys data (" + Describe(op) +
                              ") but is not marked irreversible: its down cannot restore it",
               "add `-- dbroll:irreversible <reason>` to the top of the up, or make the change reversible");
  });
}
}  // namespace
extern const Rule kIrreversibleWithoutDirectiveRule = {"irreversible-without-directive", Severity::kError,
                                                       "Data loss in an up without -- dbroll:irreversible", Check};
}  // namespace dbroll::lint
