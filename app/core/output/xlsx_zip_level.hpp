// The deflate level of the xlsx workbook's parts (xlsx_zip_level.cpp).
#pragma once
#include <string>

namespace eco {

// zlib's fastest level: a 100,000-response export took two thirds of its time at the
// default level 6 (3.4 against 5.0 s) for a file a third larger (issue 20).
inline constexpr int kXlsxZipLevel = 1;

// Empty when the level will apply: minizip's own function was found behind ours;
// otherwise why not (write_xlsx then reports it rather than writing a broken file).
std::string xlsx_zip_level_problem();

}  // namespace eco
