// mysql-dashdash-comment: the mysql/mariadb client skips a line starting with
// `--` as a comment, but the server's `--` comment needs a space after it, so
// `--DROP TABLE t;` means different things to different tools.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
// Lines (1-based) that start, in column 1, with `--` and a non-space, outside
// strings and /* */ comments.
std::vector<int> DashDashLines(const std::string& t) {
  std::vector<int> out;
  int line = 1;
  char quote = 0;
  bool block = false;
  for (size_t i = 0; i < t.size(); ++i) {
    const bool line_start = i == 0 || t[i - 1] == '\n';
    const char c = t[i];
    if (c == '\n') {
      ++line;
      continue;
    }
    if (quote) {
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
    const bool dashdash = c == '-' && i + 1 < t.size() && t[i + 1] == '-';
    if (dashdash && line_start && i + 2 < t.size() && t[i + 2] != ' ' && t[i + 2] != '\t' && t[i + 2] != '\n' &&
        t[i + 2] != '\r') {
      out.push_back(line);
    }
    if (c == '#' || (dashdash && (i + 2 >= t.size() || t[i + 2] == ' ' || t[i + 2] == '\t' || t[i + 2] == '\n' ||
                                  t[i + 2] == '\r' || line_start))) {
      while (i + 1 < t.size() && t[i + 1] != '\n') ++i;  // line comment (for the client)
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
    for (int line : DashDashLines(s->script->text)) {
      ctx.ReportAt(*s->script, line, 1,
                   "line starts with `--` and no space after it: the mysql/mariadb client skips it as a comment, "
                   "but for the server `--` starts a comment only before a space, so it is SQL there",
                   "put a space after `--` (or start the comment with `#`), or delete the line if it is dead code",
                   line);
    }
  }
}
}  // namespace
extern const Rule kMysqlDashdashCommentRule = {"mysql-dashdash-comment", Severity::kWarning,
                                               "A `--x` line: a comment for the client, SQL for the server", Check};
}  // namespace dbroll::lint
