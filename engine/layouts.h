// Other migration tools' file forms, read as those tools read them: the
// single-file sections of dbmate, goose and sql-migrate, Flyway's file names,
// and goose / sql-migrate StatementBegin/End blocks. The directory lister
// (directory_source.cc) decides which form a directory uses; docs/guide.md
// "Layouts" is the user's view of the same rules.
#ifndef DBROLL_ENGINE_LAYOUTS_H_
#define DBROLL_ENGINE_LAYOUTS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dbroll/migration.h"
#include "dbroll/status.h"

namespace dbroll::internal {

// The values of `[migrations] layout`. kAuto decides from the files.
enum class Layout { kAuto, kDbroll, kGolangMigrate, kPopx, kDiesel, kDbmate, kGoose, kSqlMigrate, kFlyway };

// "auto", "dbroll", "golang-migrate", "popx", "diesel", "dbmate", "goose",
// "sql-migrate", "flyway"; nullopt for anything else.
std::optional<Layout> ParseLayout(const std::string& name);
const char* LayoutName(Layout layout);
// The accepted names, for error messages: "auto, dbroll, ...".
std::string LayoutNames();

// One `.sql` file holding both directions.
struct SingleFileMigration {
  std::string up;                   // the file with every line outside the up section blanked
  std::optional<std::string> down;  // likewise; "" when the file has no down section
  bool up_no_transaction = false;   // goose NO TRANSACTION, dbmate transaction:false, ...
  bool down_no_transaction = false;
};

// Which single-file tool wrote `text`, from its first section marker
// (`-- migrate:up`, `-- +goose Up`, `-- +migrate Up`); kAuto when none.
Layout DetectSingleFileTool(std::string_view text);

// Splits a dbmate, goose or sql-migrate file into its sections. Each section
// keeps its lines where they are in the file (earlier lines become empty), so
// path:line:col of an error points into the real file. A missing down
// section is an empty down, as these tools run it. Errors (no up section, a
// section twice, a down before the up, an unknown option) are
// kInvalidArgument "path:line: ...".
Result<SingleFileMigration> SplitSingleFile(Layout tool, const std::string& path, std::string_view text);

// Flyway's `V<version>__<desc>.sql` (kind 'V') and `U<version>__<desc>.sql`
// (kind 'U'). The version's parts are separated by '.' or '_' as Flyway
// allows; *version gets them joined with '.' ("1_2" -> "1.2").
bool ParseFlywayName(const std::string& file, char* kind, std::string* version, std::string* desc);

// True when `text` has a goose or sql-migrate StatementBegin/End line.
bool HasStatementBlocks(std::string_view text);

// SplitStatements for text with StatementBegin/End lines: each block is one
// statement (its text without the marker lines and without one trailing
// `;`); the text between blocks is split as usual. An unclosed block or a
// StatementEnd without a StatementBegin is kInvalidArgument "path:line:col".
Result<std::vector<Statement>> SplitWithStatementBlocks(const std::string& path, std::string_view text,
                                                        Dialect dialect);

}  // namespace dbroll::internal

#endif  // DBROLL_ENGINE_LAYOUTS_H_
