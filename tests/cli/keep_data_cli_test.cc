// End-to-end: keep-data through the dbroll binary (status, purge, down
// --without-data, verify --data) on temp directories and SQLite files.
#include <gtest/gtest.h>

#include "tests/support/cli_project.h"

namespace dbroll::testing {
namespace {

class KeepDataCliTest : public CliProjectTest {
 protected:
  void SetUp() override {
    CliProjectTest::SetUp();
    Pair("0001_t", "CREATE TABLE t (id integer PRIMARY KEY, v text);\nINSERT INTO t VALUES (1, 'a'), (2, 'b');\n",
         "DROP TABLE t;\n");
    Pair("0002_drop_v", "-- dbroll:keep-data\nALTER TABLE t DROP COLUMN v;\n", "ALTER TABLE t ADD COLUMN v text;\n");
  }
};

TEST_F(KeepDataCliTest, StatusListsArchivesPurgeDropsThemAndDownNeedsWithoutData) {
  ASSERT_EQ(Dbroll("migrate").code, 0);
  CliResult st = Dbroll("status");
  EXPECT_EQ(st.code, 0) << st.out;
  EXPECT_NE(st.out.find("keep-data archives (dbroll down restores them; dbroll purge removes them):"), std::string::npos)
      << st.out;
  EXPECT_NE(st.out.find("t.v (column)"), std::string::npos) << st.out;
  CliResult json = Dbroll("--format json status");
  EXPECT_NE(json.out.find("\"archive\": \"dbroll_archive_0002_1\""), std::string::npos) << json.out;
  CliResult bad = Dbroll("purge --older-than 3x");
  EXPECT_EQ(bad.code, 2) << bad.out;
  EXPECT_NE(bad.out.find("--older-than 3x: expected a whole number with a unit s, m, h, d or w (e.g. 30d) -- nothing "
                         "was purged"),
            std::string::npos)
      << bad.out;
  CliResult dry = Dbroll("purge --older-than 0s --dry-run");
  EXPECT_EQ(dry.out, "would purge 0002: t.v (2 rows, dbroll_archive_0002_1)\n");
  EXPECT_EQ(Dbroll("purge --older-than 30d").out, "nothing to purge\n");
  CliResult purge = Dbroll("purge --older-than 0s");
  EXPECT_EQ(purge.code, 0) << purge.out;
  EXPECT_EQ(purge.out, "purged 0002: t.v (2 rows, dbroll_archive_0002_1)\n");
  CliResult refused = Dbroll("down");
  EXPECT_EQ(refused.code, 7) << refused.out;
  EXPECT_NE(refused.out.find("roll back without data to accept that, or restore from a backup; nothing was rolled "
                            "back\nnext: dbroll down --without-data\n"),
            std::string::npos)
      << refused.out;
  EXPECT_EQ(Dbroll("down --without-data").code, 0);
}

TEST_F(KeepDataCliTest, VerifyDataFailsOnLostValuesAndPassesWithKeepData) {
  CliResult kept = Dbroll("verify --data");
  EXPECT_EQ(kept.code, 0) << kept.out;
  Pair("0002_drop_v", "ALTER TABLE t DROP COLUMN v;\n", "ALTER TABLE t ADD COLUMN v text;\n");
  CliResult lost = Dbroll("verify --data");
  EXPECT_EQ(lost.code, 1) << lost.out;
  EXPECT_NE(lost.out.find("0002_drop_v: down restores column t.v but its values are lost (2 rows)"), std::string::npos)
      << lost.out;
  // Without --data only the schema is compared: the same down passes.
  EXPECT_EQ(Dbroll("verify").code, 0);
}

}  // namespace
}  // namespace dbroll::testing
