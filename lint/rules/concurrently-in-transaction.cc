// concurrently-in-transaction: PostgreSQL refuses CONCURRENTLY inside a
// transaction block, and dbroll runs each migration in one unless told not to.
// ALTER TYPE ... ADD VALUE too, before PostgreSQL 12 (the lint target's version).
#include "engine/preflight.h"
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  if (!ctx.postgres()) return;
  ctx.ForEachOp(true, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    if (s.script->directives.no_transaction) return;
    // The engine refuses these too before running anything: ADD VALUE by the
    // same rule (engine/preflight.h) applied to the target's version.
    if (op.kind == OpKind::kAddEnumValue) {
      if (internal::AddEnumValueOutsideTransaction(st.stmt, Dialect::kPostgres, ctx.target.major)) {
        ctx.Report(s, st, op,
                   "ALTER TYPE " + op.table + " ADD VALUE cannot run inside a transaction block on PostgreSQL " +
                       std::to_string(ctx.target.major) + " (" +
                       std::to_string(internal::kPgAddValueInTransactionSince) +
                       " and later can), so dbroll migrate refuses it in a transactional file there",
                   "add `-- dbroll:no-transaction` to the top of the file and keep one statement per such migration");
      }
      return;
    }
    if (op.kind == OpKind::kCreateDatabase || op.kind == OpKind::kDropDatabase) {
      ctx.Report(s, st, op,
                 std::string(op.kind == OpKind::kCreateDatabase ? "CREATE" : "DROP") + " DATABASE " + op.table +
                     " cannot run inside the migration's transaction",
                 "add `-- dbroll:no-transaction` to the top of the file and keep one statement per such migration");
      return;
    }
    if (!op.concurrently) return;
    if (op.kind != OpKind::kCreateIndex && op.kind != OpKind::kDropIndex) return;
    ctx.Report(s, st, op, "index " + op.name + " uses CONCURRENTLY, which cannot run inside the migration's transaction",
               "add `-- dbroll:no-transaction` to the top of the file and keep one statement per such migration");
  });
}
}  // namespace
extern const Rule kConcurrentlyInTransactionRule = {"concurrently-in-transaction", Severity::kError,
                                                    "CONCURRENTLY without -- dbroll:no-transaction", Check};
}  // namespace dbroll::lint
