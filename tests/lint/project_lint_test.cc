// LintProject (lint --base in one call) and RenderVerifyReport (verify's
// report through lint's writers), called directly as an orchestrator would.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "dbroll/lint.h"
#include "dbroll/verify.h"
#include "tests/support/temp_dir.h"

namespace dbroll {
namespace {

namespace fs = std::filesystem;

class LintProjectTest : public ::testing::Test {
 protected:
  void Write(const std::string& rel, const std::string& text) {
    fs::create_directories((dir_ / rel).parent_path());
    std::ofstream(dir_ / rel) << text;
  }
  int Git(const std::string& args) {
    const std::string cmd = "git -C '" + dir_.string() + "' -c user.email=t@t -c user.name=t " + args + " >/dev/null 2>&1";
    const int st = std::system(cmd.c_str());
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
  Config Cfg() {
    Config c;
    c.engine.base_dir = dir_.string();
    c.engine.url = "sqlite:app.db";
    return c;
  }
  dbroll::testing::TempDir tmp_{"lint-project"};
  const fs::path dir_ = tmp_.path();
};

TEST_F(LintProjectTest, BaseReportsOnlyWhatTheBranchAddsAndFailsEdits) {
  Write("migrations/0001_a/up.sql", "CREATE TABLE a (id int);\nDROP TABLE old;\n");
  Write("migrations/0001_a/down.sql", "DROP TABLE a;\n");
  ASSERT_EQ(Git("init -q -b main"), 0);
  ASSERT_EQ(Git("add -A"), 0);
  ASSERT_EQ(Git("commit -q -m base"), 0);
  Write("migrations/0002_b/up.sql", "DROP TABLE a;\n");
  Write("migrations/0002_b/down.sql", "CREATE TABLE a (id int);\n");

  auto all = LintProject(Cfg(), dir_.string());
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->files_checked, 4);
  auto scoped = LintProject(Cfg(), dir_.string(), {}, "main");
  ASSERT_TRUE(scoped.ok()) << scoped.status().ToString();
  EXPECT_EQ(scoped->files_checked, 2);
  ASSERT_FALSE(scoped->findings.empty());
  for (const Finding& f : scoped->findings) EXPECT_EQ(f.path.rfind("migrations/0002_b/", 0), 0u) << f.path;

  auto bad = LintProject(Cfg(), dir_.string(), {}, "no-such-ref");
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
}

VerifyReport Report() {
  VerifyReport r;
  r.scratch = "temporary SQLite file";
  VerifiedVersion ok{"0001", "a", "ok", "", {}};
  VerifiedVersion failed{"0002", "b", "failed", "", {}};
  failed.findings.push_back({"0002", "b", "verify-down-incomplete", "migrations/0002_b/down.sql", 0, 0,
                             "0002_b: down leaves table b behind"});
  r.versions = {ok, failed};
  return r;
}

TEST(RenderVerifyReportTest, UsesLintsSarifAndGithubWriters) {
  auto sarif = RenderVerifyReport(Report(), "sarif");
  ASSERT_TRUE(sarif.ok());
  auto doc = nlohmann::json::parse(sarif.value());
  EXPECT_EQ(doc["version"], "2.1.0");
  EXPECT_EQ(doc["runs"][0]["tool"]["driver"]["name"], "dbroll verify");
  EXPECT_EQ(doc["runs"][0]["results"][0]["ruleId"], "verify-down-incomplete");
  EXPECT_EQ(doc["runs"][0]["results"][0]["level"], "error");
  EXPECT_FALSE(doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"].contains("region"));

  EXPECT_EQ(RenderVerifyReport(Report(), "github").value(),
            "::error file=migrations/0002_b/down.sql,title=dbroll verify-down-incomplete::0002_b: down leaves table "
            "b behind\n");
  EXPECT_EQ(RenderVerifyReport(Report(), "text").value(),
            "ok            0001_a\nfailed        0002_b\n  0002_b: down leaves table b behind\n");
  const std::string junit = RenderVerifyReport(Report(), "junit").value();
  EXPECT_NE(junit.find("<testsuite name=\"dbroll verify\" tests=\"2\" failures=\"1\" skipped=\"0\">"),
            std::string::npos)
      << junit;
  EXPECT_EQ(nlohmann::json::parse(RenderVerifyReport(Report(), "json").value())["ok"], false);
  EXPECT_EQ(RenderVerifyReport(Report(), "xml").status().message(),
            "--format xml: verify writes text, json, sarif, github or junit");
}

}  // namespace
}  // namespace dbroll
