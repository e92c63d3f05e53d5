#include <set>

#include "dbroll/fleet.h"

namespace dbroll {

FleetRunCounts CountFleetRun(const FleetReport& report) {
  std::set<std::string> rolled;
  for (const auto& t : report.targets) {
    if (t.outcome == "rolled-back") rolled.insert(t.target);
  }
  FleetRunCounts c;
  c.rolled_back = static_cast<int>(rolled.size());
  for (const auto& t : report.targets) {
    if (t.outcome == "ok") c.ok += rolled.count(t.target) ? 0 : 1;
    else if (t.outcome == "skipped") ++c.skipped;
    else if (t.outcome != "rolled-back") ++c.failed;
  }
  return c;
}

}  // namespace dbroll
