// enum-value-used-in-transaction: PostgreSQL 12+ runs ALTER TYPE ... ADD VALUE
// in the migration's transaction, but refuses to use the new value before that
// transaction commits (55P04 unsafe use of new enum value).
#include "engine/preflight.h"
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
// `value` as an SQL string literal.
std::string Literal(std::string value) {
  for (size_t q = value.find('\''); q != std::string::npos; q = value.find('\'', q + 2)) value.insert(q, 1, '\'');
  return "'" + value + "'";
}

void Check(const RuleContext& ctx) {
  if (!ctx.postgres()) return;
  // Before 12 concurrently-in-transaction reports the ADD VALUE itself.
  if (ctx.target.major != 0 && ctx.target.major < internal::kPgAddValueInTransactionSince) return;
  const ScriptFacts& s = ctx.migration.up;
  if (!s.script || s.script->directives.no_transaction) return;
  for (const StatementFacts& st : s.statements) {
    for (const Op& op : st.ops) {
      if (op.kind != OpKind::kAddEnumValue || op.new_name.empty()) continue;
      const std::string lit = Literal(op.new_name);
      for (size_t i = static_cast<size_t>(st.index) + 1; i < s.statements.size(); ++i) {
        const StatementFacts& later = s.statements[i];
        if (later.stmt.text.find(lit) == std::string::npos) continue;
        ctx.ReportAt(*s.script, later.stmt.line, later.stmt.column,
                     lit + " is the value ALTER TYPE " + op.table + " ADD VALUE adds at line " +
                         std::to_string(st.stmt.line) +
                         ": PostgreSQL refuses to use it before that transaction "
                         "commits (55P04 unsafe use of new enum value), and dbroll runs this file in one transaction",
                     "use the value in the next migration, or add `-- dbroll:no-transaction` at the top of the file "
                     "so each statement commits on its own",
                     later.stmt.line);
        break;  // one finding per added value
      }
    }
  }
}
}  // namespace
extern const Rule kEnumValueUsedInTransactionRule = {"enum-value-used-in-transaction", Severity::kWarning,
                                                     "A new enum value used in the transaction that adds it", Check};
}  // namespace dbroll::lint
