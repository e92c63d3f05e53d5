// unparseable-statement: a statement the linter cannot understand is reported
// so that it is never passed unchecked.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  ctx.ForEachScript([&](const ScriptFacts& s) {
    if (s.split_failed) {
      ctx.ReportAt(*s.script, 1, 1, s.split_error, "fix the file: the statements cannot be told apart");
      return;
    }
    for (const auto& st : s.statements) {
      if (st.parsed) continue;
      ctx.ReportAt(*s.script, st.error_line ? st.error_line : st.stmt.line,
                   st.error_column ? st.error_column : st.stmt.column, "statement not checked: " + st.parse_error,
                   "fix the syntax, or -- dbroll:allow unparseable-statement <reason> when the server accepts it",
                   st.stmt.line);
    }
  });
}
}  // namespace
extern const Rule kUnparseableStatementRule = {"unparseable-statement", Severity::kWarning,
                                               "A statement the linter could not parse", Check};
}  // namespace dbroll::lint
