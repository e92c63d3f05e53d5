// The library says what to do next in words any caller can follow and as a
// Remedy; only the CLI names dbroll commands. This guard reads the string
// literals of every library source and fails on "dbroll <command>" advice
// ("run dbroll migrate", "see dbroll status", "`dbroll init`"); a sentence
// about what dbroll does ("so dbroll migrate refuses it") is not advice.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Literal {
  int line;
  std::string text;
};

// String literals of a C++ source, comments skipped; literals that only
// whitespace separates are joined, as the compiler joins them.
std::vector<Literal> Literals(const std::string& src) {
  std::vector<Literal> out;
  int line = 1;
  bool joinable = false;  // only whitespace since the last literal ended
  for (size_t i = 0; i < src.size(); ++i) {
    const char c = src[i];
    if (c == '\n') ++line;
    if (c == '/' && i + 1 < src.size() && src[i + 1] == '/') {
      while (i < src.size() && src[i] != '\n') ++i;
      ++line;
      continue;
    }
    if (c == '/' && i + 1 < src.size() && src[i + 1] == '*') {
      for (i += 2; i + 1 < src.size() && !(src[i] == '*' && src[i + 1] == '/'); ++i) line += src[i] == '\n';
      ++i;
      joinable = false;
      continue;
    }
    if (c == '\'') {
      for (++i; i < src.size() && src[i] != '\''; ++i) i += src[i] == '\\';
      joinable = false;
      continue;
    }
    if (c == '"') {
      std::string text;
      const int start = line;
      if (i > 0 && src[i - 1] == 'R') {  // raw string R"delim( ... )delim"
        const size_t open = src.find('(', i);
        const std::string end = ")" + src.substr(i + 1, open - i - 1) + "\"";
        const size_t close = src.find(end, open);
        text = src.substr(open + 1, close - open - 1);
        for (char ch : text) line += ch == '\n';
        i = close + end.size() - 1;
      } else {
        for (++i; i < src.size() && src[i] != '"'; ++i) {
          if (src[i] == '\\' && i + 1 < src.size()) {
            text += src[++i] == 'n' ? ' ' : src[i];
            continue;
          }
          text += src[i];
        }
      }
      if (joinable && !out.empty()) {
        out.back().text += text;
      } else {
        out.push_back({start, text});
      }
      joinable = true;
      continue;
    }
    if (c != ' ' && c != '\n' && c != '\t') joinable = false;
  }
  return out;
}

std::vector<std::string> AdviceIn(const std::string& src) {
  static const std::regex kAdvice(
      R"((\b(run|see|use|with|then|try|until)\s+|[`(]|-- |: )dbroll )"
      R"((migrate|up|down|repair|status|history|validate|purge|drop|adopt|deploys?|rollback|approve|reject|)"
      R"(unfreeze|freeze|init|baseline|verify|new|wait|create|serve|drift|lint)\b)");
  std::vector<std::string> found;
  for (const Literal& l : Literals(src)) {
    if (std::regex_search(l.text, kAdvice)) found.push_back(std::to_string(l.line) + ": \"" + l.text + "\"");
  }
  return found;
}

TEST(NoCliAdviceTest, ScannerFindsAdviceSplitOverLiterals) {
  EXPECT_EQ(AdviceIn("Status(Code::kDirty, \"fix it and run dbroll \"\n   \"migrate again\");\n"),
            std::vector<std::string>{"1: \"fix it and run dbroll migrate again\""});
  EXPECT_EQ(AdviceIn("x = \"create it with `dbroll init`\";"),
            std::vector<std::string>{"1: \"create it with `dbroll init`\""});
  EXPECT_TRUE(AdviceIn("// run dbroll migrate\n/* dbroll down */ x = \"-- dbroll:no-transaction\";").empty());
  EXPECT_EQ(AdviceIn("x = \"(see dbroll status)\";").size(), 1u);
  EXPECT_EQ(AdviceIn("x = \"-- dbroll deploy --resume continues it\";").size(), 1u);
  EXPECT_TRUE(AdviceIn("x = \"no dbroll history\" + y + \"another dbroll is running\";").empty());
  EXPECT_TRUE(AdviceIn("x = \"so dbroll migrate refuses it\";").empty());
}

TEST(NoCliAdviceTest, LibraryMessagesNameNoDbrollCommand) {
  namespace fs = std::filesystem;
  std::vector<std::string> found;
  for (const char* dir : {"engine", "drivers", "coordinator", "lint"}) {
    for (const auto& e : fs::recursive_directory_iterator(fs::path(DBROLL_SOURCE_DIR) / dir)) {
      const std::string ext = e.path().extension().string();
      if (ext != ".cc" && ext != ".h") continue;
      std::ifstream in(e.path());
      std::stringstream buf;
      buf << in.rdbuf();
      for (const std::string& f : AdviceIn(buf.str())) {
        found.push_back(fs::relative(e.path(), DBROLL_SOURCE_DIR).string() + ":" + f);
      }
    }
  }
  std::string all;
  for (const std::string& f : found) all += f + "\n";
  EXPECT_TRUE(found.empty()) << "library messages must not give CLI advice (set a Remedy instead; the CLI renders it):\n"
                             << all;
}

}  // namespace
