// Hasher (OpenSSL's direct SHA-2 functions) against OpenSSL's EVP interface, the peer it
// replaced to save resident memory (ADR 0002): the two rates should match.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <string>

#include "common/crypto/hasher.hpp"

namespace {

const std::string& chunk() {
  static const std::string data(256 * 1024, 'x');  // the upload path's chunk size
  return data;
}

void BM_HasherSha256(benchmark::State& state) {
  for (auto _ : state) {
    common::crypto::Hasher hasher(common::DigestAlgorithm::kSha256);
    for (int i = 0; i < 16; ++i) hasher.update(chunk());
    benchmark::DoNotOptimize(hasher.digest());
  }
  state.SetBytesProcessed(state.iterations() * 16 * static_cast<std::int64_t>(chunk().size()));
}
BENCHMARK(BM_HasherSha256);

void BM_EvpSha256(benchmark::State& state) {
  for (auto _ : state) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
    for (int i = 0; i < 16; ++i) EVP_DigestUpdate(ctx, chunk().data(), chunk().size());
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx, out, &len);
    EVP_MD_CTX_free(ctx);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * 16 * static_cast<std::int64_t>(chunk().size()));
}
BENCHMARK(BM_EvpSha256);

}  // namespace

BENCHMARK_MAIN();
