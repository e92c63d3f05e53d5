// allow-unknown-rule: a suppression naming no existing rule (usually a typo)
// suppresses nothing.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  ctx.ForEachAllow([&](const Script& s, const Allow& a) {
    if (a.rule.empty()) return;
    bool known = false;
    for (const auto& r : AllRules()) known = known || a.rule == r.id;
    if (!known) ctx.ReportAt(s, a.line, 1, "dbroll:allow names unknown rule " + a.rule, "use one of the ids listed by docs/lint.md");
  });
}
}  // namespace
extern const Rule kAllowUnknownRuleRule = {"allow-unknown-rule", Severity::kError,
                                           "A dbroll:allow naming a rule that does not exist", Check};
}  // namespace dbroll::lint
