#include "core/support/ids.hpp"
#include "core/support/text.hpp"

#include <sodium.h>
#include <uuid/uuid.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace eco {

std::string new_uuid() {
  // libsodium's randombytes: one getrandom() per id. libuuid's uuid_generate_random made
  // six system calls per id (getrandom, getpid twice, getuid, getppid, gettid, then
  // random() reseeded from them): 8-10% of demo-data's CPU for 100,000 responses.
  static const bool ready = sodium_init() >= 0;  // idempotent, thread-safe
  (void)ready;
  uuid_t u;
  randombytes_buf(u, sizeof u);
  u[6] = static_cast<unsigned char>((u[6] & 0x0F) | 0x40);  // version 4: random
  u[8] = static_cast<unsigned char>((u[8] & 0x3F) | 0x80);  // RFC 4122 variant
  char out[37];
  uuid_unparse_lower(u, out);
  return out;
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string kiosk_id_fault(std::string_view id) {
  if (id.empty()) return "must not be empty";
  if (id.size() > 64 || !valid_utf8(id)) return "must be a UTF-8 string of at most 64 bytes";
  for (unsigned char c : id)
    if (c < 0x20 || c == 0x7f) return "must not contain control characters";
  // U+0080..U+009F (C1 controls, UTF-8 C2 80..C2 9F) act on terminals too.
  for (std::size_t i = 0; i + 1 < id.size(); ++i)
    if (static_cast<unsigned char>(id[i]) == 0xC2 && static_cast<unsigned char>(id[i + 1]) >= 0x80 &&
        static_cast<unsigned char>(id[i + 1]) <= 0x9F)
      return "must not contain control characters";
  if (id.find('/') != std::string_view::npos || id.find('\\') != std::string_view::npos)
    return "must not contain a slash";
  return "";
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(sizeof h * 2);
  for (unsigned char c : h) {
    out.push_back(hex[c >> 4]);
    out.push_back(hex[c & 15]);
  }
  return out;
}

}  // namespace eco
