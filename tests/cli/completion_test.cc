// `dbroll completion bash|zsh|fish` and `dbroll man`: generated from the
// command definitions, so every command the parser knows is in each of them.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace dbroll::testing {
namespace {

namespace fs = std::filesystem;

struct Output {
  int code;
  std::string text;
};

Output Sh(const std::string& cmd) {
  Output o{-1, ""};
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return o;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) o.text.append(buf, n);
  int status = pclose(p);
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

std::string Dbroll(const std::string& args) {
  Output o = Sh("'" + std::string(DBROLL_BINARY) + "' " + args);
  EXPECT_EQ(o.code, 0) << args << "\n" << o.text;
  return o.text;
}

// The subcommands `dbroll --help` lists: the parser's own view.
std::vector<std::string> HelpCommands() {
  std::istringstream in(Dbroll("--help"));
  std::vector<std::string> names;
  bool in_list = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Subcommands:", 0) == 0) {
      in_list = true;
      continue;
    }
    if (in_list && line.size() > 2 && line[0] == ' ') {
      // "migrate, up      Apply ...": a command with its aliases.
      std::istringstream words(line);
      for (std::string name; words >> name;) {
        const bool more = !name.empty() && name.back() == ',';
        if (more) name.pop_back();
        names.push_back(name);
        if (!more) break;
      }
    }
  }
  return names;
}

class CompletionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("dbroll-completion-" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }
  // What bash offers for the command line `words` (the last word is being typed).
  std::set<std::string> BashComplete(const std::string& words) {
    fs::path script = Write("dbroll.bash", Dbroll("completion bash"));
    std::string driver = "source '" + script.string() + "'\nCOMP_WORDS=(" + words + ")\n" +
                         "COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n_dbroll\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n";
    fs::path d = Write("driver.bash", driver);
    Output o = Sh("cd '" + dir_.string() + "' && bash '" + d.string() + "'");
    EXPECT_EQ(o.code, 0) << o.text;
    std::set<std::string> out;
    std::istringstream in(o.text);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) out.insert(line);
    }
    return out;
  }
  fs::path dir_;
};

TEST_F(CompletionTest, HelpListsTheCommandsTheScriptsMustCover) {
  std::vector<std::string> commands = HelpCommands();
  EXPECT_GE(commands.size(), 20u);
  EXPECT_NE(std::find(commands.begin(), commands.end(), "migrate"), commands.end());
  EXPECT_NE(std::find(commands.begin(), commands.end(), "completion"), commands.end());
  EXPECT_EQ(std::find(commands.begin(), commands.end(), "man"), commands.end()) << "man is hidden";
}

TEST_F(CompletionTest, BashScriptIsValidAndOffersEveryCommand) {
  std::string script = Dbroll("completion bash");
  fs::path file = Write("dbroll.bash", script);
  Output syntax = Sh("bash -n '" + file.string() + "'");
  EXPECT_EQ(syntax.code, 0) << syntax.text;
  EXPECT_NE(script.find("complete -F _dbroll dbroll"), std::string::npos);
  std::set<std::string> offered = BashComplete("dbroll ''");
  for (const auto& c : HelpCommands()) EXPECT_EQ(offered.count(c), 1u) << c << " is not offered";
  EXPECT_EQ(offered.count("man"), 0u);
}

