// dbroll adopt on a real server: dbmate's and golang-migrate's tables, as
// those tools create them, taken over without running anything. The
// scenarios are the same on MariaDB and PostgreSQL; AdoptSql holds what
// differs. tests/mysql/adopt_test.cc and tests/postgres/adopt_test.cc each
// instantiate them with DBROLL_SERVER_ADOPT_TESTS.
#ifndef DBROLL_TESTS_SUPPORT_SERVER_ADOPT_TEST_H_
#define DBROLL_TESTS_SUPPORT_SERVER_ADOPT_TEST_H_

#include <string>
#include <vector>

#include "tests/support/server_engine_test.h"

namespace dbroll::testing {

// The SQL of one server that the adopt scenarios need.
struct AdoptSql {
  std::string dbmate_ddl;       // dbmate's own CREATE TABLE schema_migrations
  std::string dirty_true;       // golang-migrate's dirty flag, set
  std::string dirty_false;      // and cleared
  std::string applied_by_list;  // every history row's applied_by, by version, comma-separated
  std::string tables_named;     // SELECT count(*) of this database's tables with table name ...
};

inline const AdoptSql kMysqlAdoptSql{
    "CREATE TABLE IF NOT EXISTS schema_migrations (version varchar(128) NOT NULL PRIMARY KEY)", "1", "0",
    "SELECT group_concat(applied_by ORDER BY version) FROM dbroll_history",
    "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name"};
inline const AdoptSql kPostgresAdoptSql{
    "CREATE TABLE IF NOT EXISTS public.schema_migrations (version character varying(128) NOT NULL PRIMARY KEY)", "true",
    "false", "SELECT string_agg(applied_by, ',') FROM dbroll_history",
    "SELECT count(*) FROM pg_tables WHERE tablename"};

class ServerAdoptTest : public ServerEngineTest {
 protected:
  ServerAdoptTest(const ServerKind& server, const AdoptSql& sql) : ServerEngineTest(server, "ad_"), sql_(sql) {}
  void SetUp() override {
    ServerEngineTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    Add("20240101000000", "a", "CREATE TABLE a (x int);", "DROP TABLE a;");
    Add("20240102000000", "b", "CREATE TABLE b (x int);", "DROP TABLE b;");
    Add("20240103000000", "c", "CREATE TABLE c (x int);", "DROP TABLE c;");
  }
  void Exec(Engine& e, const std::string& sql) {
    Status s = e.driver().RunStatement(Statement{sql, "", 1, 1, 0});
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  void DbmateThenMigrateRunsOnlyTheRestAndDownUsesTheFiles() {
    auto e = Open(&obs_);
    ASSERT_TRUE(e);
    Exec(*e, sql_.dbmate_ddl);
    Exec(*e, "INSERT INTO schema_migrations (version) VALUES ('20240101000000'), ('20240102000000')");
    Exec(*e, "CREATE TABLE a (x int)");
    Exec(*e, "CREATE TABLE b (x int)");
    Exec(*e, "INSERT INTO a VALUES (42)");
    auto r = e->Adopt({.from = "dbmate"});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->versions, (std::vector<std::string>{"20240101000000", "20240102000000"}));
    EXPECT_EQ(Scalar(*e, sql_.applied_by_list), "adopted from dbmate,adopted from dbmate");
    ASSERT_TRUE(e->Migrate({}).ok());
    EXPECT_EQ(obs_.events, (std::vector<std::string>{"up 20240103000000"}));
    EXPECT_EQ(Scalar(*e, "SELECT count(*) FROM a"), "1");
    ASSERT_TRUE(e->Down({.steps = 2}).ok());
    EXPECT_EQ(Scalar(*e, sql_.tables_named + " IN ('b', 'c')"), "0");
    EXPECT_EQ(Scalar(*e, "SELECT count(*) FROM schema_migrations"), "2");  // dbmate's table untouched
  }

  void GolangMigrateCleanIsAdoptedDirtyIsRefused() {
    auto e = Open(&obs_);
    ASSERT_TRUE(e);
    // golang-migrate's DDL, the same for both servers.
    Exec(*e,
         "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint not null primary key, dirty boolean not null)");
    Exec(*e, "INSERT INTO schema_migrations VALUES (20240102000000, " + sql_.dirty_true + ")");
    auto dirty = e->Adopt({.from = "golang-migrate"});
    EXPECT_EQ(dirty.status().code(), Code::kDirty);
    EXPECT_EQ(dirty.status().message().rfind("schema_migrations: golang-migrate marks version 20240102000000 dirty", 0),
              0u)
        << dirty.status().message();
    EXPECT_EQ(Scalar(*e, sql_.tables_named + " = 'dbroll_history'"), "0");
    Exec(*e, "UPDATE schema_migrations SET dirty = " + sql_.dirty_false);
    auto r = e->Adopt({.from = "golang-migrate"});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->versions, (std::vector<std::string>{"20240101000000", "20240102000000"}));
    EXPECT_EQ(Scalar(*e, "SELECT down_script FROM dbroll_history WHERE version = '20240102000000'"), "DROP TABLE b;");
  }

  const AdoptSql& sql_;
  RecordingObserver obs_;
};

}  // namespace dbroll::testing

// Defines the test fixture `fixture` on server `kind` (a ServerKind) with
// `sql` (an AdoptSql) and its tests, one per scenario above.
#define DBROLL_SERVER_ADOPT_TESTS(fixture, kind, sql)                    \
  class fixture : public ::dbroll::testing::ServerAdoptTest {            \
   protected:                                                            \
    fixture() : ServerAdoptTest(kind, sql) {}                            \
  };                                                                     \
  TEST_F(fixture, DbmateThenMigrateRunsOnlyTheRestAndDownUsesTheFiles) { \
    DbmateThenMigrateRunsOnlyTheRestAndDownUsesTheFiles();               \
  }                                                                      \
  TEST_F(fixture, GolangMigrateCleanIsAdoptedDirtyIsRefused) { GolangMigrateCleanIsAdoptedDirtyIsRefused(); }

#endif  // DBROLL_TESTS_SUPPORT_SERVER_ADOPT_TEST_H_
