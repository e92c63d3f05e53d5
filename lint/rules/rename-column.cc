// rename-column: the app version still running queries the old name
// (blue-green); MySQL CHANGE with a new name is a rename too.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  ctx.ForEachOp(false, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    if (op.kind != OpKind::kRenameColumn || CreatedHere(st, op)) return;
    ctx.Report(s, st, op, Describe(op) + " is renamed to " + op.new_name + ": the running app still uses the old name",
               "add the new column, write both, backfill, switch reads, and drop the old one in a later release");
  });
}
}  // namespace
extern const Rule kRenameColumnRule = {"rename-column", Severity::kError,
                                       "Renaming a column breaks the app version still running", Check};
}  // namespace dbroll::lint
