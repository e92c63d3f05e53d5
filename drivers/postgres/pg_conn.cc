#include "drivers/postgres/pg_conn.h"

namespace dbroll::internal::pg {

// connection_base keeps a reference to policy_ before it is constructed and
// uses it only from init(), as pqxx's basic_connection_base does.
Connection::Connection(const std::string& conninfo)
    : pqxx::connection_base(policy_), policy_(conninfo) {
  init();
}

Connection::~Connection() noexcept { close(); }

}  // namespace dbroll::internal::pg
