// dbroll/project.h called directly, as an orchestrator would: what the CLI
// used to compute itself (new, init, schema_file, the status gate, release
// tags), and the Remedy the engine's errors carry.
#include "dbroll/project.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/temp_dir.h"

namespace dbroll {
namespace {

namespace fs = std::filesystem;

class ProjectTest : public ::testing::Test {
 protected:
  Config Cfg(const std::string& versioning = "sequence") {
    Config c;
    c.engine.base_dir = dir_.string();
    c.engine.url = "sqlite:" + (dir_ / "app.db").string();
    c.engine.versioning = versioning;
    return c;
  }
  static std::string Read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  dbroll::testing::TempDir tmp_{"project"};
  const fs::path dir_ = tmp_.path();
};

TEST_F(ProjectTest, NextVersionCountsPastTheHighestNumberKeepingItsWidth) {
  auto none = NextVersion((dir_ / "missing").string(), "sequence");
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ(none.value(), "0001");
  fs::create_directories(dir_ / "m" / "0009_a");
  fs::create_directories(dir_ / "m" / "4_b");
  EXPECT_EQ(NextVersion((dir_ / "m").string(), "sequence").value(), "0010");
  fs::create_directories(dir_ / "m" / "999999999999999999999999999999_huge");
  EXPECT_EQ(NextVersion((dir_ / "m").string(), "sequence").value(), "1000000000000000000000000000000");
  EXPECT_EQ(NextVersion((dir_ / "m").string(), "timestamp").value().size(), 14u);
}

TEST_F(ProjectTest, CreateMigrationWritesTheNextPairAndNeverOverwrites) {
  auto first = CreateMigration(Cfg(), "add users-email");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->version, "0001");
  EXPECT_EQ(first->up_path, (dir_ / "migrations" / "0001_add_users_email" / "up.sql").string());
  EXPECT_EQ(Read(first->up_path), "-- 0001_add_users_email: up\n");
  EXPECT_EQ(Read(first->down_path), "-- 0001_add_users_email: down (undo everything up.sql does)\n");
  auto second = CreateMigration(Cfg(), "next");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->version, "0002");
}

TEST_F(ProjectTest, InitProjectWritesTheConfigOnce) {
  std::vector<std::string> created;
  ASSERT_TRUE(InitProject(dir_.string(), "sqlite:x.db", &created).ok());
  EXPECT_EQ(created, (std::vector<std::string>{(dir_ / "dbroll.toml").string(), (dir_ / "migrations").string() + "/"}));
  EXPECT_NE(Read(dir_ / "dbroll.toml").find("url = \"sqlite:x.db\""), std::string::npos);
  Status again = InitProject(dir_.string(), "sqlite:y.db", nullptr);
  EXPECT_EQ(again.code(), Code::kInvalidArgument);
  EXPECT_EQ(again.message(), (dir_ / "dbroll.toml").string() + ": already exists -- edit it instead");
}

TEST_F(ProjectTest, CheckUpToDateIsTheDeployGate) {
  StatusReport r;
  r.versions.push_back({"0001", "a", VersionState::kApplied, std::nullopt, "", ""});
  EXPECT_TRUE(CheckUpToDate(r).ok());
  for (int i = 2; i <= 7; ++i) r.versions.push_back({"000" + std::to_string(i), "p", VersionState::kPending, {}, "", ""});
  Status pending = CheckUpToDate(r);
  EXPECT_EQ(pending.code(), Code::kCheckFailed);
  EXPECT_EQ(pending.message(), "6 migration(s) pending (0002, 0003, 0004, 0005, 0006, ...) -- migrate to apply them");
  EXPECT_EQ(pending.remedy(), Remedy::kRunMigrate);
  HistoryRow row;
  row.version = "0003";
  row.state = HistoryState::kDownFailed;
  row.statements_done = 1;
  r.versions[2].state = VersionState::kFailed;
  r.versions[2].row = row;
  Status dirty = CheckUpToDate(r);
  EXPECT_EQ(dirty.code(), Code::kDirty);
  EXPECT_EQ(dirty.message(),
            "version 0003 is down-failed after statement 1 -- fix the down script and roll back again to finish it");
  EXPECT_EQ(dirty.remedy(), Remedy::kRunDown);
}

