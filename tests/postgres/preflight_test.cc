// Plan before you touch, on a real PostgreSQL: everything a migrate or down
// will run is parsed and checked before the first statement is sent.
#include <gtest/gtest.h>

#include "tests/engine/engine_test_util.h"
#include "tests/postgres/pg_server.h"

namespace dbroll::testing {
namespace {

class PostgresPreflightTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DBROLL_REQUIRE_PG();
    std::string stem = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : stem) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    db_ = PgName("pf_" + stem.substr(0, 24));
    url_ = PgFreshDatabase(db_);
    ms_ = std::make_shared<std::vector<Migration>>();
  }
  void TearDown() override {
    if (!db_.empty()) PgDropDatabase(db_);
  }
  void Add(const std::string& v, const std::string& name, const std::string& up, const std::string& down) {
    ms_->push_back(MakeMigration(v, name, up, down));
  }
  std::unique_ptr<Engine> Open() {
    EngineOptions o;
    o.url = url_;
    o.applied_by = "tester@host";
    auto driver = PgOpen(url_);
    if (!driver) return nullptr;
    auto e = Engine::Open(std::move(driver), std::make_unique<FakeSource>(ms_), o, nullptr);
    EXPECT_TRUE(e.ok());
    return e.ok() ? std::move(e).value() : nullptr;
  }
  std::string Tables(Engine& e) {
    return PgScalar(e.driver(),
                    "SELECT coalesce(string_agg(tablename, ',' ORDER BY tablename), '') FROM pg_tables "
                    "WHERE schemaname = 'public' AND tablename NOT LIKE 'dbroll%'");
  }
  std::string HistoryRows(Engine& e) {
    return PgScalar(e.driver(),
                    "SELECT count(*) FROM pg_tables WHERE tablename = 'dbroll_history' AND "
                    "(SELECT count(*) FROM dbroll_history) > 0");
  }

  std::string db_, url_;
  std::shared_ptr<std::vector<Migration>> ms_;
};

TEST_F(PostgresPreflightTest, SyntaxErrorInTheSecondMigrationIsFoundBeforeTheFirstRuns) {
  Add("0001", "a", "CREATE TABLE a (x int);\n", "DROP TABLE a;\n");
  Add("0002", "b", "-- b\nCREATE TABLE b (x int);\n  CREATE TABLE \"é\" (x int,,);\n", "DROP TABLE b;\n");
  auto e = Open();
  ASSERT_TRUE(e);
  Status s = e->Migrate({});
  EXPECT_EQ(s.code(), Code::kMigrationFailed);
  EXPECT_EQ(s.message(),
            "migrations/0002_b/up.sql:3:27: syntax error at or near \",\" (SQLSTATE 42601) -- fix the migration and "
            "run dbroll migrate again; the database was not changed");
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
            "and run dbroll down again; the database was not changed");
  EXPECT_EQ(Tables(*e), "a,b");
}

}  // namespace
}  // namespace dbroll::testing
