// A 64-bit finalizer for hash keys built from several integers (splitmix64's): each
// input bit moves about half the output bits, so a hash table keyed by it needs no
// care about which fields vary.
#pragma once
#include <cstdint>

namespace eco {

inline std::uint64_t hash_mix(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace eco
