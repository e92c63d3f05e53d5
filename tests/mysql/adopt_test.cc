// dbroll adopt on a real MariaDB: dbmate's and golang-migrate's tables, as
// those tools create them, taken over without running anything.
#include <gtest/gtest.h>

#include "tests/engine/engine_test_util.h"
#include "tests/mysql/my_server.h"

namespace dbroll::testing {
namespace {

class MysqlAdoptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DBROLL_NEED_MYSQL();
    std::string stem = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : stem) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    db_ = MyName("ad_" + stem.substr(0, 24));
    url_ = MyFreshDatabase(db_);
    ms_ = std::make_shared<std::vector<Migration>>();
    ms_->push_back(MakeMigration("20240101000000", "a", "CREATE TABLE a (x int);", "DROP TABLE a;"));
    ms_->push_back(MakeMigration("20240102000000", "b", "CREATE TABLE b (x int);", "DROP TABLE b;"));
    ms_->push_back(MakeMigration("20240103000000", "c", "CREATE TABLE c (x int);", "DROP TABLE c;"));
  }
  void TearDown() override {
    if (!db_.empty()) MyDropDatabase(db_);
  }
  std::unique_ptr<Engine> Open() {
    EngineOptions o;
    o.url = url_;
    o.applied_by = "tester@host";
    auto driver = MyOpen(url_);
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

TEST_F(MysqlAdoptTest, DbmateThenMigrateRunsOnlyTheRestAndDownUsesTheFiles) {
  auto e = Open();
  ASSERT_TRUE(e);
  // dbmate's own DDL for MySQL.
  Exec(*e, "CREATE TABLE IF NOT EXISTS schema_migrations (version varchar(128) NOT NULL PRIMARY KEY)");
  Exec(*e, "INSERT INTO schema_migrations (version) VALUES ('20240101000000'), ('20240102000000')");
  Exec(*e, "CREATE TABLE a (x int)");
  Exec(*e, "CREATE TABLE b (x int)");
  Exec(*e, "INSERT INTO a VALUES (42)");
  auto r = e->Adopt({.from = "dbmate"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->versions, (std::vector<std::string>{"20240101000000", "20240102000000"}));
  EXPECT_EQ(MyScalar(e->driver(), "SELECT group_concat(applied_by ORDER BY version) FROM dbroll_history"),
            "adopted from dbmate,adopted from dbmate");
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_EQ(obs_.events, (std::vector<std::string>{"up 20240103000000"}));
  EXPECT_EQ(MyScalar(e->driver(), "SELECT count(*) FROM a"), "1");
  ASSERT_TRUE(e->Down({.steps = 2}).ok());
  EXPECT_EQ(MyScalar(e->driver(), "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name IN ('b', 'c')"), "0");
  EXPECT_EQ(MyScalar(e->driver(), "SELECT count(*) FROM schema_migrations"), "2");  // dbmate's table untouched
}

TEST_F(MysqlAdoptTest, GolangMigrateCleanIsAdoptedDirtyIsRefused) {
  auto e = Open();
  ASSERT_TRUE(e);
  // golang-migrate's DDL for MySQL.
  Exec(*e, "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint not null primary key, dirty boolean not null)");
  Exec(*e, "INSERT INTO schema_migrations VALUES (20240102000000, 1)");
  auto dirty = e->Adopt({.from = "golang-migrate"});
  EXPECT_EQ(dirty.status().code(), Code::kDirty);
  EXPECT_EQ(dirty.status().message().rfind("schema_migrations: golang-migrate marks version 20240102000000 dirty", 0), 0u)
      << dirty.status().message();
  EXPECT_EQ(MyScalar(e->driver(), "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'dbroll_history'"), "0");
  Exec(*e, "UPDATE schema_migrations SET dirty = 0");
  auto r = e->Adopt({.from = "golang-migrate"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->versions, (std::vector<std::string>{"20240101000000", "20240102000000"}));
  EXPECT_EQ(MyScalar(e->driver(), "SELECT down_script FROM dbroll_history WHERE version = '20240102000000'"),
            "DROP TABLE b;");
}

}  // namespace
}  // namespace dbroll::testing
