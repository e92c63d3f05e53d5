// dbroll adopt on SQLite: each tool's history table, created by hand in that
// tool's documented schema, taken over without running anything.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/engine/engine_test_util.h"

namespace dbroll::testing {
namespace {

class AdoptTest : public SqliteEngineTest {
 protected:
  void SetUp() override {
    SqliteEngineTest::SetUp();
    Add("0001", "a", "CREATE TABLE a (x int);", "DROP TABLE a;");
    Add("0002", "b", "CREATE TABLE b (x int);", "DROP TABLE b;");
    Add("0003", "c", "CREATE TABLE c (x int);", "DROP TABLE c;");
  }
  std::unique_ptr<Engine> Open(const std::string& base_dir = "") {
    EngineOptions o = Options();
    o.base_dir = base_dir;
    return OpenWith(o);
  }
  // Runs `sql` (statements separated by ';') as the other tool would have.
  void Exec(Engine& e, const std::string& sql) {
    size_t b = 0;
    while (b < sql.size()) {
      size_t end = sql.find(';', b);
      const std::string one = sql.substr(b, end == std::string::npos ? std::string::npos : end - b);
      if (one.find_first_not_of(" \n") != std::string::npos) {
        Status s = e.driver().RunStatement(Statement{one, "", 1, 1, 0});
        ASSERT_TRUE(s.ok()) << s.ToString();
      }
      if (end == std::string::npos) break;
      b = end + 1;
    }
  }
  std::string Adopted(Engine& e) {
    return Scalar(e, "SELECT coalesce(group_concat(version || ':' || applied_by, ','), '') FROM "
                     "(SELECT * FROM dbroll_history ORDER BY version)");
  }
  // The other tool's schema plus the tables its migrations made.
  void Applied(Engine& e, const std::string& tool_sql, int tables) {
    Exec(e, tool_sql);
    for (int i = 0; i < tables; ++i) Exec(e, std::string("CREATE TABLE ") + static_cast<char>('a' + i) + " (x int)");
  }
};

TEST_F(AdoptTest, DbmateVersionsAreRecordedWithTheirDownScriptsAndNothingRuns) {
  auto e = Open();
  Applied(*e, "CREATE TABLE schema_migrations (version varchar(128) primary key);"
              "INSERT INTO schema_migrations VALUES ('0001'), ('0002')", 2);
  auto r = e->Adopt({.from = "dbmate"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->versions, (std::vector<std::string>{"0001", "0002"}));
  EXPECT_EQ(Adopted(*e), "0001:adopted from dbmate,0002:adopted from dbmate");
  EXPECT_EQ(Scalar(*e, "SELECT down_script FROM dbroll_history WHERE version='0002'"), "DROP TABLE b;");
  EXPECT_EQ(Scalar(*e, "SELECT up_checksum FROM dbroll_history WHERE version='0002'"), (*ms_)[1].up.checksum);
  EXPECT_EQ(Scalar(*e, "SELECT count(*) FROM schema_migrations"), "2");  // left as it was
  EXPECT_EQ(Scalar(*e, "SELECT action || ' ' || versions || ' ' || message FROM dbroll_log"),
            "adopt 0001,0002 adopted from dbmate (schema_migrations, left as it was)");
  EXPECT_TRUE(obs_.events.empty());  // nothing ran
  // The next migrate applies only what dbmate did not; a down uses the file.
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_EQ(obs_.events, (std::vector<std::string>{"up 0003"}));
  ASSERT_TRUE(e->Down({.steps = 2}).ok());
  EXPECT_EQ(Scalar(*e, "SELECT count(*) FROM sqlite_master WHERE name IN ('b', 'c')"), "0");
  EXPECT_EQ(Scalar(*e, "SELECT count(*) FROM sqlite_master WHERE name = 'a'"), "1");
}

TEST_F(AdoptTest, DryRunRecordsNothing) {
  auto e = Open();
  Applied(*e, "CREATE TABLE schema_migrations (version varchar(128) primary key);"
              "INSERT INTO schema_migrations VALUES ('0001')", 1);
  auto r = e->Adopt({.from = "dbmate", .dry_run = true});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->versions, (std::vector<std::string>{"0001"}));
  EXPECT_EQ(r->names, (std::vector<std::string>{"a"}));
  EXPECT_EQ(Scalar(*e, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'dbroll%'"), "0");
}

TEST_F(AdoptTest, GolangMigrateRecordsEveryVersionUpToItsOne) {
  auto e = Open();
  Applied(*e, "CREATE TABLE schema_migrations (version bigint not null primary key, dirty boolean not null);"
              "INSERT INTO schema_migrations VALUES (2, 0)", 2);
  auto r = e->Adopt({.from = "golang-migrate"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Adopted(*e), "0001:adopted from golang-migrate,0002:adopted from golang-migrate");
}

TEST_F(AdoptTest, GolangMigrateDirtyIsRefused) {
  auto e = Open();
  Applied(*e, "CREATE TABLE schema_migrations (version bigint not null primary key, dirty boolean not null);"
              "INSERT INTO schema_migrations VALUES (2, 1)", 1);
  auto r = e->Adopt({.from = "golang-migrate"});
  EXPECT_EQ(r.status().code(), Code::kDirty);
  EXPECT_EQ(r.status().message(),
            "schema_migrations: golang-migrate marks version 2 dirty (it failed part-way) -- finish or undo it by "
            "hand, run `migrate force <version>` so golang-migrate is clean, then adopt again\n"
            "nothing was recorded");
  EXPECT_EQ(Scalar(*e, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'dbroll%'"), "0");
}

TEST_F(AdoptTest, AnAppliedVersionWithoutFilesIsRefused) {
  auto e = Open();
  Applied(*e, "CREATE TABLE schema_migrations (version varchar(128) primary key);"
              "INSERT INTO schema_migrations VALUES ('0001'), ('0007')", 1);
  auto r = e->Adopt({.from = "dbmate"});
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_EQ(r.status().message(),
            "schema_migrations: dbmate applied version 0007 but migrations has no migration file for it -- restore "
            "the files (dbroll needs their down scripts), then adopt again; nothing was recorded");
  EXPECT_EQ(r.status().remedy(), Remedy::kRunAdopt);
  EXPECT_EQ(Scalar(*e, "SELECT count(*) FROM dbroll_history"), "0");
}

TEST_F(AdoptTest, GooseTakesTheNewestRowOfEachVersion) {
  auto e = Open();
  // goose's table: one row per up and per down, and its initial version 0.
  Applied(*e,
          "CREATE TABLE goose_db_version (id INTEGER PRIMARY KEY AUTOINCREMENT, version_id INTEGER NOT NULL,"
          " is_applied INTEGER NOT NULL, tstamp TIMESTAMP DEFAULT (datetime('now')));"
          "INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, 1), (1, 1), (2, 1), (3, 1), (3, 0)",
          2);
  auto r = e->Adopt({.from = "goose"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Adopted(*e), "0001:adopted from goose,0002:adopted from goose");
}

TEST_F(AdoptTest, FlywayFollowsUndoAndBaselineAndOrdersDottedVersions) {
  ms_->clear();
  Add("1", "base", "CREATE TABLE a (x int);", "DROP TABLE a;");
  Add("1.2", "b", "CREATE TABLE b (x int);", "DROP TABLE b;");
  Add("1.10", "c", "CREATE TABLE c (x int);", "DROP TABLE c;");
  Add("2", "d", "CREATE TABLE d (x int);", "DROP TABLE d;");
  // Repeatable files: one as Flyway applied it (CRC-32 of "123456789", the
  // line ends left out, is 0xCBF43926), one changed since.
  const std::string base = path_ + ".d";
  std::filesystem::create_directories(base + "/migrations");
  std::ofstream(base + "/migrations/R__views.sql") << "12345\r\n6789\n";
  std::ofstream(base + "/migrations/R__procs.sql") << "SELECT 2;\n";
  auto e = Open(base);
  Applied(*e,
          "CREATE TABLE flyway_schema_history (installed_rank INT NOT NULL PRIMARY KEY, version VARCHAR(50),"
          " description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL, script VARCHAR(1000) NOT NULL,"
          " checksum INT, installed_by VARCHAR(100) NOT NULL, installed_on TIMESTAMP NOT NULL DEFAULT"
          " CURRENT_TIMESTAMP, execution_time INT NOT NULL, success BOOLEAN NOT NULL);"
          "INSERT INTO flyway_schema_history VALUES (1, '1', '<< Flyway Baseline >>', 'BASELINE',"
          " '<< Flyway Baseline >>', NULL, 'me', CURRENT_TIMESTAMP, 0, 1);"
          "INSERT INTO flyway_schema_history VALUES (2, '1.2', 'b', 'SQL', 'V1.2__b.sql', 1, 'me', CURRENT_TIMESTAMP, 5, 1);"
          "INSERT INTO flyway_schema_history VALUES (3, '1.10', 'c', 'SQL', 'V1.10__c.sql', 1, 'me', CURRENT_TIMESTAMP, 5, 1);"
          "INSERT INTO flyway_schema_history VALUES (4, '2', 'd', 'SQL', 'V2__d.sql', 1, 'me', CURRENT_TIMESTAMP, 5, 1);"
          "INSERT INTO flyway_schema_history VALUES (5, '2', 'd', 'UNDO_SQL', 'U2__d.sql', 1, 'me', CURRENT_TIMESTAMP, 5, 1);"
          "INSERT INTO flyway_schema_history VALUES (6, NULL, 'views', 'SQL', 'R__views.sql', 1, 'me', CURRENT_TIMESTAMP, 5, 1);"
          "INSERT INTO flyway_schema_history VALUES (7, NULL, 'views', 'SQL', 'R__views.sql', -873187034, 'me', CURRENT_TIMESTAMP, 5, 1);"
          "INSERT INTO flyway_schema_history VALUES (8, NULL, 'procs', 'SQL', 'R__procs.sql', 42, 'me', CURRENT_TIMESTAMP, 5, 1)",
          3);
  auto r = e->Adopt({.from = "flyway"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->versions, (std::vector<std::string>{"1", "1.2", "1.10"}));
  EXPECT_EQ(Scalar(*e, "SELECT count(*) FROM dbroll_history WHERE applied_by = 'adopted from flyway'"), "3");
  EXPECT_EQ(r->repeatables, (std::vector<std::string>{"views"}));
  EXPECT_EQ(obs_.events, (std::vector<std::string>{"notice migrations/R__procs.sql: not as flyway last applied it -- "
                                                   "the next migrate applies it"}));
  EXPECT_EQ(Scalar(*e, "SELECT name || ' ' || applied_by FROM dbroll_repeatable"), "views adopted from flyway");
  std::filesystem::remove_all(base);
}

TEST_F(AdoptTest, FlywayFailedMigrationIsRefused) {
  auto e = Open();
  Applied(*e,
          "CREATE TABLE flyway_schema_history (installed_rank INT NOT NULL PRIMARY KEY, version VARCHAR(50),"
          " description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL, script VARCHAR(1000) NOT NULL,"
          " checksum INT, installed_by VARCHAR(100) NOT NULL, installed_on TIMESTAMP NOT NULL DEFAULT"
          " CURRENT_TIMESTAMP, execution_time INT NOT NULL, success BOOLEAN NOT NULL);"
          "INSERT INTO flyway_schema_history VALUES (1, '0001', 'a', 'SQL', 'V0001__a.sql', 1, 'me', CURRENT_TIMESTAMP, 5, 1);"
          "INSERT INTO flyway_schema_history VALUES (2, '0002', 'b', 'SQL', 'V0002__b.sql', 1, 'me', CURRENT_TIMESTAMP, 5, 0)",
          1);
  auto r = e->Adopt({.from = "flyway"});
  EXPECT_EQ(r.status().code(), Code::kDirty);
  EXPECT_EQ(r.status().message(),
            "flyway_schema_history: version 0002 (b) failed (success = false) -- fix the database by hand, run "
            "`flyway repair`, then adopt again\nnothing was recorded");
}

TEST_F(AdoptTest, SqlMigrateIdsAreFileNames) {
  auto e = Open();
  Applied(*e, "CREATE TABLE gorp_migrations (id varchar(255) not null primary key, applied_at datetime);"
              "INSERT INTO gorp_migrations VALUES ('0001_a.sql', datetime('now')), ('0002_b.sql', datetime('now'))",
          2);
  auto r = e->Adopt({.from = "sql-migrate"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Adopted(*e), "0001:adopted from sql-migrate,0002:adopted from sql-migrate");
}

TEST_F(AdoptTest, DieselVersionsMatchTimestampsWithDashes) {
  ms_->clear();
  Add("2024-01-01-000000", "a", "CREATE TABLE a (x int);", "DROP TABLE a;");
  Add("20240102000000", "b", "CREATE TABLE b (x int);", "DROP TABLE b;");
  auto e = Open();
  Applied(*e, "CREATE TABLE __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL,"
              " run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);"
              "INSERT INTO __diesel_schema_migrations (version) VALUES ('20240101000000'), ('20240102000000')",
          2);
  auto r = e->Adopt({.from = "diesel"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->versions, (std::vector<std::string>{"2024-01-01-000000", "20240102000000"}));
}

TEST_F(AdoptTest, PopxSchemaMigration) {
  auto e = Open();
  Applied(*e, "CREATE TABLE schema_migration (version VARCHAR(48) NOT NULL, version_self INT NOT NULL DEFAULT 0);"
              "CREATE UNIQUE INDEX schema_migration_version_idx ON schema_migration (version);"
              "INSERT INTO schema_migration (version) VALUES ('0001'), ('0002'), ('0003')",
          3);
  auto r = e->Adopt({.from = "popx"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->versions, (std::vector<std::string>{"0001", "0002", "0003"}));
  EXPECT_TRUE(e->Migrate({}).ok());
  EXPECT_EQ(obs_.events, (std::vector<std::string>{"notice nothing to migrate: the database is up to date"}));
}

TEST_F(AdoptTest, MissingTableUnknownToolAndExistingHistoryAreRefused) {
  auto e = Open();
  auto missing = e->Adopt({.from = "goose"});
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_EQ(missing.status().message(),
            "goose_db_version: no such table in this database -- is this the database goose migrated? (--table "
            "names its history table when it is not the default); nothing was recorded");
  auto unknown = e->Adopt({.from = "liquibase"});
  EXPECT_EQ(unknown.status().message(),
            "--from liquibase: unknown tool -- use golang-migrate, dbmate, goose, flyway, sql-migrate, diesel or "
            "popx; nothing was recorded");
  ASSERT_TRUE(e->Migrate({.to = std::string("0001")}).ok());
  Exec(*e, "CREATE TABLE schema_migrations (version varchar(128) primary key);"
           "INSERT INTO schema_migrations VALUES ('0001')");
  auto again = e->Adopt({.from = "dbmate"});
  EXPECT_EQ(again.status().message(),
            "adopt is for a database dbroll has not migrated yet, and dbroll_history has 1 rows; nothing was "
            "recorded");
  EXPECT_EQ(again.status().remedy(), Remedy::kInspectStatus);
}

TEST_F(AdoptTest, WrongToolForTheTableSaysSo) {
  auto e = Open();
  Applied(*e, "CREATE TABLE schema_migrations (version varchar(128) primary key)", 0);
  auto r = e->Adopt({.from = "golang-migrate"});
  EXPECT_EQ(r.status().code(), Code::kDatabaseError);
  EXPECT_EQ(r.status().message().rfind("schema_migrations: cannot read it as golang-migrate's history: ", 0), 0u)
      << r.status().message();
}

}  // namespace
}  // namespace dbroll::testing
