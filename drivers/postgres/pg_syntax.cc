// The only driver file that includes libpg_query.
#include "drivers/postgres/pg_syntax.h"

#include <pg_query.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

#include "drivers/postgres/pg_text.h"

namespace dbroll::internal::pg {
namespace {

// Statements joined per parser call: large enough that the per-call setup
// disappears, small enough that one parse tree stays small.
constexpr size_t kChunkBytes = 256 * 1024;

bool ChangesStringLexing(const std::string& text) {
  static constexpr std::string_view kName = "standard_conforming_strings";
  auto it = std::search(text.begin(), text.end(), kName.begin(), kName.end(),
                        [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
  return it != text.end();
}

// Messages the server reports with SQLSTATE 42601 (syntax_error).
bool IsSyntaxErrorMessage(std::string_view m) {
  for (std::string_view p : {"syntax error", "unterminated", "zero-length delimited identifier", "trailing junk"}) {
    if (m.substr(0, p.size()) == p) return true;
  }
  return false;
}

// Parses statements [first, last) joined; Ok or the located error.
Status ParseChunk(const std::vector<Statement>& statements, size_t first, size_t last) {
  std::string sql;
  std::vector<size_t> starts;
  starts.reserve(last - first);
  for (size_t i = first; i < last; ++i) {
    starts.push_back(sql.size());
    sql += statements[i].text;
    // As the driver sends it: the newline ends a trailing "-- comment".
    sql += "\n;\n";
  }
  PgQuerySplitResult r = pg_query_split_with_parser(sql.c_str());
  if (!r.error) {
    pg_query_free_split_result(r);
    return Status::Ok();
  }
  const std::string message = r.error->message ? r.error->message : "syntax error";
  const int cursor = r.error->cursorpos;
  pg_query_free_split_result(r);
  Status s(Code::kDatabaseError, message);
  if (IsSyntaxErrorMessage(message)) s.set_sqlstate("42601");
  if (cursor <= 0) {
    s.set_statement_index(static_cast<int>(first));
    return s;
  }
  // The cursor counts characters; the statement holding it is the last one
  // starting at or before it (an error at the separator belongs to the
  // statement it ends).
  const size_t at = CharPositionToByte(sql, cursor);
  const size_t k = static_cast<size_t>(std::upper_bound(starts.begin(), starts.end(), at) - starts.begin()) - 1;
  const size_t index = first + k;
  s.set_statement_index(static_cast<int>(index));
  s.set_position(std::min(at - starts[k], statements[index].text.size()));
  return s;
}

}  // namespace

int ParserMajorVersion() { return PG_VERSION_NUM / 10000; }

Status CheckSyntax(const std::vector<Statement>& statements) {
  size_t end = statements.size();
  for (size_t i = 0; i < statements.size(); ++i) {
    if (ChangesStringLexing(statements[i].text)) {
      end = i;
      break;
    }
  }
  size_t first = 0;
  while (first < end) {
    size_t last = first, bytes = 0;
    while (last < end && (last == first || bytes + statements[last].text.size() <= kChunkBytes)) {
      bytes += statements[last].text.size() + 3;
      ++last;
    }
    DBROLL_RETURN_IF_ERROR(ParseChunk(statements, first, last));
    first = last;
  }
  return Status::Ok();
}

}  // namespace dbroll::internal::pg
