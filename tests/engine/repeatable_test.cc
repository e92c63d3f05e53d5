// Repeatable migrations: re-applied after the versioned ones when their text
// changes; a rollback to a release re-applies that release's text.
#include "engine/repeatable.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/engine/engine_test_util.h"

namespace dbroll::testing {
namespace {

namespace fs = std::filesystem;

class RepeatableTest : public SqliteEngineTest {
 protected:
  void SetUp() override {
    SqliteEngineTest::SetUp();
    dir_ = path_ + ".d";
    fs::create_directories(dir_ + "/migrations/repeatable");
    Add("0001", "t", "CREATE TABLE t (x int);", "DROP TABLE t;");
  }
  void Write(const std::string& rel, const std::string& text) {
    std::ofstream(dir_ + "/" + rel, std::ios::binary) << text;
  }
  std::unique_ptr<Engine> Open(std::map<std::string, std::string> placeholders = {}) {
    EngineOptions o = Options();
    o.base_dir = dir_;
    o.placeholders_enabled = !placeholders.empty();
    o.placeholders = std::move(placeholders);
    return OpenWith(o);
  }
  std::string ViewSql(Engine& e) { return Scalar(e, "SELECT sql FROM sqlite_master WHERE name='v'"); }

  std::string dir_;
};

TEST_F(RepeatableTest, AppliedAfterVersionedAndAgainOnlyWhenChanged) {
  Write("migrations/repeatable/v.sql", "DROP VIEW IF EXISTS v;\nCREATE VIEW v AS SELECT x FROM t;\n");
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_EQ(obs_.events, (std::vector<std::string>{"up 0001", "up repeatable"}));
  EXPECT_EQ(ViewSql(*e), "CREATE VIEW v AS SELECT x FROM t");
  obs_.events.clear();
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_EQ(obs_.events, (std::vector<std::string>{"notice nothing to migrate: the database is up to date"}));
  Write("migrations/repeatable/v.sql", "DROP VIEW IF EXISTS v;\nCREATE VIEW v AS SELECT x, x + 1 AS y FROM t;\n");
  obs_.events.clear();
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_EQ(obs_.events, (std::vector<std::string>{"up repeatable"}));
  EXPECT_EQ(ViewSql(*e), "CREATE VIEW v AS SELECT x, x + 1 AS y FROM t");
  EXPECT_EQ(Scalar(*e, "SELECT name || ' ' || applied_by FROM dbroll_repeatable WHERE release_tag = ''"),
            "v tester@host");
  EXPECT_EQ(Scalar(*e, "SELECT action || ' ' || versions FROM dbroll_log ORDER BY id DESC LIMIT 1"), "repeatable v");
}

TEST_F(RepeatableTest, FlywayRepeatableFileAndOrderByName) {
  Write("migrations/R__b_view.sql", "CREATE VIEW b_view AS SELECT * FROM a_view;");
  Write("migrations/repeatable/a_view.sql", "CREATE VIEW a_view AS SELECT x FROM t;");
  auto listed = internal::ListRepeatables(dir_ + "/migrations", dir_, Dialect::kSqlite);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].name, "a_view");
  EXPECT_EQ((*listed)[1].script.path, "migrations/R__b_view.sql");
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_EQ(Scalar(*e, "SELECT count(*) FROM sqlite_master WHERE type='view'"), "2");
}

TEST_F(RepeatableTest, DialectVariantWinsAndOthersAreSkipped) {
  Write("migrations/repeatable/v.sql", "CREATE VIEW v AS SELECT 1 AS generic;");
  Write("migrations/repeatable/v.sqlite.sql", "CREATE VIEW v AS SELECT 1 AS sqlite;");
  Write("migrations/repeatable/v.postgres.sql", "CREATE VIEW v AS SELECT 1 AS pg;");
  Write("migrations/repeatable/README.md", "views");
  auto listed = internal::ListRepeatables(dir_ + "/migrations", dir_, Dialect::kSqlite);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].script.path, "migrations/repeatable/v.sqlite.sql");
  Write("migrations/repeatable/notes.json", "{}");
  auto bad = internal::ListRepeatables(dir_ + "/migrations", dir_, Dialect::kSqlite);
  EXPECT_EQ(bad.status().message(),
            "migrations/repeatable/notes.json: not a repeatable migration -- repeatable/ holds <name>.sql (or "
            "<name>.<dialect>.sql) files; rename or move it");
}

