#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "dbroll/source.h"

namespace dbroll {
namespace {

namespace fs = std::filesystem;

class DirectorySourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int n = 0;
    root_ = fs::temp_directory_path() / ("dbroll-src-" + std::to_string(getpid()) + "-" + std::to_string(++n));
    fs::remove_all(root_);
    fs::create_directories(root_ / "migrations");
  }
  void TearDown() override { fs::remove_all(root_); }
  void File(const std::string& rel, const std::string& text) {
    fs::path p = root_ / "migrations" / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  Result<std::vector<Migration>> List(Dialect d = Dialect::kSqlite) {
    return MigrationSource::Directory((root_ / "migrations").string(), root_.string())->List(d);
  }
  fs::path root_;
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
  EXPECT_EQ(r.status().message(), "nope: migrations directory not found -- create it with `dbroll init` or set "
                                  "[migrations] dir in dbroll.toml");
}

}  // namespace
}  // namespace dbroll
