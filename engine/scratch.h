// A throw-away database for verify and drift: a temporary SQLite file, or a
// PostgreSQL database / MySQL schema created through the configured server.
#ifndef DBROLL_ENGINE_SCRATCH_H_
#define DBROLL_ENGINE_SCRATCH_H_

#include <memory>
#include <string>

#include "dbroll/engine.h"

namespace dbroll::internal {

class ScratchDatabase {
 public:
  // Creates the scratch database for `options.url`'s dialect, or adopts
  // `scratch_url` as given (never dropped). Errors: the server's, naming the
  // database it tried to create.
  static Result<std::unique_ptr<ScratchDatabase>> Create(const EngineOptions& options,
                                                         const std::string& scratch_url);
  // Drops what Create made. Engines on the scratch database must be gone by then.
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  // An engine on the scratch database with `options`' migrations and history table.
  Result<std::unique_ptr<Engine>> OpenEngine(const EngineOptions& options) const;
  // Empties the scratch database: a new temporary file, or the database
  // dropped and created again. Engines on it must be gone. kUnsupported for a
  // database given as scratch_url (dbroll never drops what it did not create).
  Status Reset();
  // "temporary database dbroll_scratch_1234_1", without secrets.
  const std::string& description() const { return description_; }

 private:
  ScratchDatabase() = default;

  std::string url_;
  std::string description_;
  std::string file_;                // SQLite: the temporary file to remove
  std::string database_;            // server: the database to drop
  std::unique_ptr<Driver> admin_;   // server: the connection that created it
};

// `url` with its database replaced by `database`, keeping the query string.
std::string ReplaceUrlDatabase(const std::string& url, const std::string& database);

}  // namespace dbroll::internal

#endif  // DBROLL_ENGINE_SCRATCH_H_
