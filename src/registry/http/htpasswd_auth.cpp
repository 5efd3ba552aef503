#include "registry/http/htpasswd_auth.hpp"

#include <crypt.h>
#include <openssl/crypto.h>
#include <sodium.h>

#include <charconv>
#include <cstring>
#include <vector>

#include "common/crypto/hasher.hpp"
#include "common/fs/file_ops.hpp"

namespace registry::http {

using common::ErrorCode;
using common::fail;

namespace {

constexpr std::size_t kMaxCachedCredentials = 4096;
constexpr std::string_view kBcryptAlphabet =
    "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

bool is_bcrypt(std::string_view hash) {
  return hash.starts_with("$2y$") || hash.starts_with("$2b$") || hash.starts_with("$2a$");
}

bool is_argon2id(std::string_view hash) {
  return hash.starts_with("$argon2id$");
}

// What a hash costs to check, as far as it can be read from the hash itself. Costs compare
// only within one scheme (`expensive` is 2^cost for bcrypt, m*t for argon2id).
struct HashParameters {
  std::string prefix;  // everything before the salt: "$2y$10$", "$argon2id$v=19$m=..,t=..,p=..$"
  std::string group;   // equal for hashes that cost the same: the prefix, bcrypt's variant dropped
  unsigned long long expensive = 0;
};

// "$2y$NN$" + 22 salt + 31 digest characters, cost 4 to 31.
std::optional<HashParameters> bcrypt_parameters(std::string_view hash) {
  if (hash.size() != 60 || hash[6] != '$') return std::nullopt;
  unsigned cost = 0;
  const auto [end, ec] = std::from_chars(hash.data() + 4, hash.data() + 6, cost);
  if (ec != std::errc() || end != hash.data() + 6 || cost < 4 || cost > 31) return std::nullopt;
  if (hash.substr(7).find_first_not_of(kBcryptAlphabet) != std::string_view::npos) {
    return std::nullopt;
  }
  return HashParameters{std::string(hash.substr(0, 7)), "$2" + std::string(hash.substr(3, 4)),
                        1ULL << cost};
}

// "$argon2id$[v=19$]m=M,t=T,p=P$salt$digest", as libsodium reads it.
std::optional<HashParameters> argon2id_parameters(const std::string& hash) {
  if (crypto_pwhash_str_needs_rehash(hash.c_str(), crypto_pwhash_OPSLIMIT_MIN,
                                     crypto_pwhash_MEMLIMIT_MIN) < 0) {
    return std::nullopt;
  }
  const auto params = hash.find("$m=");
  const auto digest = hash.rfind('$');
  const auto salt = digest == std::string::npos ? digest : hash.rfind('$', digest - 1);
  if (params == std::string::npos || salt == std::string::npos || salt < params) {
    return std::nullopt;
  }
  unsigned long long memory = 0;
  unsigned long long passes = 0;
  if (std::sscanf(hash.c_str() + params, "$m=%llu,t=%llu", &memory, &passes) != 2) {
    return std::nullopt;
  }
  return HashParameters{hash.substr(0, salt + 1), hash.substr(0, salt + 1), memory * passes};
}

std::optional<HashParameters> parameters(const std::string& hash) {
  if (is_bcrypt(hash)) return bcrypt_parameters(hash);
  if (is_argon2id(hash)) return argon2id_parameters(hash);
  return std::nullopt;
}

// A hash of nobody's password that costs what `sample` costs: the same parameters, with salt
// and digest of the same length set to zero bits.
std::string dummy_like(const std::string& sample, const HashParameters& parameters) {
  std::string dummy = sample;
  const char zero = is_bcrypt(sample) ? '.' : 'A';
  for (auto i = parameters.prefix.size(); i < dummy.size(); ++i) {
    if (dummy[i] != '$') dummy[i] = zero;
  }
  return dummy;
}

// The dummy for unknown users copies the parameters most entries use, so an unknown name is
// indistinguishable from as many real users as possible; a tie goes to the more expensive.
std::string choose_dummy(const std::unordered_map<std::string, std::string>& hashes) {
  struct Group {
    HashParameters parameters;
    const std::string* sample;
    std::size_t count;
  };
  std::vector<Group> groups;
  for (const auto& [user, hash] : hashes) {
    auto found = parameters(hash);  // validated by parse()
    bool counted = false;
    for (auto& group : groups) {
      if (group.parameters.group == found->group) {
        ++group.count;
        counted = true;
        break;
      }
    }
    if (!counted) groups.push_back(Group{std::move(*found), &hash, 1});
  }
  const Group* best = nullptr;
  for (const auto& group : groups) {
    const bool same_scheme =
        best != nullptr && is_bcrypt(*group.sample) == is_bcrypt(*best->sample);
    if (best == nullptr || group.count > best->count ||
        (group.count == best->count && same_scheme &&
         group.parameters.expensive > best->parameters.expensive)) {
      best = &group;
    }
  }
  return best == nullptr ? std::string() : dummy_like(*best->sample, best->parameters);
}

bool hash_matches(const std::string& hash, const std::string& password) {
  if (is_argon2id(hash)) {
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
  }
  auto data = std::make_unique<crypt_data>();
  const char* computed = crypt_rn(password.c_str(), hash.c_str(), data.get(), sizeof(crypt_data));
  return computed != nullptr && std::strlen(computed) == hash.size() &&
         CRYPTO_memcmp(computed, hash.data(), hash.size()) == 0;
}

}  // namespace

common::Result<std::unique_ptr<HtpasswdAuth>> HtpasswdAuth::load(const std::string& path) {
  auto text = common::fs::read_file(path);
  if (!text) return fail(ErrorCode::kInvalidArgument, "cannot read htpasswd file", path);
  return parse(*text, path);
}

common::Result<std::unique_ptr<HtpasswdAuth>> HtpasswdAuth::parse(std::string_view text,
                                                                  std::string_view origin) {
  if (sodium_init() < 0) return fail(ErrorCode::kInternal, "libsodium failed to initialise");
  std::unique_ptr<HtpasswdAuth> auth(new HtpasswdAuth());
  int number = 0;
  while (!text.empty()) {
    ++number;
    const auto newline = text.find('\n');
    auto line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    const auto where = std::string(origin) + ":" + std::to_string(number);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 ||
        line.find('\0') != std::string_view::npos) {
      return fail(ErrorCode::kInvalidArgument, "malformed htpasswd line", where);
    }
    std::string hash(line.substr(colon + 1));
    if (!parameters(hash)) {
      return fail(ErrorCode::kInvalidArgument,
                  "htpasswd entries must use well-formed bcrypt (htpasswd -B) or argon2id hashes",
                  where);
    }
    if (!auth->hashes_.emplace(line.substr(0, colon), std::move(hash)).second) {
      return fail(ErrorCode::kInvalidArgument, "duplicate user in htpasswd file", where);
    }
  }
  auth->dummy_hash_ = choose_dummy(auth->hashes_);
  return auth;
}

