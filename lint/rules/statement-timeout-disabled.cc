// statement-timeout-disabled: `SET statement_timeout = 0` in a migration lets
// every later statement run (and hold its locks) without bound.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
bool IsZero(const std::string& v) {
  size_t i = 0;
  while (i < v.size() && v[i] == '0') ++i;
  if (i == 0) return false;
  const std::string unit = v.substr(i);
  return unit.empty() || unit == "ms" || unit == "s" || unit == "min" || unit == "h" || unit == "d" ||
         unit == "us";
}
void Check(const RuleContext& ctx) {
  if (!ctx.postgres()) return;
  ctx.ForEachOp(true, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    if (op.kind != OpKind::kSetStatementTimeout || !IsZero(op.name)) return;
    ctx.Report(s, st, op,
               "statement_timeout is turned off: every later statement of the migration may run, and hold its "
               "locks, without bound",
               "set a bound that fits the slowest statement instead, e.g. SET statement_timeout = '15min'");
  });
}
}  // namespace
extern const Rule kStatementTimeoutDisabledRule = {"statement-timeout-disabled", Severity::kWarning,
                                                   "SET statement_timeout = 0 in a migration (PostgreSQL)", Check};
}  // namespace dbroll::lint
