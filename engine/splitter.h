// The dialect-aware SQL statement splitter, shared by the engine (to run
// statements one by one and point errors at path:line:col) and the linter.
#ifndef DBROLL_ENGINE_SPLITTER_H_
#define DBROLL_ENGINE_SPLITTER_H_

#include <string>
#include <string_view>
#include <vector>

#include "dbroll/migration.h"
#include "dbroll/status.h"

namespace dbroll::internal {

// Splits `text` into statements. Handles quoted strings and identifiers as
// the dialect has them (doubled quotes, MySQL backslashes, PostgreSQL E''
// strings), `--` and block comments (nested in PostgreSQL only), PostgreSQL
// dollar quotes and BEGIN ATOMIC bodies, SQLite trigger bodies, MySQL
// DELIMITER lines, `#` comments and BEGIN ... END bodies of stored programs.
// A leading UTF-8 byte order mark is skipped (offsets stay those of `text`).
// Unterminated strings or comments are kInvalidArgument "path:line:col: ...".
// goose / sql-migrate `-- +goose StatementBegin` ... `StatementEnd` blocks
// are one statement each (engine/layouts.h).
Result<std::vector<Statement>> SplitStatements(const std::string& path, std::string_view text,
                                               Dialect dialect);

// 1-based line and column of byte `offset` in `text` (columns count UTF-8
// characters; a leading byte order mark counts for none).
void LineColumnAt(std::string_view text, size_t offset, int* line, int* column);

// True when `text` holds only whitespace and comments.
bool IsBlankSql(std::string_view text, Dialect dialect);

}  // namespace dbroll::internal

#endif  // DBROLL_ENGINE_SPLITTER_H_
