// missing-lock-timeout: a DDL statement waiting for its lock queues every
// later query on the table behind it; lock_timeout bounds that wait.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
bool TakesTableLock(const StatementFacts& st, const Op& op) {
  if (CreatedHere(st, op) || op.in_do_block) return false;
  switch (op.kind) {
    case OpKind::kAddColumn: case OpKind::kDropColumn: case OpKind::kRenameColumn:
    case OpKind::kAlterColumnType: case OpKind::kSetNotNull: case OpKind::kDropNotNull:
    case OpKind::kAddConstraint: case OpKind::kDropConstraint: case OpKind::kRenameTable:
    case OpKind::kDropTable: case OpKind::kTruncate:
      return true;
    case OpKind::kCreateIndex: case OpKind::kDropIndex:
      return !op.concurrently;
    default:
      return false;
  }
}
bool CreatedByUp(const ScriptFacts& up, const std::string& table) {
  for (const auto& st : up.statements) {
    for (const auto& op : st.ops) {
      if (op.kind == OpKind::kCreateTable && op.table == table) return true;
    }
  }
  return false;
}
void Check(const RuleContext& ctx) {
  if (!ctx.postgres() || ctx.options.session_lock_timeout) return;
  for (const ScriptFacts* s : {&ctx.migration.up, &ctx.migration.down}) {
    if (!s->script) continue;
    bool set = false;
    for (const auto& st : s->statements) {
      for (const auto& op : st.ops) {
        if (op.kind == OpKind::kSetLockTimeout) set = true;
        // Rolling back a table the up created: no app version depends on it yet.
        const bool own_table = s == &ctx.migration.down && CreatedByUp(ctx.migration.up, op.table);
        if (!set && !own_table && TakesTableLock(st, op)) {
          // PostgreSQL's DROP INDEX names the index, not its table.
          const std::string locked =
              op.kind == OpKind::kDropIndex && !op.name.empty() ? "the table of index " + op.name : "table " + op.table;
          ctx.Report(*s, st, op, locked + " is locked with no lock_timeout set: while it waits, every query on the table queues behind it",
                     "SET lock_timeout = '5s' at the top of the migration, or set [postgres] lock_timeout in dbroll.toml above 0 (the driver's default is 5s)");
          set = true;  // once per script
        }
      }
    }
  }
}
}  // namespace
extern const Rule kMissingLockTimeoutRule = {"missing-lock-timeout", Severity::kWarning,
                                             "Locking DDL without lock_timeout", Check};
}  // namespace dbroll::lint
