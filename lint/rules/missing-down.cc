// missing-down: without a down the migration cannot be rolled back; an up
// that means it declares `-- dbroll:irreversible <reason>`.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  if (ctx.migration.has_down || DeclaredIrreversible(ctx.migration)) return;
  ctx.ReportAt(*ctx.migration.up.script, 1, 1, "migration " + ctx.migration.migration->version + "_" +
                                                   ctx.migration.migration->name + " has no down",
               "add down.sql next to up.sql, or mark the up `-- dbroll:irreversible <reason>`");
}
}  // namespace
extern const Rule kMissingDownRule = {"missing-down", Severity::kError, "An up without a down", Check};
}  // namespace dbroll::lint
