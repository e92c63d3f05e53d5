// The SQL DeployStore the Engine hands out (Engine::deploys()).
#ifndef DBROLL_ENGINE_DEPLOY_STORE_H_
#define DBROLL_ENGINE_DEPLOY_STORE_H_

#include <memory>
#include <string>

#include "dbroll/deploy_store.h"
#include "dbroll/driver.h"

namespace dbroll::internal {

// Tables are named after `history_table` ("dbroll_history" -> "dbroll_deploys",
// "dbroll_freeze") in `schema` when given; they are created on first use.
std::unique_ptr<DeployStore> NewSqlDeployStore(Driver* driver, const std::string& schema,
                                               const std::string& history_table);

}  // namespace dbroll::internal

#endif  // DBROLL_ENGINE_DEPLOY_STORE_H_
