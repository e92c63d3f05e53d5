// rename-enum-value: the running app still writes and compares the old label.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  ctx.ForEachOp(false, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    if (op.kind != OpKind::kRenameEnumValue) return;
    ctx.Report(s, st, op, "enum value '" + op.name + "' of type " + op.table + " is renamed to '" + op.new_name +
                              "': the running app still uses the old label",
               "add the new label, move rows and the app over, and keep the old label until no version writes it");
  });
}
}  // namespace
extern const Rule kRenameEnumValueRule = {"rename-enum-value", Severity::kError,
                                          "Renaming an enum label breaks the running app", Check};
}  // namespace dbroll::lint
