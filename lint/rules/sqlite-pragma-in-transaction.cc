// sqlite-pragma-in-transaction: SQLite ignores PRAGMA foreign_keys inside a
// transaction, and dbroll runs a migration in one unless it is marked
// no-transaction, so the documented table rebuild keeps enforcing (or not
// enforcing) foreign keys against the author's intent.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
// "pragma foreign_keys=off" -> "off"; empty when the statement is not such an
// assignment. Whitespace and a schema prefix ("main.") are allowed.
std::string ForeignKeysValue(const std::string& text) {
  std::string t;
  for (char c : Lower(text)) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '"' && c != '\'' && c != '`') t += c;
  }
  if (t.rfind("pragma", 0) != 0) return "";
  t = t.substr(6);
  const size_t dot = t.find('.');
  if (dot != std::string::npos && dot < t.find('=')) t = t.substr(dot + 1);
  if (t.rfind("foreign_keys=", 0) == 0) return t.substr(13);
  if (t.rfind("foreign_keys(", 0) == 0 && t.back() == ')') return t.substr(13, t.size() - 14);
  return "";
}
void Check(const RuleContext& ctx) {
  if (ctx.target.dialect != Dialect::kSqlite) return;
  ctx.ForEachScript([&](const ScriptFacts& s) {
    if (s.script->directives.no_transaction) return;
    for (const auto& st : s.statements) {
      const std::string v = ForeignKeysValue(st.stmt.text);
      if (v.empty()) continue;
      ctx.ReportStatement(s, st,
                          "PRAGMA foreign_keys = " + v +
                              " does nothing here: SQLite ignores it inside a transaction, and dbroll runs this file "
                              "in one",
                          "mark the file `-- dbroll:no-transaction` so the pragma takes effect (and run PRAGMA "
                          "foreign_key_check before turning foreign keys back on)");
    }
  });
}
}  // namespace
extern const Rule kSqlitePragmaInTransactionRule = {"sqlite-pragma-in-transaction", Severity::kWarning,
                                                    "PRAGMA foreign_keys in a transactional SQLite migration", Check};
}  // namespace dbroll::lint
