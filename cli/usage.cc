#include "cli/usage.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstring>

namespace dbroll::cli {
namespace {

// Optimal string alignment distance: a swapped pair ("stauts") costs one.
size_t Distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::vector<std::string> CommandNames(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
    for (const std::string& alias : sub->get_aliases()) names.push_back(alias);
  }
  return names;
}

std::vector<std::string> FlagNames(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* opt : app.get_options()) {
    for (const std::string& l : opt->get_lnames()) names.push_back("--" + l);
    for (const std::string& s : opt->get_snames()) names.push_back("-" + s);
  }
  return names;
}

// The command the user was in when parsing stopped ("" at the top).
CLI::App* Deepest(CLI::App& app, std::string* path) {
  CLI::App* cur = &app;
  for (;;) {
    std::vector<CLI::App*> subs = cur->get_subcommands();
    if (subs.empty()) return cur;
    cur = subs.back();
    *path += (path->empty() ? "" : " ") + cur->get_name();
  }
}

std::string HelpHint(const std::string& path) {
  return path.empty() ? "run dbroll --help for the commands and global flags"
                      : "run dbroll " + path + " --help for its flags";
}

// Where `arg` first stands on the command line, to report extras in the
// order they were typed.
size_t Position(const std::string& arg, int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    if (arg == argv[i]) return static_cast<size_t>(i);
  }
  return static_cast<size_t>(argc);
}

std::string UnknownFlag(const std::string& typed, const std::vector<std::string>& flags, const std::string& path) {
  const std::string flag = typed.substr(0, typed.find('='));
  std::string msg = "unknown flag " + flag + (path.empty() ? "" : " for " + path);
  const std::string best = Suggest(flag, flags);
  if (!best.empty()) return msg + " -- did you mean " + best + "? (" + HelpHint(path) + ")";
  return msg + " -- " + HelpHint(path);
}

}  // namespace

std::string Suggest(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = std::max<size_t>(2, word.size() / 3) + 1;
  for (const std::string& c : candidates) {
    size_t d = Distance(word, c);
    // A unique prefix ("stat", "--rel") is as good as a near miss.
    if (d >= best_d && word.size() >= 3 && c.compare(0, word.size(), word) == 0) d = 1;
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

std::optional<std::string> CheckCommand(const CLI::App& app, int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") return std::nullopt;
    if (arg.size() > 1 && arg[0] == '-') {
      const CLI::Option* opt = app.get_option_no_throw(arg.substr(0, arg.find('=')));
      // -C/dir: a short flag with its value attached.
      if (opt == nullptr && arg[1] != '-' && app.get_option_no_throw(arg.substr(0, 2)) != nullptr) continue;
      // An unknown flag before the command: its value would pass for a command.
      if (opt == nullptr) return UnknownFlag(arg, FlagNames(app), "");
      if (arg.find('=') != std::string::npos) continue;
      // A global flag's value is not a command (dbroll --url X status).
      if (opt != nullptr && opt->get_type_size() != 0) ++i;
      continue;
    }
    const std::vector<std::string> commands = CommandNames(app);
    if (std::find(commands.begin(), commands.end(), arg) != commands.end()) return std::nullopt;
    std::string msg = "unknown command \"" + arg + "\"";
    const std::string best = Suggest(arg, commands);
    if (!best.empty()) return msg + " -- did you mean " + best + "? (run dbroll --help for the commands)";
    return msg + " -- run dbroll --help for the commands";
  }
  return std::nullopt;
}

std::string DescribeParseError(CLI::App& app, const CLI::ParseError& e, int argc, const char* const* argv) {
  std::string path;
  CLI::App* cmd = Deepest(app, &path);
  const std::string what = e.what();
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    std::vector<std::string> extras = app.remaining(true);
    std::stable_sort(extras.begin(), extras.end(), [&](const std::string& a, const std::string& b) {
      return Position(a, argc, argv) < Position(b, argc, argv);
    });
    std::vector<std::string> flags = FlagNames(*cmd);
    if (cmd != &app) {
      for (const std::string& g : FlagNames(app)) flags.push_back(g);
    }
    std::string positionals;
    for (const std::string& x : extras) {
      if (x.size() > 1 && x[0] == '-') return UnknownFlag(x, flags, path);
      positionals += (positionals.empty() ? "" : " ") + x;
    }
    if (!positionals.empty()) {
      const std::string best = Suggest(extras.front(), CommandNames(*cmd));
      if (!best.empty()) {
        return "unknown command \"" + path + " " + extras.front() + "\" -- did you mean " + path + " " + best + "?";
      }
      return (path.empty() ? std::string("dbroll") : path) + " does not take the argument" +
             (extras.size() > 1 ? "s " : " ") + positionals + " -- " + HelpHint(path);
    }
    return what + " -- " + HelpHint(path);
  }
  if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr) {
    if (what.rfind("A subcommand", 0) == 0 || what.rfind("Requires at least", 0) == 0) {
      std::string list;
      for (const std::string& n : CommandNames(*cmd)) list += (list.empty() ? "" : ", ") + n;
      if (path.empty()) return "no command given -- run dbroll --help for the commands (e.g. dbroll status)";
      return path + " needs a subcommand (" + list + ") -- " + HelpHint(path);
    }
    const std::string name = what.substr(0, what.find(" is required"));
    if (!name.empty() && name[0] != '-') {
      std::string upper = name;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return path + " needs " + upper + " -- " + HelpHint(path);
    }
    return path + " needs " + name + " -- " + HelpHint(path);
  }
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr && what.find("required") != std::string::npos) {
    return what.substr(0, what.find(':')) + " needs a value -- " + HelpHint(path);
  }
  if (dynamic_cast<const CLI::ExcludesError*>(&e) != nullptr) {
    const size_t p = what.find(" excludes ");
    if (p != std::string::npos) {
      return what.substr(0, p) + " and " + what.substr(p + 10) + " cannot be used together -- pick one";
    }
  }
  if (dynamic_cast<const CLI::ConversionError*>(&e) != nullptr) {
    // "Could not convert: --limit = x"
    const size_t c = what.find(": ");
    const size_t eq = what.find(" = ");
    if (c != std::string::npos && eq != std::string::npos && eq > c) {
      return what.substr(c + 2, eq - c - 2) + ": " + what.substr(eq + 3) + " is not a number -- " + HelpHint(path);
    }
  }
  return what + " -- " + HelpHint(path);
}

std::string CheckWholeNumber(const std::string& value, long long min) {
  const std::string want = "must be a whole number of " + std::to_string(min) + " or more, got " + value;
  if (value.empty() || value.size() > 9 || value.find_first_not_of("0123456789") != std::string::npos) return want;
  return std::stoll(value) < min ? want : "";
}

}  // namespace dbroll::cli
