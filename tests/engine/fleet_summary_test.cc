// CountFleetRun (dbroll/fleet.h): the per-target counts of a fleet run's summary.
#include <gtest/gtest.h>

#include "dbroll/fleet.h"

namespace dbroll {
namespace {

FleetTargetResult Target(const std::string& target, const std::string& outcome) {
  return FleetTargetResult{target, outcome};
}

TEST(CountFleetRunTest, ATargetRolledBackAfterItSucceededCountsAsRolledBack) {
  FleetReport r;
  r.targets = {Target("a", "ok"), Target("b", "ok"), Target("c", "failed"), Target("d", "skipped"),
               Target("b", "rolled-back"), Target("e", "rollback-failed")};
  const FleetRunCounts c = CountFleetRun(r);
  EXPECT_EQ(c.ok, 1);
  EXPECT_EQ(c.failed, 2);
  EXPECT_EQ(c.skipped, 1);
  EXPECT_EQ(c.rolled_back, 1);
  const FleetRunCounts none = CountFleetRun(FleetReport{});
  EXPECT_EQ(none.ok + none.failed + none.skipped + none.rolled_back, 0);
}

}  // namespace
}  // namespace dbroll
