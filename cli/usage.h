// Command-line mistakes as `dbroll: error: ...` messages that say what to
// type instead: unknown commands and flags get a "did you mean" suggestion.
#ifndef DBROLL_CLI_USAGE_H_
#define DBROLL_CLI_USAGE_H_

#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
class ParseError;
}  // namespace CLI

namespace dbroll::cli {

// The candidate closest to `word` (edit distance with transpositions, at
// most 2, or a third of the word), or "" when none is close.
std::string Suggest(const std::string& word, const std::vector<std::string>& candidates);

// Checked before CLI11 parses: the first word that is not a global flag (or
// its value) must name a command. Returns the message when it does not.
std::optional<std::string> CheckCommand(const CLI::App& app, int argc, const char* const* argv);

// The message (without "dbroll: error: ") for a CLI11 parse error, in the
// documented form: what was wrong, then what to do.
std::string DescribeParseError(CLI::App& app, const CLI::ParseError& e, int argc, const char* const* argv);

// For a CLI11 validator: "" when `value` is a whole number >= `min`, else
// what is wrong ("must be a whole number of 1 or more, got 0").
std::string CheckWholeNumber(const std::string& value, long long min);

}  // namespace dbroll::cli

#endif  // DBROLL_CLI_USAGE_H_
