// dbroll adopt on a real PostgreSQL: dbmate's and golang-migrate's tables, as
// those tools create them, taken over without running anything.
#include <gtest/gtest.h>

#include "tests/engine/engine_test_util.h"
#include "tests/postgres/pg_server.h"

namespace dbroll::testing {
namespace {

class PostgresAdoptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DBROLL_REQUIRE_PG();
    std::string stem = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : stem) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    db_ = PgName("ad_" + stem.substr(0, 24));
    url_ = PgFreshDatabase(db_);
    ms_ = std::make_shared<std::vector<Migration>>();
    ms_->push_back(MakeMigration("20240101000000", "a", "CREATE TABLE a (x int);", "DROP TABLE a;"));
    ms_->push_back(MakeMigration("20240102000000", "b", "CREATE TABLE b (x int);", "DROP TABLE b;"));
    ms_->push_back(MakeMigration("20240103000000", "c", "CREATE TABLE c (x int);", "DROP TABLE c;"));
  }
  void TearDown() override {
    if (!db_.empty()) PgDropDatabase(db_);
  }
  std::unique_ptr<Engine> Open() {
    EngineOptions o;
    o.url = url_;
    o.applied_by = "tester@host";
    auto driver = PgOpen(url_);
    if (!driver) return nullptr;
    auto e = Engine::Open(std::move(driver), std::make_unique<FakeSource>(ms_), o, &obs_);
    EXPECT_TRUE(e.ok());
    return e.ok() ? std::move(e).value() : nullptr;
  }
  void Exec(Engine& e, const std::string& sql) {
    Status s = e.driver().RunStatement(Statement{sql, "", 1, 1, 0});
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  std::string db_, url_;
  std::shared_ptr<std::vector<Migration>> ms_;
  RecordingObserver obs_;
};

TEST_F(PostgresAdoptTest, DbmateThenMigrateRunsOnlyTheRestAndDownUsesTheFiles) {
  auto e = Open();
  ASSERT_TRUE(e);
  // dbmate's own DDL for PostgreSQL.
  Exec(*e, "CREATE TABLE IF NOT EXISTS public.schema_migrations (version character varying(128) NOT NULL PRIMARY KEY)");
  Exec(*e, "INSERT INTO schema_migrations (version) VALUES ('20240101000000'), ('20240102000000')");
  Exec(*e, "CREATE TABLE a (x int)");
  Exec(*e, "CREATE TABLE b (x int)");
  Exec(*e, "INSERT INTO a VALUES (42)");
  auto r = e->Adopt({.from = "dbmate"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->versions, (std::vector<std::string>{"20240101000000", "20240102000000"}));
  EXPECT_EQ(PgScalar(e->driver(), "SELECT string_agg(applied_by, ',') FROM dbroll_history"),
            "adopted from dbmate,adopted from dbmate");
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_EQ(obs_.events, (std::vector<std::string>{"up 20240103000000"}));
  EXPECT_EQ(PgScalar(e->driver(), "SELECT count(*) FROM a"), "1");
  ASSERT_TRUE(e->Down({.steps = 2}).ok());
  EXPECT_EQ(PgScalar(e->driver(), "SELECT count(*) FROM pg_tables WHERE tablename IN ('b', 'c')"), "0");
  EXPECT_EQ(PgScalar(e->driver(), "SELECT count(*) FROM schema_migrations"), "2");  // dbmate's table untouched
}

TEST_F(PostgresAdoptTest, GolangMigrateCleanIsAdoptedDirtyIsRefused) {
  auto e = Open();
  ASSERT_TRUE(e);
  // golang-migrate's DDL for PostgreSQL.
  Exec(*e, "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint not null primary key, dirty boolean not null)");
  Exec(*e, "INSERT INTO schema_migrations VALUES (20240102000000, true)");
  auto dirty = e->Adopt({.from = "golang-migrate"});
  EXPECT_EQ(dirty.status().code(), Code::kDirty);
  EXPECT_EQ(dirty.status().message().rfind("schema_migrations: golang-migrate marks version 20240102000000 dirty", 0), 0u)
      << dirty.status().message();
  EXPECT_EQ(PgScalar(e->driver(), "SELECT count(*) FROM pg_tables WHERE tablename = 'dbroll_history'"), "0");
  Exec(*e, "UPDATE schema_migrations SET dirty = false");
  auto r = e->Adopt({.from = "golang-migrate"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->versions, (std::vector<std::string>{"20240101000000", "20240102000000"}));
  EXPECT_EQ(PgScalar(e->driver(), "SELECT down_script FROM dbroll_history WHERE version = '20240102000000'"),
            "DROP TABLE b;");
}

}  // namespace
}  // namespace dbroll::testing
