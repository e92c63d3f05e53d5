// Golden tests for every output format of dbroll lint.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "dbroll/lint.h"

namespace dbroll {
namespace {

std::vector<Finding> Sample() {
  Finding a;
  a.rule = "drop-column";
  a.path = "migrations/0002_b/up.sql";
  a.line = 2;
  a.column = 11;
  a.message = "column users.email is dropped";
  a.safe_alternative = "stop using it first";
  a.source_line = "SELECT 1; ALTER TABLE users DROP COLUMN email;";
  Finding b = a;
  b.rule = "missing-lock-timeout";
  b.severity = Severity::kWarning;
  b.message = "table users, locked: <no timeout>";
  b.safe_alternative = "";
  return {a, b};
}

TEST(LintOutputTest, Text) {
  EXPECT_EQ(RenderFindings(Sample(), "text", 2).value(),
            "migrations/0002_b/up.sql:2:11: error [drop-column] column users.email is dropped\n"
            "    SELECT 1; ALTER TABLE users DROP COLUMN email;\n"
            "              ^\n"
            "  help: stop using it first\n"
            "migrations/0002_b/up.sql:2:11: warning [missing-lock-timeout] table users, locked: <no timeout>\n"
            "    SELECT 1; ALTER TABLE users DROP COLUMN email;\n"
            "              ^\n"
            "2 file(s) checked: 1 error(s), 1 warning(s)\n");
}

TEST(LintOutputTest, Json) {
  auto j = nlohmann::json::parse(RenderFindings(Sample(), "json", 2).value());
  EXPECT_EQ(j["format"], 1);
  EXPECT_EQ(j["files_checked"], 2);
  EXPECT_EQ(j["summary"]["errors"], 1);
  EXPECT_EQ(j["summary"]["warnings"], 1);
  EXPECT_EQ(j["findings"][0].dump(),
            R"({"column":11,"line":2,"message":"column users.email is dropped","path":"migrations/0002_b/up.sql",)"
            R"("rule":"drop-column","safe_alternative":"stop using it first","severity":"error",)"
            R"("source_line":"SELECT 1; ALTER TABLE users DROP COLUMN email;"})");
}

// The JSON writer is hand-rolled for speed; it must stay byte-for-byte what
// nlohmann's ordered_json::dump(2) wrote, escapes and UTF-8 included.
std::string ReferenceJson(const std::vector<Finding>& fs, int files) {
  using nlohmann::ordered_json;
  ordered_json arr = ordered_json::array();
  int errors = 0;
  for (const auto& f : fs) {
    errors += f.severity == Severity::kError;
    arr.push_back(ordered_json{{"rule", f.rule}, {"severity", SeverityName(f.severity)}, {"path", f.path},
                               {"line", f.line}, {"column", f.column}, {"message", f.message},
                               {"safe_alternative", f.safe_alternative}, {"source_line", f.source_line}});
  }
  ordered_json doc{{"format", 1},
                   {"files_checked", files},
                   {"summary", {{"errors", errors}, {"warnings", static_cast<int>(fs.size()) - errors}}},
                   {"findings", arr}};
  return doc.dump(2) + "\n";
}

TEST(LintOutputTest, JsonIsExactlyTheDocumentedLayout) {
  EXPECT_EQ(RenderFindings({}, "json", 0).value(), ReferenceJson({}, 0));
  EXPECT_EQ(RenderFindings(Sample(), "json", 2).value(), ReferenceJson(Sample(), 2));
  auto odd = Sample();
  odd[0].message = std::string("quote \" backslash \\ tab \t nl \n cr \r bs \b ff \f ctl \x01\x1f del \x7f");
  odd[0].source_line = "SELECT 'caf\xc3\xa9', '\xe2\x82\xac' -- \"x\"";
  odd[1].path = "migrations/0003_\xf0\x9f\x98\x80/up.sql";
  odd[1].safe_alternative = "/ slash stays";
  EXPECT_EQ(RenderFindings(odd, "json", 7).value(), ReferenceJson(odd, 7));
}

TEST(LintOutputTest, SarifHasTheRequiredStructure) {
  auto j = nlohmann::json::parse(RenderFindings(Sample(), "sarif", 2).value());
  EXPECT_EQ(j["version"], "2.1.0");
  ASSERT_EQ(j["runs"].size(), 1u);
  const auto& run = j["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["name"], "dbroll");
  EXPECT_EQ(run["tool"]["driver"]["rules"].size(), LintRules().size());
  ASSERT_EQ(run["results"].size(), 2u);
  const auto& r = run["results"][0];
  EXPECT_EQ(r["ruleId"], "drop-column");
  EXPECT_EQ(run["tool"]["driver"]["rules"][r["ruleIndex"].get<int>()]["id"], "drop-column");
  EXPECT_EQ(r["level"], "error");
  EXPECT_EQ(r["message"]["text"], "column users.email is dropped. Instead: stop using it first");
  const auto& loc = r["locations"][0]["physicalLocation"];
  EXPECT_EQ(loc["artifactLocation"]["uri"], "migrations/0002_b/up.sql");
  EXPECT_EQ(loc["region"]["startLine"], 2);
  EXPECT_EQ(loc["region"]["startColumn"], 11);
  EXPECT_EQ(run["results"][1]["level"], "warning");
}

TEST(LintOutputTest, Github) {
  EXPECT_EQ(RenderFindings(Sample(), "github", 2).value(),
            "::error file=migrations/0002_b/up.sql,line=2,col=11,title=dbroll drop-column::"
            "column users.email is dropped%0AInstead: stop using it first\n"
            "::warning file=migrations/0002_b/up.sql,line=2,col=11,title=dbroll missing-lock-timeout::"
            "table users, locked: <no timeout>\n");
}

TEST(LintOutputTest, JunitListsEveryRuleAndEscapes) {
  const std::string x = RenderFindings(Sample(), "junit", 2).value();
  EXPECT_NE(x.find("<testsuite name=\"dbroll lint\" tests=\"" + std::to_string(LintRules().size()) +
                   "\" failures=\"1\""),
            std::string::npos) << x;
  EXPECT_NE(x.find("<testcase classname=\"dbroll.lint\" name=\"drop-table\"/>"), std::string::npos);
  EXPECT_NE(x.find("    <testcase classname=\"dbroll.lint\" name=\"drop-column\">\n"
                   "      <failure type=\"error\" message=\"migrations/0002_b/up.sql:2:11: column users.email is "
                   "dropped\">stop using it first</failure>\n"
                   "    </testcase>\n"),
            std::string::npos) << x;
}

TEST(LintOutputTest, JunitWarningIsAPassingTestcaseWithItsText) {
  const std::string x = RenderFindings(Sample(), "junit", 2).value();
  EXPECT_NE(x.find("    <testcase classname=\"dbroll.lint\" name=\"missing-lock-timeout\">\n"
                   "      <system-out>warning: migrations/0002_b/up.sql:2:11: table users, locked: "
                   "&lt;no timeout&gt;\n</system-out>\n"
                   "    </testcase>\n"),
            std::string::npos) << x;
  std::vector<Finding> only_warning = {Sample()[1]};
  const std::string w = RenderFindings(only_warning, "junit", 2).value();
  EXPECT_EQ(w.find("<failure"), std::string::npos) << w;
  EXPECT_NE(w.find("failures=\"0\" errors=\"0\""), std::string::npos) << w;
}

TEST(LintOutputTest, SarifHelpUriIsAbsolute) {
  auto j = nlohmann::json::parse(RenderFindings(Sample(), "sarif", 2).value());
  for (const auto& rule : j["runs"][0]["tool"]["driver"]["rules"]) {
    EXPECT_EQ(rule["helpUri"], "https://github.com/dbroll/dbroll/blob/main/docs/lint/" +
                                   rule["id"].get<std::string>() + ".md");
  }
}

// helpUri points at docs/lint/<rule>.md: every rule has its page and a row
// in the table of docs/lint.md.
TEST(LintOutputTest, EveryRuleHasItsDocPage) {
  std::ifstream index(std::string(DBROLL_SOURCE_DIR) + "/docs/lint.md");
  const std::string table((std::istreambuf_iterator<char>(index)), std::istreambuf_iterator<char>());
  for (const auto& r : LintRules()) {
    std::ifstream page(std::string(DBROLL_SOURCE_DIR) + "/docs/lint/" + r.id + ".md");
    std::string first;
    std::getline(page, first);
    EXPECT_EQ(first, "# " + r.id);
    EXPECT_NE(table.find("| [`" + r.id + "`](lint/" + r.id + ".md) | " + SeverityName(r.severity) + " | "),
              std::string::npos)
        << r.id;
  }
}

TEST(LintOutputTest, UnknownFormat) {
  auto r = RenderFindings(Sample(), "xml", 2);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "--format xml is not known to lint -- use text, json, sarif, github or junit");
}

}  // namespace
}  // namespace dbroll
