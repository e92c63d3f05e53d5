// Other tools' layouts read as they are: each sample is written in that
// tool's documented form (docs/guide.md "Layouts").
#include "engine/layouts.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "dbroll/source.h"
#include "engine/splitter.h"
#include "tests/support/temp_dir.h"

namespace dbroll {
namespace {

namespace fs = std::filesystem;

class LayoutsTest : public ::testing::Test {
 protected:
  void SetUp() override { fs::create_directories(root_ / "m"); }
  void File(const std::string& rel, const std::string& text) {
    fs::path p = root_ / "m" / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  Result<std::vector<Migration>> List(Dialect d = Dialect::kSqlite, DirectoryOptions o = {}) {
    return MigrationSource::Directory((root_ / "m").string(), root_.string(), std::move(o))->List(d);
  }
  std::vector<std::string> Texts(const std::string& text, Dialect d = Dialect::kSqlite) {
    auto r = internal::SplitStatements("f.sql", text, d);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> out;
    if (r.ok()) {
      for (const auto& s : r.value()) out.push_back(s.text);
    }
    return out;
  }
  dbroll::testing::TempDir tmp_{"layouts"};
  const fs::path root_ = tmp_.path();
};

TEST_F(LayoutsTest, DbmateSectionsAndTransactionFalse) {
  File("20240101000000_a.sql", "-- migrate:up\nCREATE TABLE a (x int);\n\n-- migrate:down\nDROP TABLE a;\n");
  File("20240102000000_b.sql",
       "-- migrate:up transaction:false\nCREATE TABLE b (x int);\n\n-- migrate:down\nDROP TABLE b;\n");
  auto r = List();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 2u);
  const Migration& a = (*r)[0];
  EXPECT_EQ(a.version, "20240101000000");
  EXPECT_EQ(a.name, "a");
  EXPECT_EQ(a.up.path, "m/20240101000000_a.sql");
  // Lines outside the section are kept empty, so positions are the file's.
  EXPECT_EQ(a.up.text, "\nCREATE TABLE a (x int);\n\n");
  EXPECT_EQ(a.down->text, "\n\n\n\nDROP TABLE a;\n");
  EXPECT_FALSE(a.up.directives.no_transaction);
  EXPECT_TRUE((*r)[1].up.directives.no_transaction);
  EXPECT_FALSE((*r)[1].down->directives.no_transaction);
}

TEST_F(LayoutsTest, DbmateWithoutUpSectionIsAnErrorNamingTheFile) {
  File("20240101000000_a.sql", "-- migrate:up\nCREATE TABLE a (x int);\n");
  File("20240102000000_b.sql", "CREATE TABLE b (x int);\n-- migrate:down\nDROP TABLE b;\n");
  auto r = List(Dialect::kSqlite, {"dbmate", {}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "m/20240102000000_b.sql: no `-- migrate:up` line -- dbmate runs only what follows it; add it above the "
            "migration's SQL -- fix the file and run dbroll again");
}

TEST_F(LayoutsTest, SqlOutsideTheSectionsIsAnError) {
  File("00001_a.sql", "-- a comment is fine\nCREATE TABLE lost (x int);\n-- +goose Up\nCREATE TABLE a (x int);\n");
  auto r = List();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "m/00001_a.sql:2: SQL before the `-- +goose Up` line, which goose does not run -- move it into the up or "
            "the down section -- fix the file and run dbroll again");
}

TEST_F(LayoutsTest, DbmateWithoutDownSectionHasAnEmptyDown) {
  File("20240101000000_a.sql", "-- migrate:up\nCREATE TABLE a (x int);\n");
  auto r = List();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE((*r)[0].down.has_value());
  EXPECT_EQ((*r)[0].down->text, "");
}

TEST_F(LayoutsTest, GooseSectionsNoTransactionAndStatementBlocks) {
  File("00001_a.sql",
       "-- +goose Up\n-- +goose StatementBegin\nCREATE TABLE a (x int);\n-- +goose StatementEnd\n\n"
       "-- +goose Down\nDROP TABLE a;\n");
  File("00002_b.sql",
       "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE TABLE b (x int);\n-- +goose Down\nDROP TABLE b;\n");
  auto r = List();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].version, "00001");
  EXPECT_FALSE((*r)[0].up.directives.no_transaction);
  EXPECT_TRUE((*r)[1].up.directives.no_transaction);
  EXPECT_TRUE((*r)[1].down->directives.no_transaction);
  EXPECT_EQ(Texts((*r)[0].up.text), std::vector<std::string>{"CREATE TABLE a (x int)"});
  EXPECT_EQ(Texts((*r)[1].down->text), std::vector<std::string>{"DROP TABLE b"});
}

