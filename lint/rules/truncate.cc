// truncate: TRUNCATE empties a table; no down can bring the rows back.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  ctx.ForEachOpOf(OpKind::kTruncate, kDataLossInUp, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    ctx.Report(s, st, op, "table " + op.table + " is truncated: every row is lost" +
                              (op.cascade ? ", and CASCADE empties the tables that reference it" : ""),
               "copy the rows to an archive table first, or mark the migration `-- dbroll:irreversible <reason>`");
  });
}
}  // namespace
extern const Rule kTruncateRule = {"truncate", Severity::kError, "An up truncates a table", Check};
}  // namespace dbroll::lint
