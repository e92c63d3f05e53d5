#ifndef DBROLL_ENGINE_CHECKSUM_H_
#define DBROLL_ENGINE_CHECKSUM_H_

#include <string>
#include <string_view>

namespace dbroll::internal {

// Lower-case hex sha256 of the exact bytes.
std::string Sha256Hex(std::string_view data);

}  // namespace dbroll::internal

#endif  // DBROLL_ENGINE_CHECKSUM_H_