TEST_F(LayoutsTest, StatementBlockIsOneStatementAtItsPlaceInTheFile) {
  const std::string text =
      "-- +goose Up\nCREATE TABLE t (x int);\n-- +goose StatementBegin\n"
      "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  UPDATE t SET x = 1;\n  UPDATE t SET x = 2;\nEND;\n"
      "-- +goose StatementEnd\nCREATE INDEX i ON t (x);\n";
  auto r = internal::SplitStatements("m/1_t.sql", text, Dialect::kPostgres);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].text, "CREATE TABLE t (x int)");
  EXPECT_EQ((*r)[1].text,
            "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  UPDATE t SET x = 1;\n  UPDATE t SET x = 2;\nEND");
  EXPECT_EQ((*r)[1].line, 4);
  EXPECT_EQ((*r)[1].column, 1);
  EXPECT_EQ(text.substr((*r)[1].offset, 14), "CREATE TRIGGER");
  EXPECT_EQ((*r)[2].text, "CREATE INDEX i ON t (x)");
  EXPECT_EQ((*r)[2].line, 9);
}

TEST_F(LayoutsTest, UnclosedStatementBlockIsAnErrorAtItsLine) {
  auto r = internal::SplitStatements("m/1_t.sql", "-- +migrate Up\n-- +migrate StatementBegin\nSELECT 1;\n",
                                     Dialect::kSqlite);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "m/1_t.sql:2: StatementBegin without a StatementEnd -- add the StatementEnd line after the statement");
  auto e = internal::SplitStatements("m/1_t.sql", "SELECT 1;\n-- +goose StatementEnd\n", Dialect::kSqlite);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().message(),
            "m/1_t.sql:2: StatementEnd without a StatementBegin -- add the StatementBegin line above the statement");
}

TEST_F(LayoutsTest, ErrorBetweenBlocksKeepsTheFilesPosition) {
  auto r = internal::SplitStatements(
      "f.sql", "-- +goose StatementBegin\nSELECT 1;\n-- +goose StatementEnd\nSELECT 'x;\n", Dialect::kSqlite);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("f.sql:4:8: ", 0), 0u) << r.status().message();
}

TEST_F(LayoutsTest, SqlMigrateSectionsWithNotransaction) {
  File("1_init.sql",
       "-- +migrate Up notransaction\nCREATE INDEX CONCURRENTLY i ON t (x);\n"
       "-- +migrate Down\n-- +migrate StatementBegin\nDROP INDEX i;\n-- +migrate StatementEnd\n");
  auto r = List(Dialect::kPostgres);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_TRUE((*r)[0].up.directives.no_transaction);
  EXPECT_FALSE((*r)[0].down->directives.no_transaction);
  EXPECT_EQ(Texts((*r)[0].down->text, Dialect::kPostgres), std::vector<std::string>{"DROP INDEX i"});
}

TEST_F(LayoutsTest, SqlMigrateAndDbmateNamesTakeTheLeadingDigitsAsVersion) {
  File("20150101120000-create-users.sql", "-- +migrate Up\nCREATE TABLE u (x int);\n-- +migrate Down\nDROP TABLE u;\n");
  File("20150101130000.sql", "-- +migrate Up\nCREATE TABLE v (x int);\n");
  auto r = List();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].version, "20150101120000");
  EXPECT_EQ((*r)[0].name, "create-users");
  EXPECT_EQ((*r)[1].version, "20150101130000");
  EXPECT_EQ((*r)[1].down->text, "");
}

TEST_F(LayoutsTest, FlywayVersionsOrderByPartsAndUndoIsTheDown) {
  File("V1.2__a.sql", "CREATE TABLE a (x int);");
  File("U1.2__a.sql", "DROP TABLE a;");
  File("V1.10__a_y.sql", "ALTER TABLE a ADD COLUMN y int;");
  File("U1.10__a_y.sql", "ALTER TABLE a DROP COLUMN y;");
  File("V2__b.sql", "CREATE TABLE b (x int);");
  File("V1_3__c.sql", "CREATE TABLE c (x int);");
  File("U1_3__c.sql", "DROP TABLE c;");
  auto r = List();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0].version, "1.2");
  EXPECT_EQ((*r)[1].version, "1.3");
  EXPECT_EQ((*r)[2].version, "1.10");
  EXPECT_EQ((*r)[2].name, "a_y");
  EXPECT_EQ((*r)[2].down->text, "ALTER TABLE a DROP COLUMN y;");
  EXPECT_EQ((*r)[3].version, "2");
  // Flyway runs a versioned migration without an undo file; dbroll cannot undo it.
  EXPECT_FALSE((*r)[3].down.has_value());
  EXPECT_EQ((*r)[3].up.directives.irreversible, "Flyway migration without an undo file U2__b.sql");
}

TEST_F(LayoutsTest, FlywaySameVersionWrittenTwoWaysIsADuplicate) {
  File("V1__a.sql", "SELECT 1;");
  File("V1.0__b.sql", "SELECT 2;");
  auto r = List();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "m/V1__a.sql: duplicate version 1 (also m/V1.0__b.sql) -- give one of them a new version");
}

