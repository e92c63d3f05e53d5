// drop-column: an up that drops a column loses its data and breaks the app
// version still running, which reads it.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  ctx.ForEachOpOf(OpKind::kDropColumn, kDataLossInUp, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    // A column added earlier in this same up holds no data yet.
    if (EarlierOp(s, st, [&](const Op& p) {
          return p.kind == OpKind::kAddColumn && p.table == op.table && p.name == op.name;
        })) {
      return;
    }
    ctx.Report(s, st, op, Describe(op) + " is dropped: its data is lost and the app version still running reads it",
               "stop using the column in the app and deploy that first; drop it in a later migration marked "
               "`-- dbroll:irreversible <reason>`");
  });
}
}  // namespace
extern const Rule kDropColumnRule = {"drop-column", Severity::kError,
                                     "An up drops a column: data loss and a break for the running app", Check};
}  // namespace dbroll::lint