TEST_F(RepeatableTest, SameNameTwiceIsAnError) {
  Write("migrations/R__v.sql", "SELECT 1;");
  Write("migrations/repeatable/v.sql", "SELECT 1;");
  auto listed = internal::ListRepeatables(dir_ + "/migrations", dir_, Dialect::kSqlite);
  EXPECT_EQ(listed.status().message(),
            "migrations/R__v.sql: repeatable migration v is also migrations/repeatable/v.sql -- keep one of them");
}

TEST_F(RepeatableTest, RollbackToAReleaseReappliesThatReleasesText) {
  Write("migrations/repeatable/v.sql", "DROP VIEW IF EXISTS v;\nCREATE VIEW v AS SELECT x FROM t;\n");
  auto e = Open();
  ASSERT_TRUE(e->Migrate({.release = "v1"}).ok());
  ms_->push_back(MakeMigration("0002", "u", "CREATE TABLE u (x int);", "DROP TABLE u;"));
  Write("migrations/repeatable/v.sql", "DROP VIEW IF EXISTS v;\nCREATE VIEW v AS SELECT x, x * 2 AS y FROM t;\n");
  ASSERT_TRUE(e->Migrate({.release = "v2"}).ok());
  EXPECT_EQ(ViewSql(*e), "CREATE VIEW v AS SELECT x, x * 2 AS y FROM t");
  obs_.events.clear();
  // The files still say v2; the rollback uses what v1 applied.
  Status down = e->Down({.to_release = std::string("v1")});
  ASSERT_TRUE(down.ok()) << down.ToString();
  EXPECT_EQ(obs_.events, (std::vector<std::string>{"down 0002", "up repeatable"}));
  EXPECT_EQ(ViewSql(*e), "CREATE VIEW v AS SELECT x FROM t");
  EXPECT_EQ(Scalar(*e, "SELECT checksum FROM dbroll_repeatable WHERE release_tag = '' AND name = 'v'"),
            Scalar(*e, "SELECT checksum FROM dbroll_repeatable WHERE release_tag = 'v1' AND name = 'v'"));
}

TEST_F(RepeatableTest, PlaceholdersAreReplacedAndAValueChangeReapplies) {
  Write("migrations/repeatable/v.sql", "DROP VIEW IF EXISTS v;\nCREATE VIEW v AS SELECT x AS ${col} FROM t;\n");
  {
    auto e = Open({{"col", "a"}});
    ASSERT_TRUE(e->Migrate({}).ok());
    EXPECT_EQ(ViewSql(*e), "CREATE VIEW v AS SELECT x AS a FROM t");
  }
  auto e = Open({{"col", "b"}});
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_EQ(ViewSql(*e), "CREATE VIEW v AS SELECT x AS b FROM t");
}

TEST(RepeatableEntryTest, TheListerSkipsRepeatableEntries) {
  EXPECT_TRUE(internal::IsRepeatableMigrationEntry("repeatable", true));
  EXPECT_TRUE(internal::IsRepeatableMigrationEntry("R__views.sql", false));
  EXPECT_FALSE(internal::IsRepeatableMigrationEntry("R__.sql", false));
  EXPECT_FALSE(internal::IsRepeatableMigrationEntry("repeatable", false));
  EXPECT_FALSE(internal::IsRepeatableMigrationEntry("V1__views.sql", false));
}

}  // namespace
}  // namespace dbroll::testing
