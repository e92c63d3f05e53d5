// prefer-text-field: varchar(n) on PostgreSQL stores the same as text, but
// changing n later is an ALTER TABLE under an ACCESS EXCLUSIVE lock.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  ReportColumnTypes(
      ctx, [](const std::string& type) { return type.rfind("varchar(", 0) == 0; },
      ": changing the limit later takes an ACCESS EXCLUSIVE lock on the table", [](const std::string& column) {
        return "use text, with CHECK (char_length(" + column +
               ") <= N) if the limit matters (a CHECK can be replaced NOT VALID without a long lock)";
      });
}
}  // namespace
extern const Rule kPreferTextFieldRule = {"prefer-text-field", Severity::kWarning,
                                          "varchar(n) instead of text (PostgreSQL)", Check};
}  // namespace dbroll::lint
