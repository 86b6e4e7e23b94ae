// Reading a whole file with a size cap checked before reading.
#pragma once
#include <cstdint>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace eco {

// The whole file, or nullopt with why: missing, a folder, unreadable, or larger than
// max_bytes (checked before reading it).
std::optional<std::string> read_file(const std::string& path, std::string* error = nullptr,
                                     std::size_t max_bytes = SIZE_MAX);

}  // namespace eco
