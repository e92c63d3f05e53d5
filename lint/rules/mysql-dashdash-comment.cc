// mysql-dashdash-comment: `--` with no space after it. Before a statement has
// begun the mysql/mariadb client (and dbroll, which runs what the client
// runs) skips it and the rest of the line as a comment; the server reads it as
// SQL. Within a statement everyone reads it as SQL, though a line starting so
// looks like a comment.
#include "engine/splitter.h"
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
struct DashDash {
  size_t offset = 0;
  bool line_start = false;  // only blanks before it on its line
};

bool IsBlankByte(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Every `--` followed by a non-blank, outside strings and comments (a `--`
// that the server takes as a comment, `-- ` or `#`, ends the scan of its line).
std::vector<DashDash> Find(const std::string& t) {
  std::vector<DashDash> out;
  char quote = 0;
  bool block = false;
  bool blank_so_far = true;  // on this line
  for (size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (c == '\n') blank_so_far = true;
    if (quote) {
      if (!IsBlankByte(c)) blank_so_far = false;
      if (c == '\\' && quote != '`') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
      continue;
    }
    if (block) {
      if (c == '*' && i + 1 < t.size() && t[i + 1] == '/') block = false, ++i;
      continue;
    }
    if (IsBlankByte(c)) continue;
    const bool line_start = blank_so_far;
    blank_so_far = false;
    const bool dashdash = c == '-' && i + 1 < t.size() && t[i + 1] == '-';
    if (c == '#' || (dashdash && (i + 2 >= t.size() || IsBlankByte(t[i + 2])))) {
      while (i + 1 < t.size() && t[i + 1] != '\n') ++i;
    } else if (dashdash) {
      out.push_back({i, line_start});
      ++i;
    } else if (c == '/' && i + 1 < t.size() && t[i + 1] == '*') {
      block = true;
      ++i;
    } else if (c == '\'' || c == '"' || c == '`') {
      quote = c;
    }
  }
  return out;
}

void Check(const RuleContext& ctx) {
  if (ctx.target.dialect != Dialect::kMysql) return;
  for (const ScriptFacts* s : {&ctx.migration.up, &ctx.migration.down}) {
    if (!s->script) continue;
    const std::string& text = s->script->text;
    size_t next = 0;  // statements are in file order, and so are the finds
    size_t skipped_to = 0;
    for (const DashDash& d : Find(text)) {
      if (d.offset < skipped_to) continue;
      while (next < s->statements.size() &&
             s->statements[next].stmt.offset + s->statements[next].stmt.text.size() <= d.offset) {
        ++next;
      }
      const bool inside = next < s->statements.size() && s->statements[next].stmt.offset <= d.offset;
      int line = 0, column = 0;
      internal::LineColumnAt(text, d.offset, &line, &column);
      if (!inside) {
        // Skipped with the rest of its line, as a comment.
        skipped_to = text.find('\n', d.offset);
        if (skipped_to == std::string::npos) skipped_to = text.size();
        ctx.ReportAt(*s->script, line, column,
                     "`--` with no space after it: dbroll and the mysql/mariadb client skip this line as a comment, "
                     "but the server reads `--` as a comment only before a space, so any tool that sends the file "
                     "as written runs it as SQL",
                     "put a space after `--` (or start the comment with `#`), or delete the line if it is dead code",
                     line);
      } else if (d.line_start) {
        ctx.ReportAt(*s->script, line, column,
                     "line starts with `--` and no space after it inside a statement: it looks like a comment, but "
                     "dbroll, the mysql/mariadb client and the server all read it as SQL (a double minus)",
                     "put a space after `--` if it is a comment", line);
      }
    }
  }
}
}  // namespace
extern const Rule kMysqlDashdashCommentRule = {"mysql-dashdash-comment", Severity::kWarning,
                                               "A `--x` line: a comment for the client, SQL for the server", Check};
}  // namespace dbroll::lint
