// How the xlsx workbook's parts are zipped (xlsx_zip.cpp): at zlib's fastest level, and
// a large part deflated on several threads.
#pragma once
#include <string>

namespace eco {

// zlib's fastest level: a 100,000-response export took two thirds of its time at the
// default level 6 (3.4 against 5.0 s) for a file a third larger (issue 20).
inline constexpr int kXlsxZipLevel = 1;

// How many threads deflate one part (ParallelDeflate): by default the machine's cores,
// at most 8. 0 leaves the deflate to minizip itself, as libxlsxwriter would (at
// kXlsxZipLevel still): the plain way, which the tests compare the threaded one with.
void set_xlsx_zip_threads(unsigned n);
unsigned xlsx_zip_threads();

// libxlsxwriter's last temporary file on this thread is checked when the next part is
// opened in a zip (xlsx_zip.cpp); write_xlsx says when that file is gone (closed by
// workbook_close or after a failure), so no other zip checks a closed file.
void xlsx_zip_forget_tmpfile();
// Around workbook_close: begin counts from zero the worksheets libxlsxwriter begins to
// zip on this thread (it closes each one's file of rows just before).
void xlsx_zip_begin();
unsigned xlsx_zip_sheets_begun();

// Empty when minizip's own functions were found behind ours; otherwise why not
// (write_xlsx then reports it rather than writing a broken file).
std::string xlsx_zip_problem();

}  // namespace eco
