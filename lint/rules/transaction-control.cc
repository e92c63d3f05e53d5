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
    // A file that steps out of the transaction (COMMIT; ...; BEGIN;): with
    // -- dbroll:no-transaction the engine skips that COMMIT and BEGIN, without
    // it the engine refuses the file naming that directive.
    const auto step = internal::FindStepOut(stmts, ctx.target.dialect);
    if (step && !s->script->directives.no_transaction) {
      const Statement& commit = stmts[step->commit];
      const internal::TransactionControl tc = internal::StepOutProblem(commit, stmts[step->begin]);
      ctx.ReportAt(*s->script, commit.line, commit.column, tc.reason, tc.fix, commit.line);
      continue;
    }
    const bool in_tx = internal::RunsInOneTransaction(*s->script, stmts, transactional_ddl);
    for (size_t i = 0; i < s->statements.size(); ++i) {
      const auto& st = s->statements[i];
      if (step && (i == step->commit || i == step->begin)) continue;
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
