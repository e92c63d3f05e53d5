// verify --data: the rows of the tables a version touches, before its up and
// after its down, compared per table and column.
#ifndef DBROLL_ENGINE_VERIFY_DATA_H_
#define DBROLL_ENGINE_VERIFY_DATA_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dbroll/driver.h"
#include "dbroll/schema.h"

namespace dbroll::internal {

struct TableData {
  std::vector<std::string> key;      // primary-key columns; empty: rows compared whole
  std::vector<std::string> columns;  // every column, in order
  long long rows = 0;
  std::set<std::string> keys;        // key values of every row
  // column -> key value -> value (nullopt: NULL)
  std::map<std::string, std::map<std::string, std::optional<std::string>>> values;
  std::map<std::string, long long> whole_rows;  // tables without a key: row -> count
};
using DataState = std::map<std::string, TableData>;  // by table as the snapshot names it

// Tables of `before` the up's text names.
std::vector<std::string> TouchedTables(const Snapshot& before, const std::string& up_text);
// Gives each empty table of `tables` generated rows (by column type). Best
// effort: a table the generated rows do not fit keeps what it has.
void SeedTables(Driver& driver, const Snapshot& before, const std::vector<std::string>& tables);
// The rows of `tables` that exist in `snapshot`.
Result<DataState> ReadData(Driver& driver, const Snapshot& snapshot, const std::vector<std::string>& tables);
// "down restores column users.legacy but its values are lost (1000 rows)", ...
std::vector<std::string> CompareData(const DataState& before, const DataState& after);

}  // namespace dbroll::internal

#endif  // DBROLL_ENGINE_VERIFY_DATA_H_
