// Plan before you touch, on a real PostgreSQL: everything a migrate or down
// will run is parsed and checked before the first statement is sent.
#include <gtest/gtest.h>

#include "tests/support/server_engine_test.h"

namespace dbroll::testing {
namespace {

constexpr char kPrefix[] = "pf_";
using PostgresPreflightTest = OnServer<kPostgresServer, kPrefix>;

TEST_F(PostgresPreflightTest, SyntaxErrorInTheSecondMigrationIsFoundBeforeTheFirstRuns) {
  Add("0001", "a", "CREATE TABLE a (x int);\n", "DROP TABLE a;\n");
  Add("0002", "b", "-- b\nCREATE TABLE b (x int);\n  CREATE TABLE \"é\" (x int,,);\n", "DROP TABLE b;\n");
  auto e = Open();
  ASSERT_TRUE(e);
  Status s = e->Migrate({});
  EXPECT_EQ(s.code(), Code::kMigrationFailed);
  EXPECT_EQ(s.message(),
            "migrations/0002_b/up.sql:3:27: syntax error at or near \",\" (SQLSTATE 42601) -- fix the migration and "
            "migrate again; the database was not changed");
  EXPECT_EQ(Tables(*e), "");
  EXPECT_EQ(HistoryRows(*e), "0");
  // The same plan, dry.
  EXPECT_EQ(e->PlanMigrate({}).status().message(), s.message());
}

TEST_F(PostgresPreflightTest, CommitAndRollbackInAFileAreRefused) {
  for (const std::string kw : {"COMMIT", "ROLLBACK", "END", "ABORT"}) {
    ms_->clear();
    Add("0001", "a", "CREATE TABLE b (x int);\n" + kw + ";\nCREATE TABLE b2 (x int);\n", "DROP TABLE b2;\nDROP TABLE b;\n");
    auto e = Open();
    ASSERT_TRUE(e);
    Status s = e->Migrate({});
    EXPECT_EQ(s.code(), Code::kInvalidArgument);
    EXPECT_EQ(s.message().rfind("migrations/0001_a/up.sql:2:1: " + kw + " ", 0), 0u) << s.message();
    EXPECT_EQ(Tables(*e), "") << kw;
    EXPECT_EQ(HistoryRows(*e), "0") << kw;
  }
}

// PostgreSQL 12 and later run ALTER TYPE ... ADD VALUE in a transaction
// block, so dbroll runs it in the migration's transaction (the test server is
// PostgreSQL 15; older servers are covered by the engine's preflight tests).
TEST_F(PostgresPreflightTest, AddEnumValueRunsInTheMigrationsTransaction) {
  Add("0001", "t", "CREATE TYPE mood AS ENUM ('a');\n", "DROP TYPE mood;\n");
  Add("0002", "v", "ALTER TYPE mood ADD VALUE 'b';\nCREATE TABLE uses_mood (m mood);\n", "DROP TABLE uses_mood;\n");
  auto e = Open();
  ASSERT_TRUE(e);
  ASSERT_EQ(PgScalar(e->driver(), "SELECT current_setting('server_version_num')::int >= 120000"), "t");
  Status s = e->Migrate({});
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(PgScalar(e->driver(), "SELECT count(*) FROM pg_enum WHERE enumlabel = 'b'"), "1");
  EXPECT_EQ(PgScalar(e->driver(), "SELECT string_agg(state, ',' ORDER BY version) FROM dbroll_history"),
            "applied,applied");
}

// COMMIT; CREATE INDEX CONCURRENTLY ...; BEGIN; -- with the directive the two
// are skipped and the version is applied; without it nothing runs.
TEST_F(PostgresPreflightTest, FileSteppingOutOfTheTransactionRunsWithTheDirective) {
  Add("0001", "n", "CREATE TABLE n (id int);\n", "DROP TABLE n;\n");
  Add("0002", "idx", "COMMIT;\nCREATE INDEX CONCURRENTLY n_id ON n (id);\nBEGIN;\n", "DROP INDEX n_id;\n");
  auto e = Open();
  ASSERT_TRUE(e);
  Status s = e->Migrate({});
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "migrations/0002_idx/up.sql:1:1: this COMMIT and the BEGIN at line 3 step out of the transaction dbroll "
            "runs this migration in, to run what is between them outside it -- add `-- dbroll:no-transaction` at the "
            "top of migrations/0002_idx/up.sql: dbroll then runs the file statement by statement and skips that "
            "COMMIT and BEGIN; nothing was applied");
  EXPECT_EQ(Tables(*e), "");
  ms_->pop_back();
  Add("0002", "idx", "-- dbroll:no-transaction\nCOMMIT;\nCREATE INDEX CONCURRENTLY n_id ON n (id);\nBEGIN;\n",
      "-- dbroll:no-transaction\nCOMMIT;\nDROP INDEX CONCURRENTLY n_id;\nBEGIN;\n");
  s = e->Migrate({});
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(PgScalar(e->driver(), "SELECT count(*) FROM pg_index WHERE indexrelid = 'n_id'::regclass AND indisvalid"),
            "1");
  EXPECT_EQ(PgScalar(e->driver(), "SELECT state || ':' || statements_done FROM dbroll_history WHERE version = '0002'"),
            "applied:1");
  ASSERT_TRUE(e->Down({}).ok());
  EXPECT_EQ(PgScalar(e->driver(), "SELECT count(*) FROM pg_indexes WHERE indexname = 'n_id'"), "0");
}

TEST_F(PostgresPreflightTest, NulByteIsRefused) {
  Add("0001", "a", std::string("CREATE TABLE b (x int);\0 garbage;\n", 35), "DROP TABLE b;\n");
  auto e = Open();
  ASSERT_TRUE(e);
  Status s = e->Migrate({});
  EXPECT_EQ(s.message(),
            "migrations/0001_a/up.sql:1:24: NUL byte (0x00) in the file -- the database would cut the SQL there and "
            "run only what comes before it; remove it (a file saved as UTF-16 is full of them: save it as UTF-8); "
            "nothing was applied");
  EXPECT_EQ(Tables(*e), "");
  EXPECT_EQ(HistoryRows(*e), "0");
}

TEST_F(PostgresPreflightTest, InvalidUtf8IsRefusedInAUtf8Database) {
  ASSERT_TRUE(Open()->driver().RequiresUtf8());
  Add("0001", "a", "CREATE TABLE a (x int);\n", "DROP TABLE a;\n");
  Add("0002", "b", "CREATE TABLE b (x text DEFAULT 'caf\xE9');\n", "DROP TABLE b;\n");
  auto e = Open();
  Status s = e->Migrate({});
  EXPECT_EQ(s.message(),
            "migrations/0002_b/up.sql:1:36: byte 0xE9 is not valid UTF-8 -- PostgreSQL needs UTF-8 here (the server's "
            "encoding is not SQL_ASCII, so it rejects bytes that are not UTF-8); save the file as UTF-8; nothing was "
            "applied");
  EXPECT_EQ(Tables(*e), "");
}

TEST_F(PostgresPreflightTest, Latin1ClientEncodingTakesLatin1Files) {
  url_ += "?client_encoding=LATIN1";
  Add("0001", "a", "CREATE TABLE a (x text DEFAULT 'caf\xE9');\n", "-- caf\xE9\nDROP TABLE a;\n");
  auto e = Open();
  ASSERT_TRUE(e);
  EXPECT_FALSE(e->driver().RequiresUtf8());
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_EQ(PgScalar(e->driver(), "SELECT convert_to(column_default, 'UTF8') FROM information_schema.columns "
                                  "WHERE table_name = 'a'"),
            "\\x27636166c3a9273a3a74657874");  // 'café'::text
}

TEST_F(PostgresPreflightTest, ByteOrderMarkIsNotSent) {
  Add("0001", "a", "\xEF\xBB\xBF" "CREATE TABLE a (x int);\n", "\xEF\xBB\xBF" "DROP TABLE a;\n");
  auto e = Open();
  ASSERT_TRUE(e);
  Status s = e->Migrate({});
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Tables(*e), "a");
  ASSERT_TRUE(e->Down({}).ok());
  EXPECT_EQ(Tables(*e), "");
}

TEST_F(PostgresPreflightTest, DownParsesEveryScriptBeforeTheFirstRuns) {
  Add("0001", "a", "CREATE TABLE a (x int);\n", "DROP TABLE a;\n");
  Add("0002", "b", "CREATE TABLE b (x int);\n", "DROP TABLE b;\n");
  auto e = Open();
  ASSERT_TRUE(e);
  ASSERT_TRUE(e->Migrate({}).ok());
  (*ms_)[0].down = MakeScript("migrations/0001_a/down.sql", "DROP TABLE a CASCADE,;\n");
  Status s = e->Down({.all = true});
  EXPECT_EQ(s.message(),
            "migrations/0001_a/down.sql:1:21: syntax error at or near \",\" (SQLSTATE 42601) -- fix the down script "
            "and roll back again; the database was not changed");
  EXPECT_EQ(Tables(*e), "a,b");
}

}  // namespace
}  // namespace dbroll::testing
