// transaction-control: BEGIN/COMMIT/ROLLBACK (and END, SAVEPOINT, SET
// autocommit, ...) inside a migration breaks dbroll's own transaction. The
// engine refuses the same statements before it runs anything
// (engine/preflight.h), so lint and migrate agree.
#include "engine/preflight.h"
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  const bool transactional_ddl = ctx.target.dialect != Dialect::kMysql;
  for (const ScriptFacts* s : {&ctx.migration.up, &ctx.migration.down}) {
    if (!s->script) continue;
    std::vector<Statement> stmts;
    stmts.reserve(s->statements.size());
    for (const auto& st : s->statements) stmts.push_back(st.stmt);
    const bool in_tx = internal::RunsInOneTransaction(*s->script, stmts, transactional_ddl);
    for (const auto& st : s->statements) {
      auto tc = internal::FindTransactionControl(st.stmt, ctx.target.dialect, in_tx);
      if (!tc) continue;
      ctx.ReportAt(*s->script, st.stmt.line, st.stmt.column, tc->reason, tc->fix, st.stmt.line);
    }
  }
}
}  // namespace
extern const Rule kTransactionControlRule = {"transaction-control", Severity::kError,
                                             "BEGIN / COMMIT / ROLLBACK inside a migration", Check};
}  // namespace dbroll::lint
