// rename-table: the app version still running queries the old name. The
// rename at the end of a recognised table rebuild is not a finding.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  ctx.ForEachOp(false, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    if (op.kind != OpKind::kRenameTable || CreatedHere(st, op)) return;
    ctx.Report(s, st, op, "table " + op.table + " is renamed to " + op.new_name + ": the running app still uses the old name",
               "create the new table (or a view named like the old one) and move the app over before removing the old name");
  });
}
}  // namespace
extern const Rule kRenameTableRule = {"rename-table", Severity::kError,
                                      "Renaming a table breaks the app version still running", Check};
}  // namespace dbroll::lint
