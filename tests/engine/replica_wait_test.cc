// The engine calls Driver::WaitForReplicas after each migration it committed
// (up and down), shows its notices, and stops when it fails: the migrations
// done so far stay applied and the error names the last of them.
#include <gtest/gtest.h>

#include "tests/engine/engine_test_util.h"
#include "tests/support/fault_driver.h"

namespace dbroll::testing {
namespace {

// A SQLite database whose "replicas" fall behind: each wait reports a notice;
// the wait after migration number `fail_after` fails.
class LaggingDriver : public FaultDriver {
 public:
  using FaultDriver::FaultDriver;
  int waits = 0;
  int fail_after = 0;  // 0: never
  Status WaitForReplicas(const std::function<void(const std::string&)>& notice) override {
    ++waits;
    notice("waiting for replicas: wait " + std::to_string(waits));
    if (waits == fail_after) return Status(Code::kLockTimeout, "replica r1 is still 12.3 s behind");
    return Status::Ok();
  }
};

class ReplicaWaitTest : public SqliteEngineTest {
 protected:
  void SetUp() override {
    SqliteEngineTest::SetUp();
    for (int i = 1; i <= 3; ++i) {
      const std::string t = "t" + std::to_string(i);
      ms_->push_back(MakeMigration("000" + std::to_string(i), t, "CREATE TABLE " + t + " (id int);",
                                   "DROP TABLE " + t + ";"));
    }
  }
  std::unique_ptr<Engine> Open(int fail_after) {
    auto l = std::make_unique<LaggingDriver>(OpenSqliteDriver(path_));
    l->fail_after = fail_after;
    driver_ = l.get();
    obs_.events.clear();
    return OpenWith(Options(), std::move(l));
  }
  std::string Applied(Engine& e) {
    auto r = e.driver().Query("SELECT group_concat(version) FROM (SELECT version FROM dbroll_history ORDER BY 1)");
    return r.ok() && !r->empty() ? r->front()[0].value_or("") : "<error>";
  }

  LaggingDriver* driver_ = nullptr;
};

TEST_F(ReplicaWaitTest, WaitsAfterEachMigrationAndShowsTheWait) {
  auto e = Open(0);
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_EQ(driver_->waits, 3);
  EXPECT_EQ(obs_.events, (std::vector<std::string>{"up 0001", "notice waiting for replicas: wait 1", "up 0002",
                                                   "notice waiting for replicas: wait 2", "up 0003",
                                                   "notice waiting for replicas: wait 3"}));
  DownOptions down;
  down.all = true;
  ASSERT_TRUE(e->Down(down).ok());
  EXPECT_EQ(driver_->waits, 6);
}

TEST_F(ReplicaWaitTest, AFailedWaitStopsTheRunAndKeepsWhatWasApplied) {
  auto e = Open(2);
  Status s = e->Migrate({});
  EXPECT_EQ(s.code(), Code::kLockTimeout);
  EXPECT_EQ(s.message(), "0002_t2 is done; replica r1 is still 12.3 s behind");
  EXPECT_EQ(Applied(*e), "0001,0002");
  auto again = Open(0);
  ASSERT_TRUE(again->Migrate({}).ok());
  EXPECT_EQ(Applied(*again), "0001,0002,0003");
}

}  // namespace
}  // namespace dbroll::testing
