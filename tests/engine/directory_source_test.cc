#include "engine/directory_source.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "dbroll/source.h"
#include "tests/support/temp_dir.h"

namespace dbroll {
namespace {

namespace fs = std::filesystem;

class DirectorySourceTest : public ::testing::Test {
 protected:
  void SetUp() override { fs::create_directories(root_ / "migrations"); }
  void File(const std::string& rel, const std::string& text) {
    fs::path p = root_ / "migrations" / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  Result<std::vector<Migration>> List(Dialect d = Dialect::kSqlite) {
    return MigrationSource::Directory((root_ / "migrations").string(), root_.string())->List(d);
  }
  dbroll::testing::TempDir tmp_{"src"};
  const fs::path root_ = tmp_.path();
};

TEST_F(DirectorySourceTest, ReadsDirectoryAndFlatLayoutsInNumericOrder) {
  File("10_ten/up.sql", "CREATE TABLE ten (id int);");
  File("10_ten/down.sql", "DROP TABLE ten;");
  File("9_nine.up.sql", "CREATE TABLE nine (id int);");
  File("9_nine.down.sql", "DROP TABLE nine;");
  File("README.md", "ignored");
  auto r = List();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].version, "9");
  EXPECT_EQ((*r)[0].name, "nine");
  EXPECT_EQ((*r)[1].up.path, "migrations/10_ten/up.sql");
  EXPECT_EQ((*r)[1].down->text, "DROP TABLE ten;");
}

TEST_F(DirectorySourceTest, DialectFileWinsForItsDialect) {
  File("0001_a/up.sql", "generic");
  File("0001_a/up.postgres.sql", "pg");
  File("0001_a/down.sql", "down");
  File("0002_b.up.sql", "generic b");
  File("0002_b.mysql.up.sql", "my b");
  File("0002_b.down.sql", "down b");
  auto pg = List(Dialect::kPostgres);
  ASSERT_TRUE(pg.ok()) << pg.status().ToString();
  EXPECT_EQ((*pg)[0].up.text, "pg");
  EXPECT_EQ((*pg)[1].up.text, "generic b");
  auto my = List(Dialect::kMysql);
  ASSERT_TRUE(my.ok());
  EXPECT_EQ((*my)[0].up.text, "generic");
  EXPECT_EQ((*my)[1].up.text, "my b");
}

TEST_F(DirectorySourceTest, UpWithoutDownIsAnErrorUnlessIrreversible) {
  File("0001_a/up.sql", "CREATE TABLE a (id int);");
  auto r = List();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "migrations/0001_a/up.sql: up without a down for version 0001 -- add down.sql, or "
                                  "mark the up `-- dbroll:irreversible <reason>`");
  File("0001_a/up.sql", "-- dbroll:irreversible drops data\nDROP TABLE old;");
  auto ok = List();
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->front().up.directives.irreversible.value_or(""), "drops data");
}

TEST_F(DirectorySourceTest, DownWithoutUpIsAnError) {
  File("0003_x.down.sql", "DROP TABLE x;");
  auto r = List();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "migrations/0003_x.down.sql: down without an up for version 0003 -- add the up.sql or remove the down");
}

TEST_F(DirectorySourceTest, DuplicateVersionsAreAnError) {
  File("0004_a/up.sql", "x");
  File("0004_a/down.sql", "x");
  File("0004_b/up.sql", "y");
  File("0004_b/down.sql", "y");
  auto r = List();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "migrations/0004_b: duplicate version 0004 (also migrations/0004_a) -- give one of them a new version");
}

TEST_F(DirectorySourceTest, SameNumberWrittenTwoWaysIsADuplicate) {
  File("4_a/up.sql", "x");
  File("4_a/down.sql", "x");
  File("0004_b/up.sql", "y");
  File("0004_b/down.sql", "y");
  auto r = List();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("is the same number as"), std::string::npos) << r.status().message();
}

TEST_F(DirectorySourceTest, BadDirectiveFailsWithFileAndLine) {
  File("0001_a/up.sql", "-- dbroll:no-transactoin\nSELECT 1;");
  File("0001_a/down.sql", "SELECT 1;");
  auto r = List();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("migrations/0001_a/up.sql:1: unknown directive dbroll:no-transactoin", 0), 0u)
      << r.status().message();
}