TEST_F(ProjectTest, ReleaseTagsAreCheckedByTheEngineToo) {
  EXPECT_TRUE(ValidateReleaseTag("v1.4.2+build_7").ok());
  EXPECT_EQ(ValidateReleaseTag("-x").code(), Code::kInvalidArgument);
  EXPECT_EQ(ValidateReleaseTag("bad tag").message(),
            "release tag \"bad tag\" is not allowed -- use 1 to 128 of A-Z a-z 0-9 . _ + - (not starting with - or .)");
  fs::create_directories(dir_ / "migrations" / "0001_a");
  std::ofstream(dir_ / "migrations" / "0001_a" / "up.sql") << "CREATE TABLE a (id int);\n";
  std::ofstream(dir_ / "migrations" / "0001_a" / "down.sql") << "DROP TABLE a;\n";
  auto e = Engine::Open(Cfg().engine, nullptr);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  Status m = e.value()->Migrate({.release = "bad tag"});
  EXPECT_EQ(m.code(), Code::kInvalidArgument);
  EXPECT_EQ(e.value()->GetStatus()->versions[0].state, VersionState::kPending);
  ASSERT_TRUE(e.value()->Migrate({.release = "v1"}).ok());
  EXPECT_EQ(e.value()->Down({.release = "bad tag"}).code(), Code::kInvalidArgument);
}

TEST_F(ProjectTest, UpdateSchemaFileWritesTheLiveSnapshotWhenConfigured) {
  fs::create_directories(dir_ / "migrations" / "0001_a");
  std::ofstream(dir_ / "migrations" / "0001_a" / "up.sql") << "CREATE TABLE a (id int);\n";
  std::ofstream(dir_ / "migrations" / "0001_a" / "down.sql") << "DROP TABLE a;\n";
  Config cfg = Cfg();
  auto e = Engine::Open(cfg.engine, nullptr);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ASSERT_TRUE(e.value()->Migrate({}).ok());
  ASSERT_TRUE(UpdateSchemaFile(*e.value(), cfg).ok());  // unset: nothing written
  EXPECT_FALSE(fs::exists(dir_ / "schema.sql"));
  cfg.sections["migrations"]["schema_file"] = "schema.sql";
  ASSERT_TRUE(UpdateSchemaFile(*e.value(), cfg).ok());
  const std::string text = Read(dir_ / "schema.sql");
  EXPECT_EQ(text.rfind("-- dbroll schema snapshot (sqlite)", 0), 0u) << text;
  EXPECT_NE(text.find("\ntable a\n  column id int\n"), std::string::npos) << text;
  EXPECT_FALSE(fs::exists(dir_ / "schema.sql.tmp"));
}

TEST_F(ProjectTest, EngineErrorsCarryTheirRemedyAsData) {
  fs::create_directories(dir_ / "migrations" / "0001_a");
  std::ofstream(dir_ / "migrations" / "0001_a" / "up.sql") << "CREATE TABLE a (id int,);\n";
  std::ofstream(dir_ / "migrations" / "0001_a" / "down.sql") << "DROP TABLE a;\n";
  auto e = Engine::Open(Cfg().engine, nullptr);
  ASSERT_TRUE(e.ok());
  Status s = e.value()->Migrate({});
  EXPECT_EQ(s.code(), Code::kMigrationFailed);
  EXPECT_EQ(s.remedy(), Remedy::kRunMigrate);
  EXPECT_STREQ(RemedyName(s.remedy()), "migrate");
  EXPECT_EQ(s.message().find("dbroll migrate"), std::string::npos) << s.message();
  Status missing = e.value()->Down({.to = std::string("0007")});
  EXPECT_EQ(missing.code(), Code::kNotFound);
  EXPECT_EQ(missing.remedy(), Remedy::kInspectStatus);
}

}  // namespace
}  // namespace dbroll
