#include "core/output/xlsx_rows.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace eco {
namespace {

std::atomic<bool> g_direct{true};
std::atomic<std::uint64_t> g_direct_rows{0};

// A cell holds at most 32,767 characters; longer text is libxlsxwriter's to refuse.
constexpr std::size_t kCellTextMax = 32767;
// The buffer is handed to the file of rows in pieces of about this size.
constexpr std::size_t kFlushAt = 64 * 1024;

// As `%.16G` writes it: a whole number of up to 15 digits is exact in fixed notation,
// which std::to_chars writes without printf's parsing of a format; the rest (fractions,
// -0, huge values) through printf itself.
void append_number(std::string& out, double v) {
  char tmp[40];
  if (std::fabs(v) < 1e15 && v == std::trunc(v) && !(v == 0 && std::signbit(v))) {
    auto res = std::to_chars(tmp, tmp + sizeof tmp, static_cast<long long>(v));
    out.append(tmp, res.ptr);
    return;
  }
  int n = std::snprintf(tmp, sizeof tmp, "%.16G", v);
  if (n > 0) out.append(tmp, static_cast<std::size_t>(std::min<int>(n, sizeof tmp - 1)));
}

void append_row_number(std::string& out, lxw_row_t r) {
  char tmp[16];
  auto res = std::to_chars(tmp, tmp + sizeof tmp, static_cast<unsigned long>(r) + 1);
  out.append(tmp, res.ptr);
}

}  // namespace

void set_xlsx_direct_rows(bool on) { g_direct = on; }
bool xlsx_direct_rows() { return g_direct; }
std::uint64_t xlsx_rows_written_directly() { return g_direct_rows; }

bool xlsx_plain_text(std::string_view s) {
  if (s.empty() || s.size() > kCellTextMax || s.front() == ' ' || s.back() == ' ') return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F || c == '&' || c == '<' || c == '>' || c == '"') return false;
    if (c == '_' && i + 1 < s.size() && (s[i + 1] == 'x' || s[i + 1] == 'X')) return false;
  }
  return true;
}

namespace {
// The rows are written as libxlsxwriter writes them on a sheet set up as the export's
// are; a column's default format or a default row height would add to each cell or
// row, so such a sheet keeps libxlsxwriter's own way.
bool plain_sheet(const lxw_worksheet* ws) {
  if (!ws || !ws->optimize || !ws->optimize_row || ws->default_row_set) return false;
  for (std::uint16_t c = 0; c < ws->col_formats_max; ++c)
    if (ws->col_formats && ws->col_formats[c]) return false;
  return true;
}
}  // namespace

XlsxRows::XlsxRows(lxw_worksheet* ws) : ws_(ws), direct_(g_direct && plain_sheet(ws)) {
  if (direct_) lxw_worksheet_write_single_row(ws_);
}

const std::string& XlsxRows::column(std::size_t c) {
  while (columns_.size() <= c) {
    char name[LXW_MAX_COL_NAME_LENGTH + 1] = {};
    lxw_col_to_name(name, static_cast<lxw_col_t>(columns_.size()), 0);
    columns_.emplace_back(name);
  }
  return columns_[c];
}

void XlsxRows::write(lxw_row_t r, const std::vector<std::string>& cells, const std::vector<char>& number,
                     const std::vector<double>& x) {
  if (!ws_) return;
  bool direct = direct_ && ws_->optimize_tmpfile && !failed_ &&
                r > ws_->optimize_row->row_num && r < LXW_ROW_MAX && cells.size() <= LXW_COL_MAX;
  std::size_t first = cells.size(), last = 0;
  for (std::size_t c = 0; direct && c < cells.size(); ++c) {
    if (number[c]) direct = std::isfinite(x[c]);
    else if (cells[c].empty()) continue;
    else direct = xlsx_plain_text(cells[c]);
    first = std::min(first, c);
    last = c;
  }
  if (!direct) return through_library(r, cells, number, x);
  if (first == cells.size()) return;  // nothing in the row: libxlsxwriter writes no row either
  buf_ += "<row r=\"";
  append_row_number(buf_, r);
  buf_ += "\">";
  for (std::size_t c = first; c <= last; ++c) {
    if (!number[c] && cells[c].empty()) continue;
    buf_ += "<c r=\"";
    buf_ += column(c);
    append_row_number(buf_, r);
    if (number[c]) {
      buf_ += "\"><v>";
      append_number(buf_, x[c]);
      buf_ += "</v></c>";
    } else {
      buf_ += "\" t=\"inlineStr\"><is><t>";
      buf_ += cells[c];
      buf_ += "</t></is></c>";
    }
  }
  buf_ += "</row>";
  // What libxlsxwriter would have noted: the used range (the sheet's <dimension>) and
  // its current row, which a later row must come after.
  ws_->dim_rowmin = std::min(ws_->dim_rowmin, r);
  ws_->dim_rowmax = std::max(ws_->dim_rowmax, r);
  ws_->dim_colmin = std::min(ws_->dim_colmin, static_cast<lxw_col_t>(first));
  ws_->dim_colmax = std::max(ws_->dim_colmax, static_cast<lxw_col_t>(last));
  ws_->optimize_row->row_num = r;
  g_direct_rows.fetch_add(1, std::memory_order_relaxed);
  if (buf_.size() >= kFlushAt) flush();
}

void XlsxRows::through_library(lxw_row_t r, const std::vector<std::string>& cells, const std::vector<char>& number,
                               const std::vector<double>& x) {
  flush();  // what came before goes first
  for (std::size_t c = 0; c < cells.size(); ++c) {
    const auto col = static_cast<lxw_col_t>(c);
    if (number[c]) worksheet_write_number(ws_, r, col, x[c], nullptr);
    else if (!cells[c].empty()) worksheet_write_string(ws_, r, col, cells[c].c_str(), nullptr);
  }
  // Written now, not when the next row comes: a direct row may be next.
  if (direct_) lxw_worksheet_write_single_row(ws_);
}

bool XlsxRows::flush() {
  if (!buf_.empty() && !failed_) {
    if (std::fwrite(buf_.data(), 1, buf_.size(), ws_->optimize_tmpfile) != buf_.size()) failed_ = true;
  }
  buf_.clear();
  return !failed_;
}

}  // namespace eco
