// The responses sheets' rows written straight into libxlsxwriter's file of rows (issue 20).
//
// In constant-memory mode libxlsxwriter 1.1.4 turns each cell into XML with an
// allocation, a copy, an escape pass and two printf-family calls (`%.16G` for numbers);
// for a 100,000-response export that was the writing thread's whole second, the
// longest part of the pass. A row whose every cell is plain (a finite number, or text
// with nothing to escape or preserve) is written here as the same bytes libxlsxwriter
// would write; any other row goes through libxlsxwriter's own calls, in order. The
// sheet's dimension and current row are kept as libxlsxwriter keeps them, so what it
// writes around and after the rows (the header rows, the autofilter, the sheet's XML at
// close) is unchanged. `test_xlsx_rows` compares every part with libxlsxwriter's own.
#pragma once
#include <xlsxwriter.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace eco {

// Off: every cell through libxlsxwriter (the plain way the tests compare with).
void set_xlsx_direct_rows(bool on);
bool xlsx_direct_rows();
// Rows written the direct way since the process started (for the tests: they were).
std::uint64_t xlsx_rows_written_directly();

// Text libxlsxwriter writes as it is: no character it escapes (&, <, >, ", control
// characters, DEL), no "_x" (its escape's own form), no space at either end (it would
// add xml:space), not empty and not longer than a cell holds.
bool xlsx_plain_text(std::string_view s);

// The rows of one worksheet in constant-memory mode, written in increasing order by one
// thread at a time (libxlsxwriter's rule for a worksheet).
class XlsxRows {
 public:
  // Flushes the row libxlsxwriter still holds (the header rows), so what follows comes
  // after it in the file.
  explicit XlsxRows(lxw_worksheet* ws);
  XlsxRows(const XlsxRows&) = delete;
  XlsxRows& operator=(const XlsxRows&) = delete;

  // Row r (0-based): cells[c] is a number when number[c] (its value x[c]), otherwise
  // text, left out when empty, as worksheet_write_number/string would write them.
  void write(lxw_row_t r, const std::vector<std::string>& cells, const std::vector<char>& number,
             const std::vector<double>& x);
  // Writes what is buffered; false when the file of rows could not take it (disk full).
  bool flush();

 private:
  void through_library(lxw_row_t r, const std::vector<std::string>& cells, const std::vector<char>& number,
                       const std::vector<double>& x);
  const std::string& column(std::size_t c);

  lxw_worksheet* ws_;
  bool direct_;  // set_xlsx_direct_rows when made, and a constant-memory sheet
  std::string buf_;
  std::vector<std::string> columns_;  // "A", "B", … as far as used
  bool failed_ = false;
};

}  // namespace eco