std::optional<HtpasswdAuth::Credentials> HtpasswdAuth::decode(std::string_view authorization) {
  if (authorization.size() < 7 ||
      !(authorization.starts_with("Basic ") || authorization.starts_with("basic "))) {
    return std::nullopt;
  }
  const auto encoded = authorization.substr(6);
  std::string decoded(encoded.size(), '\0');
  std::size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(decoded.data()), decoded.size(),
                        encoded.data(), encoded.size(), nullptr, &length, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return std::nullopt;
  }
  decoded.resize(length);
  // crypt() reads C strings: "s3cret\0junk" would be checked as "s3cret". No user name
  // holds a NUL (parse() refuses it), and none holds ':' (it ends the name on both sides).
  if (decoded.find('\0') != std::string::npos) return std::nullopt;
  const auto colon = decoded.find(':');
  if (colon == std::string::npos) return std::nullopt;
  return Credentials{decoded.substr(0, colon), decoded.substr(colon + 1)};
}

std::string HtpasswdAuth::cache_key(const Credentials& credentials) {
  common::crypto::Hasher hasher(common::DigestAlgorithm::kSha256);
  hasher.update(credentials.user);
  hasher.update(std::string_view("\0", 1));
  hasher.update(credentials.password);
  return hasher.digest().hex();
}

std::optional<bool> HtpasswdAuth::check_cached(std::string_view authorization) const {
  auto credentials = decode(authorization);
  if (!credentials) return false;
  // Unknown users are never cached: they take the full (dummy) check like a wrong password.
  const auto key = cache_key(*credentials);
  std::lock_guard lock(mutex_);
  if (verified_.contains(key)) return true;
  return std::nullopt;
}

bool HtpasswdAuth::verify(std::string_view authorization) {
  auto credentials = decode(authorization);
  if (!credentials) return false;
  const auto it = hashes_.find(credentials->user);
  const bool known = it != hashes_.end();
  const std::string& hash = known ? it->second : dummy_hash_;
  if (hash.empty()) return false;  // an empty file: nobody to tell apart
  const bool ok = hash_matches(hash, credentials->password) && known;
  if (ok) {
    std::lock_guard lock(mutex_);
    if (verified_.size() >= kMaxCachedCredentials) verified_.clear();
    verified_.insert(cache_key(*credentials));
  }
  return ok;
}

}  // namespace registry::http
