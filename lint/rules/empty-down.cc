// empty-down: a down with only comments rolls back nothing while claiming to.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  if (!ctx.migration.has_down || !ctx.migration.down.blank || ctx.migration.up.blank) return;
  ctx.ReportAt(*ctx.migration.down.script, 1, 1, ctx.migration.down.script->path + " is empty: rolling back does nothing",
               "write the statements that undo the up, or delete the down and mark the up "
               "`-- dbroll:irreversible <reason>`");
}
}  // namespace
extern const Rule kEmptyDownRule = {"empty-down", Severity::kError, "A down with only comments or whitespace", Check};
}  // namespace dbroll::lint