TEST_F(DirectorySourceTest, MissingDirectoryIsAClearError) {
  auto r = MigrationSource::Directory((root_ / "nope").string(), root_.string())->List(Dialect::kSqlite);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "nope: migrations directory not found -- create it or set "
                                  "[migrations] dir in dbroll.toml");
  EXPECT_EQ(r.status().remedy(), Remedy::kInitProject);
}

TEST_F(DirectorySourceTest, MisnamedVersionDirectoriesAreErrorsNamingTheExpectedForm) {
  for (const char* bad : {"0002-x", "0002 x", "V3__x", "0004.x", "0001add", "0005_"}) {
    fs::remove_all(root_ / "migrations");
    File("0001_a/up.sql", "CREATE TABLE a (id int);");
    File("0001_a/down.sql", "DROP TABLE a;");
    File(std::string(bad) + "/up.sql", "CREATE TABLE b (id int);");
    File(std::string(bad) + "/down.sql", "DROP TABLE b;");
    auto r = List();
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(r.status().message(),
              "migrations/" + std::string(bad) +
                  "/: not a migration directory name -- a migration is <digits>_<name>/ holding up.sql and down.sql, "
                  "or <digits>_<name>.up.sql and <digits>_<name>.down.sql (e.g. 0002_add_users); rename it, or move "
                  "it out of the migrations directory");
  }
}

TEST_F(DirectorySourceTest, StrayFilesAreErrorsAndDocumentedOnesAreIgnored) {
  File("0001_a/up.sql", "CREATE TABLE a (id int);");
  File("0001_a/down.sql", "DROP TABLE a;");
  for (const char* ok : {"README", "README.md", "notes.md", "CHANGES.txt", ".gitkeep", "dbroll.toml", "LICENSE"}) {
    File(ok, "ignored");
  }
  fs::create_directories(root_ / "migrations/.git");
  ASSERT_TRUE(List().ok()) << List().status().ToString();
  File("0002_b.sql", "CREATE TABLE b (id int);");
  auto r = List();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("migrations/0002_b.sql: not a migration file -- a migration is", 0), 0u)
      << r.status().message();
}

TEST_F(DirectorySourceTest, UnreadableDialectFileNeverFallsBackToTheGenericOne) {
  File("0001_a/up.sql", "generic");
  File("0001_a/down.sql", "DROP TABLE a;");
  // A dangling link and a directory stand in for "cannot read": root reads
  // any file whatever its mode.
  fs::create_symlink(root_ / "nowhere.sql", root_ / "migrations/0001_a/up.sqlite.sql");
  auto r = List(Dialect::kSqlite);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "migrations/0001_a/up.sqlite.sql: a symbolic link to a file that does not exist -- fix it; dbroll never "
            "skips or replaces an unreadable migration file");
  fs::remove(root_ / "migrations/0001_a/up.sqlite.sql");
  fs::create_directories(root_ / "migrations/0001_a/up.sqlite.sql");
  r = List(Dialect::kSqlite);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "migrations/0001_a/up.sqlite.sql: a directory, not a regular file -- fix it; dbroll never skips or "
            "replaces an unreadable migration file");
  EXPECT_TRUE(List(Dialect::kPostgres).ok());
}

TEST_F(DirectorySourceTest, FifoNamedLikeAMigrationIsAnErrorAndNeverBlocks) {
  File("0001_a/down.sql", "DROP TABLE a;");
  ASSERT_EQ(::mkfifo((root_ / "migrations/0001_a/up.sql").c_str(), 0600), 0);
  auto r = List();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "migrations/0001_a/up.sql: a FIFO, not a regular file -- fix it; dbroll never skips or replaces an "
            "unreadable migration file");
  fs::remove_all(root_ / "migrations/0001_a");
  ASSERT_EQ(::mkfifo((root_ / "migrations/0002_b.up.sql").c_str(), 0600), 0);
  r = List();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "migrations/0002_b.up.sql: a FIFO, not a migration -- remove it from the migrations directory");
}