TEST_F(CompletionTest, BashCompletesCommandsFlagsAndValues) {
  EXPECT_EQ(BashComplete("dbroll mig"), (std::set<std::string>{"migrate"}));
  EXPECT_EQ(BashComplete("dbroll schema ''"), (std::set<std::string>{"dump"}));
  EXPECT_EQ(BashComplete("dbroll down --st"), (std::set<std::string>{"--steps"}));
  EXPECT_EQ(BashComplete("dbroll migrate --dr"), (std::set<std::string>{"--dry-run"}));
  // Global flags work after the command (fallthrough) ...
  EXPECT_EQ(BashComplete("dbroll migrate --ur"), (std::set<std::string>{"--url"}));
  // ... and a flag's value is not mistaken for a command.
  EXPECT_EQ(BashComplete("dbroll -C status mi"), (std::set<std::string>{"migrate"}));
  EXPECT_EQ(BashComplete("dbroll --format j"), (std::set<std::string>{"json", "junit"}));
  EXPECT_EQ(BashComplete("dbroll down --down-source ''"), (std::set<std::string>{"file", "stored"}));
  EXPECT_EQ(BashComplete("dbroll completion ''"), (std::set<std::string>{"bash", "fish", "zsh"}));
}

TEST_F(CompletionTest, ZshAndFishScriptsNameEveryCommand) {
  std::string zsh = Dbroll("completion zsh");
  std::string fish = Dbroll("completion fish");
  EXPECT_EQ(zsh.rfind("#compdef dbroll\n", 0), 0u);
  for (const auto& c : HelpCommands()) {
    EXPECT_NE(zsh.find("\n        '" + c + ":"), std::string::npos) << c << " missing from zsh";
    EXPECT_NE(fish.find("-n '__fish_use_subcommand' -a '" + c + "'"), std::string::npos) << c << " missing from fish";
  }
  EXPECT_NE(zsh.find("_dbroll_schema_dump() {"), std::string::npos);
  EXPECT_NE(fish.find("complete -c dbroll -n '__fish_seen_subcommand_from down' -s n -l steps -r -F"),
            std::string::npos)
      << fish;
  // The shells themselves are optional on a build machine; where one is there it checks its script.
  for (const auto& [shell, text] : {std::pair<std::string, std::string>{"zsh", zsh}, {"fish", fish}}) {
    if (Sh("command -v " + shell).code != 0) continue;
    fs::path f = Write("script." + shell, text);
    Output o = Sh(shell + " -n '" + f.string() + "'");
    EXPECT_EQ(o.code, 0) << shell << ": " << o.text;
  }
  EXPECT_EQ(Sh("'" + std::string(DBROLL_BINARY) + "' completion tcsh").code, 2);
}

TEST_F(CompletionTest, ManPageDocumentsEveryCommandAndIsBuiltWithTheBinary) {
  std::string man = Dbroll("man");
  EXPECT_EQ(man.find(".TH DBROLL 1"), man.find('\n') + 1) << man.substr(0, 200);
  EXPECT_NE(man.find(".SH GLOBAL OPTIONS"), std::string::npos);
  EXPECT_NE(man.find("\\fB\\-C\\fR, \\fB\\-\\-dir\\fR \\fITEXT\\fR"), std::string::npos);
  for (const auto& c : HelpCommands()) {
    if (c == "schema") continue;  // documented as its subcommand, schema dump
    // A command has its section; an alias (up) is named in its command's.
    EXPECT_TRUE(man.find(".SS \"dbroll " + c) != std::string::npos || man.find("Also: " + c) != std::string::npos)
        << c << " missing from the man page";
  }
  EXPECT_NE(man.find(".SS \"dbroll schema dump"), std::string::npos);
  if (Sh("command -v groff").code == 0) {  // roff that groff warns about renders badly somewhere
    fs::path page = Write("dbroll.1", man);
    Output lint = Sh("groff -ww -man -Tutf8 -z '" + page.string() + "'");
    EXPECT_EQ(lint.code, 0);
    EXPECT_EQ(lint.text, "");
  }
  // The build writes the same page next to the binary's tree, for install.
  fs::path built = fs::path(DBROLL_BINARY).parent_path().parent_path() / "share" / "man" / "man1" / "dbroll.1";
  std::ifstream in(built);
  ASSERT_TRUE(in.good()) << built;
  std::stringstream s;
  s << in.rdbuf();
  EXPECT_EQ(s.str(), man);
}

}  // namespace
}  // namespace dbroll::testing
