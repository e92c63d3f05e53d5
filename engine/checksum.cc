#include "engine/checksum.h"

#include <openssl/evp.h>

namespace dbroll::internal {
namespace {

// Fetching the algorithm once matters: EVP_Digest with EVP_sha256() looks it
// up in the provider store on every call, which costs more than hashing a
// small migration file.
struct Sha256 {
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  ~Sha256() { EVP_MD_free(md); }
};

}  // namespace

std::string Sha256Hex(std::string_view data) {
  static const Sha256 algo;
  thread_local EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestInit_ex(ctx, algo.md, nullptr);
  EVP_DigestUpdate(ctx, data.data(), data.size());
  EVP_DigestFinal_ex(ctx, md, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(len * 2, '0');
  for (unsigned int i = 0; i < len; ++i) {
    out[2 * i] = kHex[md[i] >> 4];
    out[2 * i + 1] = kHex[md[i] & 15];
  }
  return out;
}

}  // namespace dbroll::internal
