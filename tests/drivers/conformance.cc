#include "tests/drivers/conformance.h"

namespace dbroll::testing {

TEST_P(DriverConformance, RunTransactionCommitsStatementsAndBookkeeping) {
  auto d = Open();
  ASSERT_TRUE(d);
  ASSERT_TRUE(d->RunTransaction({S("CREATE TABLE conf_a (id INTEGER)"), S("INSERT INTO conf_a VALUES (1)")},
                                {"INSERT INTO conf_a VALUES (2)"})
                  .ok());
  EXPECT_EQ(Count(*d, "conf_a"), 2);
}

TEST_P(DriverConformance, FailedTransactionChangesNothingAndNamesTheStatement) {
  auto d = Open();
  ASSERT_TRUE(d);
  ASSERT_TRUE(d->RunStatement(S("CREATE TABLE conf_b (id INTEGER)")).ok());
  Status s = d->RunTransaction({S("INSERT INTO conf_b VALUES (1)"), S("INSERT INTO no_such_table VALUES (1)")},
                               {"INSERT INTO conf_b VALUES (2)"});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kDatabaseError) << s.ToString();
  ASSERT_TRUE(s.statement_index().has_value());
  EXPECT_EQ(*s.statement_index(), 1);
  EXPECT_NE(s.message().find("no_such_table"), std::string::npos) << s.message();
  EXPECT_EQ(Count(*d, "conf_b"), 0);
}

TEST_P(DriverConformance, FailingBookkeepingRollsBackTheMigration) {
  auto d = Open();
  ASSERT_TRUE(d);
  ASSERT_TRUE(d->RunStatement(S("CREATE TABLE conf_c (id INTEGER)")).ok());
  Status s = d->RunTransaction({S("INSERT INTO conf_c VALUES (1)")}, {"INSERT INTO conf_missing VALUES (1)"});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(*s.statement_index(), 1);
  EXPECT_EQ(Count(*d, "conf_c"), 0);
}

TEST_P(DriverConformance, DdlRollsBackWhenTheDriverSaysItDoes) {
  auto d = Open();
  ASSERT_TRUE(d);
  Status s = d->RunTransaction({S("CREATE TABLE conf_d (id INTEGER)"), S("SELECT * FROM conf_nothing")}, {});
  ASSERT_FALSE(s.ok());
  auto r = d->Query("SELECT count(*) FROM conf_d");
  EXPECT_EQ(r.ok(), !d->TransactionalDdl());
}

TEST_P(DriverConformance, QueryReturnsTextAndNulls) {
  auto d = Open();
  ASSERT_TRUE(d);
  ASSERT_TRUE(d->RunStatement(S("CREATE TABLE conf_e (a INTEGER, b VARCHAR(20))")).ok());
  ASSERT_TRUE(d->RunStatement(S("INSERT INTO conf_e VALUES (42, NULL)")).ok());
  auto r = d->Query("SELECT a, b FROM conf_e");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 1u);
  ASSERT_EQ(r->front().size(), 2u);
  EXPECT_EQ(r->front()[0].value_or("?"), "42");
  EXPECT_FALSE(r->front()[1].has_value());
}

TEST_P(DriverConformance, QueryErrorIsAStatusNotAnException) {
  auto d = Open();
  ASSERT_TRUE(d);
  auto r = d->Query("SELECT * FROM conf_does_not_exist");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kDatabaseError);
}

TEST_P(DriverConformance, SecondRunnerWaitsForTheLockAndTimesOut) {
  auto a = Open();
  ASSERT_TRUE(a);
  auto b = Open(/*same=*/true);
  ASSERT_TRUE(b);
  ASSERT_TRUE(a->Lock(std::chrono::milliseconds(1000)).ok());
  Status s = b->Lock(std::chrono::milliseconds(200));
  EXPECT_EQ(s.code(), Code::kLockTimeout) << s.ToString();
  ASSERT_TRUE(a->Unlock().ok());
  EXPECT_TRUE(b->Lock(std::chrono::milliseconds(1000)).ok());
  EXPECT_TRUE(b->Unlock().ok());
}

TEST_P(DriverConformance, LockIsFreedWhenTheHolderGoesAway) {
  auto a = Open();
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->Lock(std::chrono::milliseconds(1000)).ok());
  a.reset();
  auto b = Open(/*same=*/true);
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->Lock(std::chrono::milliseconds(2000)).ok());
}

TEST_P(DriverConformance, ReportsItsServerVersion) {
  auto d = Open();
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->ServerVersion().empty());
}

}  // namespace dbroll::testing
