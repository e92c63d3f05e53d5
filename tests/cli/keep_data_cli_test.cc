// End-to-end: keep-data through the dbroll binary (status, purge, down
// --without-data, verify --data) on temp directories and SQLite files.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace dbroll::testing {
namespace {

namespace fs = std::filesystem;

struct CmdResult {
  int code;
  std::string out;
};

class KeepDataCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int n = 0;
    dir_ = fs::temp_directory_path() / ("dbroll-kd-cli-" + std::to_string(getpid()) + "-" + std::to_string(++n));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "migrations");
    std::ofstream(dir_ / "dbroll.toml") << "[database]\nurl = \"sqlite:app.db\"\n[migrations]\ndir = \"migrations\"\n";
    Pair("0001_t", "CREATE TABLE t (id integer PRIMARY KEY, v text);\nINSERT INTO t VALUES (1, 'a'), (2, 'b');\n",
         "DROP TABLE t;\n");
    Pair("0002_drop_v", "-- dbroll:keep-data\nALTER TABLE t DROP COLUMN v;\n", "ALTER TABLE t ADD COLUMN v text;\n");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Pair(const std::string& id, const std::string& up, const std::string& down) {
    fs::create_directories(dir_ / "migrations" / id);
    std::ofstream(dir_ / "migrations" / id / "up.sql") << up;
    std::ofstream(dir_ / "migrations" / id / "down.sql") << down;
  }
  CmdResult Dbroll(const std::string& args) {
    const fs::path out = dir_ / "out.txt";
    const std::string cmd = "'" + std::string(DBROLL_BINARY) + "' -C '" + dir_.string() + "' " + args + " >'" +
                            out.string() + "' 2>&1";
    int status = std::system(cmd.c_str());
    std::ifstream in(out);
    std::stringstream s;
    s << in.rdbuf();
    return CmdResult{WIFEXITED(status) ? WEXITSTATUS(status) : -1, s.str()};
  }
  fs::path dir_;
};

TEST_F(KeepDataCliTest, StatusListsArchivesPurgeDropsThemAndDownNeedsWithoutData) {
  ASSERT_EQ(Dbroll("migrate").code, 0);
  CmdResult st = Dbroll("status");
  EXPECT_EQ(st.code, 0) << st.out;
  EXPECT_NE(st.out.find("keep-data archives (dbroll down restores them; dbroll purge removes them):"), std::string::npos)
      << st.out;
  EXPECT_NE(st.out.find("t.v (column)"), std::string::npos) << st.out;
  CmdResult json = Dbroll("--format json status");
  EXPECT_NE(json.out.find("\"archive\": \"dbroll_archive_0002_1\""), std::string::npos) << json.out;
  CmdResult bad = Dbroll("purge --older-than 3x");
  EXPECT_EQ(bad.code, 2) << bad.out;
  EXPECT_NE(bad.out.find("--older-than 3x: expected a whole number with a unit s, m, h, d or w (e.g. 30d) -- nothing "
                         "was purged"),
            std::string::npos)
      << bad.out;
  CmdResult dry = Dbroll("purge --older-than 0s --dry-run");
  EXPECT_EQ(dry.out, "would purge 0002: t.v (2 rows, dbroll_archive_0002_1)\n");
  EXPECT_EQ(Dbroll("purge --older-than 30d").out, "nothing to purge\n");
  CmdResult purge = Dbroll("purge --older-than 0s");
  EXPECT_EQ(purge.code, 0) << purge.out;
  EXPECT_EQ(purge.out, "purged 0002: t.v (2 rows, dbroll_archive_0002_1)\n");
  CmdResult refused = Dbroll("down");
  EXPECT_EQ(refused.code, 7) << refused.out;
  EXPECT_NE(refused.out.find("roll back without data to accept that, or restore from a backup; nothing was rolled "
                            "back\nnext: dbroll down --without-data\n"),
            std::string::npos)
      << refused.out;
  EXPECT_EQ(Dbroll("down --without-data").code, 0);
}

TEST_F(KeepDataCliTest, VerifyDataFailsOnLostValuesAndPassesWithKeepData) {
  CmdResult kept = Dbroll("verify --data");
  EXPECT_EQ(kept.code, 0) << kept.out;
  Pair("0002_drop_v", "ALTER TABLE t DROP COLUMN v;\n", "ALTER TABLE t ADD COLUMN v text;\n");
  CmdResult lost = Dbroll("verify --data");
  EXPECT_EQ(lost.code, 1) << lost.out;
  EXPECT_NE(lost.out.find("0002_drop_v: down restores column t.v but its values are lost (2 rows)"), std::string::npos)
      << lost.out;
  // Without --data only the schema is compared: the same down passes.
  EXPECT_EQ(Dbroll("verify").code, 0);
}

}  // namespace
}  // namespace dbroll::testing
