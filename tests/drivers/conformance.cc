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

// The fingerprint that settles an interrupted DDL statement on resume: it
// changes with the structure of what the statement names and never with data.
TEST_P(DriverConformance, CatalogFingerprintSeesStructureNotData) {
  auto d = Open();
  ASSERT_TRUE(d);
  auto fp = [&](const std::vector<std::string>& objects,
                FingerprintScope scope = FingerprintScope::kStructure) {
    const std::string sql = d->CatalogFingerprintSql(objects, "dbroll_", scope);
    EXPECT_FALSE(sql.empty());
    auto r = d->Query("SELECT " + sql);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && !r->empty() ? r->front()[0].value_or("NULL") : std::string("?");
  };
  const std::string none = fp({"conf_fp"});
  const std::string whole = fp({});
  EXPECT_EQ(none.rfind("fp:", 0), 0u) << none;
  ASSERT_TRUE(d->RunStatement(S("CREATE TABLE conf_fp (id INTEGER)")).ok());
  const std::string created = fp({"conf_fp"});
  EXPECT_NE(created, none);
  EXPECT_NE(fp({}), whole);
  ASSERT_TRUE(d->RunStatement(S("INSERT INTO conf_fp VALUES (1)")).ok());
  EXPECT_EQ(fp({"conf_fp"}), created) << "rows are data, not structure";
  ASSERT_TRUE(d->RunStatement(S("ALTER TABLE conf_fp ADD COLUMN w INTEGER")).ok());
  const std::string altered = fp({"conf_fp"});
  EXPECT_NE(altered, created);
  ASSERT_TRUE(d->RunStatement(S("CREATE INDEX conf_fp_w ON conf_fp (w)")).ok());
  EXPECT_NE(fp({"conf_fp_w", "conf_fp"}), altered);
  const std::string before_own = fp({});
  ASSERT_TRUE(d->RunStatement(S("CREATE TABLE dbroll_conf_own (id INTEGER)")).ok());
  EXPECT_EQ(fp({}), before_own) << "dbroll's own tables are not part of the user schema";
}

// The existence fingerprint that settles CREATE/DROP TABLE|VIEW and RENAME
// TABLE: it changes when a named object comes or goes, never with its
// columns, and reads names with quotes and backslashes exactly.
TEST_P(DriverConformance, ExistenceFingerprintSeesObjectsComeAndGo) {
  auto d = Open();
  ASSERT_TRUE(d);
  auto fp = [&](const std::vector<std::string>& objects,
                FingerprintScope scope = FingerprintScope::kExistence) {
    const std::string sql = d->CatalogFingerprintSql(objects, "dbroll_", scope);
    EXPECT_FALSE(sql.empty());
    auto r = d->Query("SELECT " + sql);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && !r->empty() ? r->front()[0].value_or("NULL") : std::string("?");
  };
  const std::string none = fp({"conf_ex"});
  EXPECT_EQ(none.rfind("fpx:", 0), 0u) << none;
  ASSERT_TRUE(d->RunStatement(S("CREATE TABLE conf_ex (id INTEGER)")).ok());
  const std::string created = fp({"conf_ex"});
  EXPECT_NE(created, none);
  ASSERT_TRUE(d->RunStatement(S("ALTER TABLE conf_ex ADD COLUMN w INTEGER")).ok());
  EXPECT_EQ(fp({"conf_ex"}), created) << "columns are not existence";
  ASSERT_TRUE(d->RunStatement(S("DROP TABLE conf_ex")).ok());
  EXPECT_EQ(fp({"conf_ex"}), none);
  const std::string odd = d->dialect() == Dialect::kMysql ? "`conf_o'\\x`" : "\"conf_o'\\x\"";
  const std::string odd_none = fp({"conf_o'\\x"});
  const std::string odd_none_structure = fp({"conf_o'\\x"}, FingerprintScope::kStructure);
  ASSERT_TRUE(d->RunStatement(S("CREATE TABLE " + odd + " (id INTEGER)")).ok());
  EXPECT_NE(fp({"conf_o'\\x"}), odd_none) << "a name with a quote and a backslash is matched exactly";
  EXPECT_NE(fp({"conf_o'\\x"}, FingerprintScope::kStructure), odd_none_structure);
}

TEST_P(DriverConformance, SessionIdIsKnownAndItsOwnSessionIsNotAnother) {
  auto d = Open();
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->SessionId().empty());
  auto own = d->SessionAlive(d->SessionId());
  ASSERT_TRUE(own.ok()) << own.status().ToString();
  EXPECT_FALSE(own.value());
  auto gone = d->SessionAlive("999999999");
  ASSERT_TRUE(gone.ok()) << gone.status().ToString();
  EXPECT_FALSE(gone.value());
  // A server session of another connection is seen while it lives (SQLite
  // runs statements in-process: the runner lock alone proves them over).
  auto other = Open(true);
  ASSERT_TRUE(other);
  auto alive = d->SessionAlive(other->SessionId());
  ASSERT_TRUE(alive.ok()) << alive.status().ToString();
  EXPECT_EQ(alive.value(), d->dialect() != Dialect::kSqlite);
}

TEST_P(DriverConformance, ReportsItsServerVersion) {
  auto d = Open();
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->ServerVersion().empty());
}

}  // namespace dbroll::testing
