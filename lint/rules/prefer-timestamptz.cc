// prefer-timestamptz: timestamp without time zone keeps no offset, so values
// written under one TimeZone setting read back wrong under another.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  if (!ctx.postgres()) return;
  ForEachColumnType(ctx, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op, const std::string& column,
                             const std::string& type, bool) {
    if (type != "timestamp" && type.rfind("timestamp(", 0) != 0) return;
    ctx.Report(s, st, op,
               "column " + op.table + "." + column + " is " + type +
                   " without time zone: it stores no offset, so sessions with another TimeZone read other instants",
               "use timestamptz (timestamp with time zone)");
  });
}
}  // namespace
extern const Rule kPreferTimestamptzRule = {"prefer-timestamptz", Severity::kWarning,
                                            "timestamp without time zone (PostgreSQL)", Check};
}  // namespace dbroll::lint
