// The PostgreSQL driver's parser check: libpg_query, PostgreSQL's own grammar,
// run before anything is sent. No server here, so it is unit-tested alone.
#ifndef DBROLL_DRIVERS_POSTGRES_PG_SYNTAX_H_
#define DBROLL_DRIVERS_POSTGRES_PG_SYNTAX_H_

#include <vector>

#include "dbroll/migration.h"
#include "dbroll/status.h"

namespace dbroll::internal::pg {

// Major version of the grammar libpg_query was built from (15 for 15-4.x).
int ParserMajorVersion();

// Parses `statements` as the driver sends them (joined by "\n;\n"), in chunks
// so that a huge file never builds one huge tree. On the first error returns
// kDatabaseError with the parser's message ("syntax error at or near \",\"",
// SQLSTATE 42601 for syntax errors), statement_index() and position() (byte
// offset in that statement's text). Statements from the first one that
// changes standard_conforming_strings on are not checked: the parser lexes
// strings with it on, as a fresh session does.
Status CheckSyntax(const std::vector<Statement>& statements);

}  // namespace dbroll::internal::pg

#endif  // DBROLL_DRIVERS_POSTGRES_PG_SYNTAX_H_
