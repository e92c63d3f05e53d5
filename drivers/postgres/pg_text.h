// Text-only helpers of the PostgreSQL driver: connection strings, statement
// classification, lock keys and error positions. No libpq here, so they are
// unit-tested without a server.
#ifndef DBROLL_DRIVERS_POSTGRES_PG_TEXT_H_
#define DBROLL_DRIVERS_POSTGRES_PG_TEXT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dbroll/driver.h"

namespace dbroll::internal::pg {

// What the driver needs to connect, derived from a postgres:// URL.
struct ConnectSpec {
  std::string conninfo;                  // libpq keyword=value string, secrets included
  std::string password;                  // to scrub from libpq messages; "" when none
  std::vector<std::string> search_path;  // schemas to SET, first one holds the history
};

// Turns postgres://user:pw@host:port/db?params into a libpq conninfo string.
// Query parameters other than search_path are libpq keywords (sslmode,
// connect_timeout, application_name, options, ...) and pass through; parts the
// URL leaves out come from libpq's environment (PGHOST, PGPASSWORD, ...).
// `schema` (config [database] schema) overrides ?search_path=.
Result<ConnectSpec> BuildConnectSpec(const std::string& url, const std::string& schema);

// Why `sql` cannot run inside a transaction block, e.g. "CREATE INDEX
// CONCURRENTLY", or nullopt. See docs/postgres.md for the rule.
std::optional<std::string> NonTransactionalReason(std::string_view sql);

// Advisory lock key for one history table: a 64-bit FNV-1a hash of the
// database, schema and table names.
int64_t LockKey(const std::string& database, const std::string& schema, const std::string& table);

// Byte offset of PostgreSQL's 1-based character position `pos` in `text`
// (UTF-8); text.size() when past the end.
size_t CharPositionToByte(std::string_view text, long pos);

// Byte offset of the server's 1-based error position `pos` in `text`. The
// server counts characters of its own encoding after converting from the
// client's UTF-8, which is one per UTF-8 character -- except in a SQL_ASCII
// database, which converts nothing and counts bytes.
size_t ServerPositionToByte(std::string_view text, long pos, const std::string& server_encoding);

// "a"."b" style identifier quoting.
std::string QuoteIdent(const std::string& name);

// `message` with `secret` replaced by "***" (see RedactSecret).
std::string Scrub(std::string message, const std::string& secret);

}  // namespace dbroll::internal::pg

#endif  // DBROLL_DRIVERS_POSTGRES_PG_TEXT_H_
