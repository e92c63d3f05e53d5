// allow-without-reason: a suppression must say why, or reviewers cannot judge it.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  ctx.ForEachAllow([&](const Script& s, const Allow& a) {
    if (!a.reason.empty() && !a.rule.empty()) return;
    ctx.ReportAt(s, a.line, 1,
                 "dbroll:allow " + (a.rule.empty() ? std::string("without a rule id") : a.rule) +
                     " has no reason, so it suppresses nothing",
                 "write `-- dbroll:allow <rule-id> <why this is safe>`");
  });
}
}  // namespace
extern const Rule kAllowWithoutReasonRule = {"allow-without-reason", Severity::kError,
                                             "A dbroll:allow suppression without a reason", Check};
}  // namespace dbroll::lint