TEST_F(LayoutsTest, DieselDirectoriesWithDashedTimestamps) {
  File("00000000000000_diesel_initial_setup/up.sql", "SELECT 1;");
  File("00000000000000_diesel_initial_setup/down.sql", "SELECT 1;");
  File("2024-01-02-000000_b/up.sql", "CREATE TABLE b (x int);");
  File("2024-01-02-000000_b/down.sql", "DROP TABLE b;");
  File("2024-01-01-000000_a/up.sql", "CREATE TABLE a (x int);");
  File("2024-01-01-000000_a/down.sql", "DROP TABLE a;");
  File("2024-01-01-000000_a/metadata.toml", "run_in_transaction = false\n");
  auto r = List(Dialect::kSqlite, {"diesel", {}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[1].version, "20240101000000");
  EXPECT_EQ((*r)[1].name, "a");
  EXPECT_TRUE((*r)[1].up.directives.no_transaction);
  EXPECT_EQ((*r)[2].up.path, "m/2024-01-02-000000_b/up.sql");
  EXPECT_FALSE((*r)[2].up.directives.no_transaction);
}

TEST_F(LayoutsTest, PopxDialectFileWinsAndTheGenericOneIsTheFallback) {
  File("20200101000000000000_t.postgres.up.sql", "pg up");
  File("20200101000000000000_t.sqlite3.up.sql", "sqlite up");
  File("20200101000000000000_t.cockroach.up.sql", "crdb up");
  File("20200101000000000000_t.mysql.autocommit.up.sql", "my up");
  File("20200101000000000000_t.up.sql", "generic up");
  File("20200101000000000000_t.down.sql", "generic down");
  File("20200102000000000000_u.cockroach.up.sql", "crdb only");
  File("20200102000000000000_u.cockroach.down.sql", "crdb only");
  auto lite = List(Dialect::kSqlite);
  ASSERT_TRUE(lite.ok()) << lite.status().ToString();
  ASSERT_EQ(lite->size(), 1u);
  EXPECT_EQ((*lite)[0].up.text, "sqlite up");
  EXPECT_EQ((*lite)[0].down->text, "generic down");
  auto my = List(Dialect::kMysql, {"popx", {}});
  ASSERT_TRUE(my.ok()) << my.status().ToString();
  EXPECT_EQ((*my)[0].up.text, "my up");
  EXPECT_TRUE((*my)[0].up.directives.no_transaction);
  EXPECT_FALSE((*my)[0].down->directives.no_transaction);
  auto pg = List(Dialect::kPostgres);
  ASSERT_TRUE(pg.ok());
  EXPECT_EQ((*pg)[0].up.text, "pg up");
  EXPECT_FALSE((*pg)[0].up.directives.no_transaction);
}

TEST_F(LayoutsTest, MixedLayoutsAreAnErrorNamingBothFiles) {
  File("V1__a.sql", "SELECT 1;");
  File("20240101000000_b.sql", "-- migrate:up\nSELECT 1;\n");
  auto r = List();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(
      r.status().message(),
      "m/V1__a.sql: a Flyway migration in the same directory as m/20240101000000_b.sql (dbmate) -- one migrations "
      "directory holds one tool's layout; move one of them out");
}

TEST_F(LayoutsTest, ConfiguredLayoutRefusesOtherForms) {
  File("0001_a.up.sql", "SELECT 1;");
  File("0001_a.down.sql", "SELECT 1;");
  auto r = List(Dialect::kSqlite, {"goose", {}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "m/0001_a.down.sql: not a goose migration (<version>_<name>.sql with -- +goose Up and -- +goose Down) -- "
            "[migrations] layout in dbroll.toml says this directory holds goose migrations; rename or move the file, "
            "or change the layout");
  auto bad = List(Dialect::kSqlite, {"liquibase", {}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "[migrations] layout = \"liquibase\" is not a layout dbroll reads -- use one of auto, dbroll, "
            "golang-migrate, popx, diesel, dbmate, goose, sql-migrate, flyway in dbroll.toml");
}

TEST_F(LayoutsTest, UnknownSqlFileIsAnErrorNeverSkipped) {
  File("20240101000000_a.sql", "-- migrate:up\nSELECT 1;\n");
  File("seed.sql", "INSERT INTO a VALUES (1);");
  auto r = List();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("m/seed.sql: not a migration file -- ", 0), 0u) << r.status().message();
}

TEST(CompareVersionsTest, FlywayDottedVersionsCompareByParts) {
  EXPECT_LT(CompareVersions("1.2", "1.10"), 0);
  EXPECT_LT(CompareVersions("1.10", "2"), 0);
  EXPECT_LT(CompareVersions("1", "1.0.1"), 0);
  EXPECT_EQ(CompareVersionValues("1", "1.0"), 0);
  EXPECT_NE(CompareVersions("1", "1.0"), 0);
  EXPECT_LT(CompareVersions("99999999999999999999", "100000000000000000000"), 0);
  EXPECT_EQ(CompareVersionValues("0004", "4"), 0);
}

}  // namespace
}  // namespace dbroll
