// Other tools' layouts through the whole engine on SQLite: what their own
// tools run is what dbroll runs (docs/guide.md "Layouts").
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/engine/engine_test_util.h"

namespace dbroll::testing {
namespace {

namespace fs = std::filesystem;

class LayoutsEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = TempDbPath("layouts");
    root_ = fs::path(db_).parent_path() / ("layouts-project-" + fs::path(db_).stem().string());
    fs::remove_all(root_);
    fs::create_directories(root_ / "m");
  }
  void TearDown() override {
    fs::remove_all(root_);
    fs::remove(db_);
  }
  void File(const std::string& rel, const std::string& text) { std::ofstream(root_ / "m" / rel) << text; }
  std::unique_ptr<Engine> Open(const std::string& layout = "auto", std::vector<std::string> no_tx = {}) {
    EngineOptions o;
    o.url = "sqlite:" + db_;
    o.base_dir = root_.string();
    o.migrations_dir = "m";
    o.migrations_layout = layout;
    o.no_transaction_versions = std::move(no_tx);
    o.applied_by = "tester@host";
    auto e = Engine::Open(o, &obs_);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return std::move(e).value();
  }
  long long Count(Engine& e, const std::string& sql) { return QueryCount(e, sql); }
  std::string db_;
  fs::path root_;
  RecordingObserver obs_;
};

TEST_F(LayoutsEngineTest, GooseStatementBlockRunsAsOneStatementAndDownComesFromTheFile) {
  File("00001_t.sql",
       "-- +goose Up\nCREATE TABLE t (x int);\nCREATE TABLE log (x int);\n-- +goose StatementBegin\n"
       "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  INSERT INTO log VALUES (new.x);\n  INSERT INTO log VALUES "
       "(new.x);\nEND;\n"
       "-- +goose StatementEnd\n\n-- +goose Down\nDROP TABLE log;\nDROP TABLE t;\n");
  auto e = Open("goose");
  ASSERT_TRUE(e->Migrate({}).ok());
  Statement insert;
  insert.text = "INSERT INTO t VALUES (7)";
  ASSERT_TRUE(e->driver().RunStatement(insert).ok());
  EXPECT_EQ(Count(*e, "SELECT count(*) FROM log WHERE x = 7"), 2);
  DownOptions d;
  d.all = true;
  ASSERT_TRUE(e->Down(d).ok());
  EXPECT_EQ(Count(*e, "SELECT count(*) FROM sqlite_master WHERE name IN ('t', 'log')"), 0);
}

TEST_F(LayoutsEngineTest, DbmateErrorPointsAtTheLineOfTheFile) {
  File("20240101000000_a.sql",
       "-- migrate:up\nCREATE TABLE a (x int);\nCREATE TABLE a (x int);\n\n-- migrate:down\nDROP TABLE a;\n");
  auto e = Open();
  Status s = e->Migrate({});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message().rfind("m/20240101000000_a.sql:3:1: ", 0), 0u) << s.message();
}

TEST_F(LayoutsEngineTest, ConfiguredNoTransactionVersionRunsOutsideATransaction) {
  // VACUUM cannot run inside a transaction: only the config key makes this work.
  File("1_vacuum.up.sql", "VACUUM;");
  File("1_vacuum.down.sql", "VACUUM;");
  auto refused = Open();
  EXPECT_FALSE(refused->Migrate({}).ok());
  refused.reset();
  auto e = Open("auto", {"1"});
  Status s = e->Migrate({});
  EXPECT_TRUE(s.ok()) << s.ToString();
}

}  // namespace
}  // namespace dbroll::testing
