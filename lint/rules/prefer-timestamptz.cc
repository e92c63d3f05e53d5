// prefer-timestamptz: timestamp without time zone keeps no offset, so values
// written under one TimeZone setting read back wrong under another.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  ReportColumnTypes(
      ctx, [](const std::string& type) { return type == "timestamp" || type.rfind("timestamp(", 0) == 0; },
      " without time zone: it stores no offset, so sessions with another TimeZone read other instants",
      [](const std::string&) { return "use timestamptz (timestamp with time zone)"; });
}
}  // namespace
extern const Rule kPreferTimestamptzRule = {"prefer-timestamptz", Severity::kWarning,
                                            "timestamp without time zone (PostgreSQL)", Check};
}  // namespace dbroll::lint
