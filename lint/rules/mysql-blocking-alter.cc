// mysql-blocking-alter: LOCK=SHARED/EXCLUSIVE or ALGORITHM=COPY asks MySQL to
// block writes (or reads) for the whole table copy.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  if (ctx.target.dialect != Dialect::kMysql) return;
  ctx.ForEachOp(true, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    const bool lock = op.lock == "SHARED" || op.lock == "EXCLUSIVE";
    const bool copy = op.algorithm == "COPY";
    if (!lock && !copy) return;
    if (&op != &st.ops.front()) return;  // the options apply to the whole statement: report once
    ctx.Report(s, st, op, "ALTER on table " + op.table + " uses " + (lock ? "LOCK=" + op.lock : "ALGORITHM=COPY") +
                              ": the table is blocked while it is copied",
               "use ALGORITHM=INPLACE (or INSTANT) with LOCK=NONE, or an online schema change tool (gh-ost, pt-osc)");
  });
}
}  // namespace
extern const Rule kMysqlBlockingAlterRule = {"mysql-blocking-alter", Severity::kError,
                                             "MySQL ALTER with LOCK=SHARED/EXCLUSIVE or ALGORITHM=COPY", Check};
}  // namespace dbroll::lint
