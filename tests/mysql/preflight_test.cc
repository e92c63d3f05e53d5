// Plan before you touch, on a real MariaDB: what the history stores is checked
// before any DDL runs (MariaDB commits DDL at once, so afterwards is too late).
#include <gtest/gtest.h>

#include "tests/support/server_engine_test.h"

namespace dbroll::testing {
namespace {

constexpr char kPrefix[] = "pf_";
using MysqlPreflightTest = OnServer<kMysqlServer, kPrefix>;

TEST_F(MysqlPreflightTest, Latin1ByteInADownScriptIsRefusedBeforeTheUpRuns) {
  Add("0001", "a", "CREATE TABLE a (x int);\n", "DROP TABLE a;\n");
  Add("0002", "b", "CREATE TABLE b (x int);\n", "-- caf\xE9\nDROP TABLE b;\n");
  auto e = Open();
  ASSERT_TRUE(e);
  Status s = e->Migrate({});
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "migrations/0002_b/down.sql:1:7: byte 0xE9 is not valid UTF-8 -- MariaDB/MySQL needs UTF-8 here (the "
            "connection speaks utf8mb4 and the history stores scripts in utf8mb4 columns); save the file as UTF-8; "
            "nothing was applied");
  EXPECT_EQ(Tables(*e), "");
  EXPECT_EQ(HistoryRows(*e), "0");
}

TEST_F(MysqlPreflightTest, OverlongReleaseIsRefusedBeforeAnythingRuns) {
  Add("0001", "a", "CREATE TABLE a (x int);\n", "DROP TABLE a;\n");
  auto e = Open();
  ASSERT_TRUE(e);
  Status s = e->Migrate({.release = std::string(256, 'v')});
  EXPECT_EQ(s.message(), "release tag \"" + std::string(128, 'v') +
                             "\" is not allowed -- use 1 to 128 of A-Z a-z 0-9 . _ + - (not starting with - or .)");
  EXPECT_EQ(Tables(*e), "");  // refused before the history table was even created
  // The longest tag the rule allows fits the column.
  ASSERT_TRUE(e->Migrate({.release = std::string(128, 'v')}).ok());
  EXPECT_EQ(MyScalar(e->driver(), "SELECT char_length(release_tag) FROM dbroll_history"), "128");
}

TEST_F(MysqlPreflightTest, TransactionControlInADdlFileIsRefused) {
  Add("0001", "a", "CREATE TABLE a (x int);\nCOMMIT;\nCREATE TABLE a2 (x int);\n", "DROP TABLE a2;\nDROP TABLE a;\n");
  auto e = Open();
  ASSERT_TRUE(e);
  Status s = e->Migrate({});
  EXPECT_EQ(s.message().rfind("migrations/0001_a/up.sql:2:1: COMMIT in a file that dbroll runs statement by "
                              "statement",
                              0),
            0u)
      << s.message();
  EXPECT_EQ(Tables(*e), "");
}

// `--DROP ...` with no space: a comment before a statement, as the mariadb
// client has it; `--` within a statement is SQL (1--1 is 2), as there too.
TEST_F(MysqlPreflightTest, DashDashWithoutASpaceIsReadAsTheClientReadsIt) {
  Add("0001", "t", "--CREATE TABLE never (x int);\nCREATE TABLE t (x int);\nINSERT INTO t VALUES (1--1);\n",
      "--DROP TABLE t;\nDROP TABLE t;\n");
  auto e = Open();
  ASSERT_TRUE(e);
  Status s = e->Migrate({});
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Tables(*e), "t");
  EXPECT_EQ(MyScalar(e->driver(), "SELECT x FROM t"), "2");
  s = e->Down({});
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Tables(*e), "");
}

TEST_F(MysqlPreflightTest, FileSteppingOutOfTheTransactionRunsWithTheDirective) {
  Add("0001", "s", "-- dbroll:no-transaction\nCOMMIT;\nCREATE TABLE s (x int);\nINSERT INTO s VALUES (1);\nBEGIN;\n",
      "DROP TABLE s;\n");
  auto e = Open();
  ASSERT_TRUE(e);
  Status s = e->Migrate({});
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(MyScalar(e->driver(), "SELECT count(*) FROM s"), "1");
  EXPECT_EQ(MyScalar(e->driver(), "SELECT concat(state, ':', statements_done) FROM dbroll_history"), "applied:2");
}

}  // namespace
}  // namespace dbroll::testing
