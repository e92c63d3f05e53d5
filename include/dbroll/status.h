// Errors as values. Every public function and every Driver method returns a
// Status or a Result<T>; the Code tells the caller what to do next.
#ifndef DBROLL_STATUS_H_
#define DBROLL_STATUS_H_

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace dbroll {

enum class Code {
  kOk = 0,
  kInvalidArgument,   // bad flag, bad config, bad migration files: fix input, do not retry
  kNotFound,          // a named version, release, deploy or file does not exist
  kCheckFailed,       // validate / lint / verify / drift found problems
  kDatabaseError,     // the server refused a statement; nothing to retry blindly
  kConnectionLost,    // the connection failed or dropped: retry the call
  kLockTimeout,       // another runner holds the lock, or a lock wait timed out: retry later
  kMigrationFailed,   // a migration failed and the database is as before
  kDirty,             // a migration failed part-way (non-transactional): a person decides
  kCommitUnknown,     // the commit outcome is unknown: never retry, inspect
  kIrreversible,      // a down would cross an irreversible migration
  kUnsupported,       // driver not built, or the operation has no meaning for it
  kFrozen,            // deploys are frozen
  kRolledBack,        // a deploy failed and was rolled back successfully
  kAwaitingApproval,  // a blue-green deploy waits for a person
  kDeployInProgress,  // another deploy holds the deploy slot: wait for it, do not start beside it
  kInternal,          // a bug in dbroll
};

// Short stable name of a code, e.g. "lock-timeout".
const char* CodeName(Code code);

// The next step an error calls for, as data: the message says it in words
// any caller can follow ("migrate again"), and a front end (the CLI) turns
// this into its own command ("dbroll migrate"). kNone when the message says
// all there is to do (fix a file, free a port). Values are never renumbered.
enum class Remedy : unsigned char {
  kNone = 0,
  kRunMigrate,            // migrate again (after the fix the message names)
  kRunDown,               // roll back again
  kRunDownWithoutData,    // roll back accepting that purged kept data does not come back
  kInspectStatus,         // look at the migration status before going on
  kInspectHistory,        // look at the applied history
  kValidate,              // see the full list of problems found
  kMarkRolledBack,        // record `subject` as rolled back after undoing it by hand
  kMarkApplied,           // record `subject` as applied after finishing it by hand
  kMarkAppliedOrRolledBack,  // a person finishes or undoes `subject`, then records which
  kDecideStatement,       // retry the statement of `subject`, or mark it done
  kRepairVersion,         // change single history rows instead (repair)
  kPurgeArchives,         // purge kept-data archives
  kRunAdopt,              // adopt again
  kRunDrop,               // drop again
  kInspectDeploys,        // look at the deploy list
  kResumeDeploy,          // resume the interrupted deploy
  kResumeOrRollbackDeploy,  // resume deploy `subject`, or roll it back
  kRollbackDeploy,        // roll back (again)
  kUnfreeze,              // lift the deploy freeze
  kApproveOrReject,       // approve or reject deploy `subject`
  kInitProject,           // create the project layout (config and migrations directory)
};

// Short stable name of a remedy, e.g. "mark-rolled-back"; "" for kNone.
const char* RemedyName(Remedy remedy);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // Vendor detail: SQLSTATE (PostgreSQL, MySQL) or extended result code
  // (SQLite). Empty when none.
  const std::string& sqlstate() const { return sqlstate_; }
  Status& set_sqlstate(std::string s) { sqlstate_ = std::move(s); return *this; }
  // Index (0-based) of the statement that failed, when a statement failed.
  std::optional<int> statement_index() const { return statement_index_; }
  Status& set_statement_index(int i) { statement_index_ = i; return *this; }
  // Byte offset of the error inside the failed statement's text, when the
  // server reports one (PostgreSQL's error position).
  std::optional<size_t> position() const { return position_; }
  Status& set_position(size_t p) { position_ = p; return *this; }
  // The next step as data (see Remedy) and what it applies to: a version,
  // a deploy id, or "" when none.
  Remedy remedy() const { return remedy_; }
  const std::string& remedy_subject() const { return remedy_subject_; }
  Status& set_remedy(Remedy r, std::string subject = "") {
    remedy_ = r;
    remedy_subject_ = std::move(subject);
    return *this;
  }

  // Prefixes the message with context ("up.sql:3:1: ") keeping the code.
  Status& Prepend(const std::string& prefix) { message_ = prefix + message_; return *this; }
  // The message ("ok" when ok). Drivers put SQLSTATE and server detail in it.
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
  std::string sqlstate_;
  std::optional<int> statement_index_;
  std::optional<size_t> position_;
  Remedy remedy_ = Remedy::kNone;
  std::string remedy_subject_;
};

// A value or an error. Access value() only when ok().
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT
  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace dbroll

#define DBROLL_RETURN_IF_ERROR(expr)          \
  do {                                        \
    ::dbroll::Status dbroll_s_ = (expr);      \
    if (!dbroll_s_.ok()) return dbroll_s_;    \
  } while (0)

#endif  // DBROLL_STATUS_H_
