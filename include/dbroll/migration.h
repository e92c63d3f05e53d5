// Migrations as read from disk, and the statements they split into.
#ifndef DBROLL_MIGRATION_H_
#define DBROLL_MIGRATION_H_

#include <optional>
#include <string>
#include <vector>

namespace dbroll {

enum class Dialect { kSqlite, kPostgres, kMysql };
const char* DialectName(Dialect d);  // "sqlite", "postgres", "mysql"

// One SQL statement with where it came from. Lines and columns are 1-based.
struct Statement {
  std::string text;     // the statement without its terminating delimiter
  std::string path;     // file it came from ("" for generated SQL)
  int line = 1;         // position of the statement's first token
  int column = 1;
  size_t offset = 0;    // byte offset of the first token in the file
};

// `-- dbroll:allow <rule> <reason>` found in a file.
struct Allow {
  std::string rule;
  std::string reason;
  int line = 0;          // line of the directive
  bool file_wide = false;  // in the leading comment block
};

// Directives read from the leading comments of a script.
struct Directives {
  bool no_transaction = false;                   // -- dbroll:no-transaction
  std::optional<std::string> irreversible;       // -- dbroll:irreversible <reason>
  std::vector<Allow> allows;                     // -- dbroll:allow <rule> <reason>
  // -- dbroll:keep-data at the top: archive what destructive statements
  // destroy so the rollback restores it (docs/keep-data.md). Elsewhere the
  // comment marks the next DELETE / UPDATE only.
  bool keep_data = false;
};

struct Script {
  std::string path;      // as given to the user (relative to the project when possible)
  std::string text;      // exact bytes
  std::string checksum;  // sha256 hex of the exact bytes
  Directives directives;
};

struct Migration {
  std::string version;  // digits, or Flyway's dotted digits ("1.2.10"), compared numerically
  std::string name;
  Script up;
  std::optional<Script> down;  // absent only when up is irreversible
};

// Numeric comparison of digit strings ("0010" > "9"; equal values compare by
// text). Dotted versions compare part by part as Flyway does ("1.2" < "1.10").
int CompareVersions(const std::string& a, const std::string& b);
// The same without the text tie-break: 0 when a and b are the same version
// ("0004" and "4", "1" and "1.0").
int CompareVersionValues(const std::string& a, const std::string& b);

// Parses directives from the leading comment block, plus `dbroll:allow` lines
// anywhere. Errors (unknown directive, allow without reason) are appended to
// `errors` as "path:line: message".
Directives ParseDirectives(const std::string& path, const std::string& text,
                           std::vector<std::string>* errors);

}  // namespace dbroll

#endif  // DBROLL_MIGRATION_H_