TEST_F(DirectorySourceTest, DanglingEntryIsAnError) {
  fs::create_symlink(root_ / "gone", root_ / "migrations/0003_c");
  auto r = List();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "migrations/0003_c: a symbolic link to nothing -- fix or remove it");
}

TEST_F(DirectorySourceTest, ReadsLargeFilesWhole) {
  std::string big(1 << 20, 'x');
  big = "-- " + big + "\nCREATE TABLE a (id int);\n";
  File("0001_a/up.sql", big);
  File("0001_a/down.sql", "DROP TABLE a;");
  auto r = List();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)[0].up.text, big);
}

TEST_F(DirectorySourceTest, RepeatableEntriesAreLeftToTheRepeatableRunner) {
  File("0001_a.up.sql", "CREATE TABLE a (id int);");
  File("0001_a.down.sql", "DROP TABLE a;");
  File("repeatable/v.sql", "CREATE VIEW v AS SELECT 1;");
  File("R__views.sql", "CREATE VIEW w AS SELECT 1;");
  auto r = List();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_TRUE(internal::IsRepeatableEntry("repeatable", true));
  EXPECT_TRUE(internal::IsRepeatableEntry("R__views.sql", false));
  EXPECT_FALSE(internal::IsRepeatableEntry("repeatable", false));
  EXPECT_FALSE(internal::IsRepeatableEntry("R__.sql", false));
  EXPECT_FALSE(internal::IsRepeatableEntry("R__views.sql", true));
}

TEST_F(DirectorySourceTest, UpAndDownPairByVersionWhenTheirNamesDiffer) {
  File("1_add_idx.autocommit.up.sql", "CREATE INDEX i ON t (x);");
  File("1_add_idx.down.sql", "DROP INDEX i;");
  File("2_b.up.sql", "CREATE TABLE b (id int);");
  File("2_drop_b.down.sql", "DROP TABLE b;");
  auto r = List();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].name, "add_idx");
  EXPECT_TRUE((*r)[0].up.directives.no_transaction);
  EXPECT_FALSE((*r)[0].down->directives.no_transaction);
  EXPECT_EQ((*r)[1].name, "b");
  EXPECT_EQ((*r)[1].down->path, "migrations/2_drop_b.down.sql");
}

TEST_F(DirectorySourceTest, TwoUpsOfOneVersionStillAreADuplicate) {
  File("1_a.up.sql", "SELECT 1;");
  File("1_b.up.sql", "SELECT 2;");
  File("1_a.down.sql", "SELECT 1;");
  auto r = List();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "migrations/1_b.up.sql: duplicate version 1 (also migrations/1_a.up.sql) -- give one of "
                                  "them a new version");
}

TEST_F(DirectorySourceTest, NotxFileNameAndConfiguredVersionsRunOutsideATransaction) {
  File("1_a.notx.up.sql", "CREATE INDEX CONCURRENTLY i ON t (x);");
  File("1_a.notx.down.sql", "DROP INDEX CONCURRENTLY i;");
  File("2_b.postgres.notx.up.sql", "CREATE INDEX CONCURRENTLY j ON t (x);");
  File("2_b.down.sql", "DROP INDEX j;");
  File("3_c/up.sql", "CREATE INDEX CONCURRENTLY k ON t (x);");
  File("3_c/down.sql", "DROP INDEX k;");
  DirectoryOptions o;
  o.no_transaction = {"0003"};
  auto r = MigrationSource::Directory((root_ / "migrations").string(), root_.string(), o)->List(Dialect::kPostgres);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_TRUE((*r)[0].up.directives.no_transaction);
  EXPECT_TRUE((*r)[0].down->directives.no_transaction);
  EXPECT_TRUE((*r)[1].up.directives.no_transaction);
  EXPECT_FALSE((*r)[1].down->directives.no_transaction);
  EXPECT_TRUE((*r)[2].up.directives.no_transaction);
  EXPECT_TRUE((*r)[2].down->directives.no_transaction);
  o.no_transaction = {"4"};
  auto bad = MigrationSource::Directory((root_ / "migrations").string(), root_.string(), o)->List(Dialect::kPostgres);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "[migrations] no_transaction lists version 4, which no migration in migrations has "
                                    "-- fix the version in dbroll.toml");
}

}  // namespace
}  // namespace dbroll
