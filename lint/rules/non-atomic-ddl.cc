// non-atomic-ddl: MySQL commits after every DDL statement, so a migration with
// several fails half-applied and dbroll cannot roll it back.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
bool IsDdl(const StatementFacts& st) {
  for (const auto& op : st.ops) {
    switch (op.kind) {
      case OpKind::kDelete: case OpKind::kUpdate: case OpKind::kInsert: case OpKind::kOther:
      case OpKind::kTransactionControl: case OpKind::kSetLockTimeout:
        break;
      default:
        return true;
    }
  }
  return false;
}
void Check(const RuleContext& ctx) {
  if (ctx.target.dialect != Dialect::kMysql) return;
  for (const ScriptFacts* s : {&ctx.migration.up, &ctx.migration.down}) {
    if (!s->script) continue;
    int ddl = 0;
    for (const auto& st : s->statements) {
      if (!IsDdl(st) || ++ddl != 2) continue;
      ctx.ReportAt(*s->script, st.stmt.line, st.stmt.column,
                   "second DDL statement in one migration: " + ctx.target.flavor +
                       " commits each DDL on its own, so a failure here leaves the first applied",
                   "put each DDL statement in its own migration", st.stmt.line);
    }
  }
}
}  // namespace
extern const Rule kNonAtomicDdlRule = {"non-atomic-ddl", Severity::kWarning,
                                       "More than one DDL statement in a MySQL migration", Check};
}  // namespace dbroll::lint
