// The workbook for Excel, WPS and LibreOffice (libxlsxwriter): a one-page Summary, a
// Charts sheet with native charts over their own data, one responses sheet per
// questionnaire, the codebook, and a sheet per question. Labels are Chinese first
// (English with --lang en), times on the district's clock, and every sheet is set up
// for printing on A4 landscape.
//
// The workbook is written in constant-memory mode (rows go to temp files as written),
// which dictates the order: each sheet's rows strictly top to bottom, no merged cells,
// a row's height set before its cells. Sheet-level settings (print setup, freeze,
// autofilter, charts) are kept until the file closes, so they may come at any time.
// In this mode libxlsxwriter cannot read cells back to cache chart values; Excel, WPS
// and LibreOffice compute them from the referenced cells on opening.
#include "core/output/export_xlsx.hpp"
#include "core/output/handoff.hpp"
#include "core/output/xlsx_rows.hpp"
#include "core/output/xlsx_zip.hpp"
#include "core/support/time.hpp"

#include <stdio_ext.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <memory>
#include <thread>

#include "core/support/i18n.hpp"
#include "core/output/report_doc.hpp"
#include "core/support/safe_file.hpp"
#include "core/analysis/question_tally.hpp"

namespace eco {


namespace {

// A response's row as the reading thread prepares it for the writing one: export_row's
// cells, and which of them are numbers (parsed here). Batches come back to be refilled,
// so the cells' strings keep their buffers.
struct XlsxRow {
  std::size_t sheet = 0;
  lxw_row_t r = 0;
  std::vector<std::string> cells;
  std::vector<char> number;
  std::vector<double> x;
};
struct XlsxBatch {
  std::vector<XlsxRow> rows;
  std::size_t used = 0;
};

// Sheet names: at most 31 characters, unique, none of []:*?/\ .
std::string sheet_name(const std::string& base, int n) {
  std::string s;
  for (char c : base)
    if (std::string("[]:*?/\\").find(c) == std::string::npos) s += c;
  std::string num = std::to_string(n);
  if (s.size() > 28 - num.size()) s.resize(28 - num.size());
  return num + " " + s;
}

// Excel's header/footer codes start with &: a literal one is doubled.
std::string footer_text(const std::string& s) {
  std::string o;
  for (char c : s) {
    o += c;
    if (c == '&') o += '&';
  }
  return o;
}

struct Book {
  lxw_workbook* wb;
  const ExportOptions& o;
  std::string footer;
  lxw_format *title, *head, *pct, *wrap, *good, *bad, *muted, *label;

  const char* X(const char* zh, const char* en) const { return o.lang == "en" ? en : zh; }

  // A4 landscape, one page wide, margins, header rows repeated, a footer with the
  // report's title, period and page number.
  void print(lxw_worksheet* ws, int repeat_last, bool one_page = false) const {
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9);  // A4
    worksheet_set_margins(ws, 0.5, 0.5, 0.6, 0.75);
    worksheet_fit_to_pages(ws, 1, one_page ? 1 : 0);
    if (!one_page && repeat_last >= 0) worksheet_repeat_rows(ws, 0, static_cast<lxw_row_t>(repeat_last));
    lxw_header_footer_options hf = {};
    hf.margin = 0.3;
    worksheet_set_footer_opt(ws, footer.c_str(), &hf);
  }
};

}  // namespace

std::string write_xlsx(ResponseQueries& store, const QuestionnaireSet& set, const ExportOptions& o,
                       const std::vector<char>& flagged, ExportResult& res) {
  auto cancelled = [&] { return o.cancel && o.cancel->load(); };
  auto is_flagged = [&](std::int64_t rid) {
    return rid >= 0 && static_cast<std::size_t>(rid) < flagged.size() && flagged[static_cast<std::size_t>(rid)];
  };
  Strings fallback;
  const Strings& S = o.strings ? *o.strings : fallback;
  auto tr = [&](const std::string& key) { return S.get(o.lang, key); };

  if (std::string p = xlsx_zip_problem(); !p.empty()) return p;
  // The temporary is ours (exclusive, 0600); libxlsxwriter then writes it by name.
  SafeFile file(o.out);
  if (!file.ok()) return file.error();
  // Each responses sheet's rows go through stdio into libxlsxwriter's temporary file:
  // given a 64 KiB buffer here (not the 4 KiB default: a sixteenth of the writes) that
  // outlives the file, which workbook_close or `unclosed` closes.
  constexpr std::size_t kRowBuffer = 1 << 16;
  std::vector<std::vector<char>> row_buffers;
  lxw_workbook_options opts = {};
  opts.constant_memory = LXW_TRUE;  // rows go to temp files as written: memory stays bounded
  lxw_workbook* wb = workbook_new_opt(file.temp_path().c_str(), &opts);
  if (!wb) return "cannot create " + file.temp_path();
  // workbook_close frees the workbook; an exception before it (the database failing
  // mid-pass) left it, and each sheet's temporary file of rows open (deleted, but its
  // rows still on disk), for as long as the console ran. lxw_workbook_free does not
  // close those files: workbook_close does, as it copies them into the workbook.
  struct Unclosed {
    lxw_workbook* wb;
    ~Unclosed() {
      if (!wb) return;
      lxw_worksheet* ws;
      LXW_FOREACH_WORKSHEET(ws, wb) {
        if (ws->optimize_tmpfile) std::fclose(ws->optimize_tmpfile);
        ws->optimize_tmpfile = nullptr;
      }
      lxw_workbook_free(wb);
      xlsx_zip_forget_tmpfile();
    }
  } unclosed{wb};

  IndicatorReport rep = compute_indicators(store, set, indicator_options(o));
  std::string period = doc::report_period(store, o);
  std::string title = tr(T("report.title"));

  Book b{wb, o, "", nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr};
  // A space after each size code: "&8" followed by "2026-…" would read as size 82026.
  b.footer = "&L&8 " + footer_text(title) + "&C&8 " + footer_text(period) + "&R&8 " +
             footer_text(o.lang == "en" ? "Page &P of &N" : "第 &P 页 / 共 &N 页");
  // Footer codes must stay codes: undo the doubling for &P and &N.
  for (const char* code : {"&&P", "&&N"})
    for (std::size_t at; (at = b.footer.find(code)) != std::string::npos;) b.footer.erase(at, 1);
  b.title = workbook_add_format(wb);
  format_set_bold(b.title);
  format_set_font_size(b.title, 14);
  format_set_font_color(b.title, 0x1F6B43);
  b.head = workbook_add_format(wb);
  format_set_bold(b.head);
  format_set_bg_color(b.head, 0xDCEEE2);
  format_set_text_wrap(b.head);
  format_set_align(b.head, LXW_ALIGN_VERTICAL_TOP);
  format_set_bottom(b.head, LXW_BORDER_THIN);
  b.pct = workbook_add_format(wb);
  format_set_num_format(b.pct, "0.0");
  b.wrap = workbook_add_format(wb);
  format_set_text_wrap(b.wrap);
  format_set_align(b.wrap, LXW_ALIGN_VERTICAL_TOP);
  b.good = workbook_add_format(wb);
  format_set_bold(b.good);
  format_set_font_color(b.good, 0x1F6B43);
  b.bad = workbook_add_format(wb);
  format_set_bold(b.bad);
  format_set_font_color(b.bad, 0xA31F17);
  b.muted = workbook_add_format(wb);
  format_set_font_color(b.muted, 0x4A574F);
  b.label = workbook_add_format(wb);
  format_set_bold(b.label);
  format_set_align(b.label, LXW_ALIGN_VERTICAL_TOP);

  // ---- Summary: one printed page ----
  lxw_worksheet* sum = workbook_add_worksheet(wb, "Summary");
  lxw_worksheet* charts = workbook_add_worksheet(wb, o.lang == "en" ? "Charts" : "图表 Charts");
  worksheet_set_column(sum, 0, 0, 7, nullptr);
  worksheet_set_column(sum, 1, 1, 24, nullptr);
  // Column ranges must not overlap (readers keep the first): the status, a phrase,
  // gets its own wide column.
  worksheet_set_column(sum, 2, 6, 10.5, nullptr);
  worksheet_set_column(sum, 7, 7, 34, nullptr);
  worksheet_set_column(sum, 8, 9, 10.5, nullptr);
  worksheet_set_row(sum, 0, 24, nullptr);
  worksheet_write_string(sum, 0, 0, title.c_str(), b.title);
  const char* heads[][2] = {{"序号", "No."},          {"指标", "Indicator"},    {"数值(%)", "Value (%)"},
                            {"95%下限", "95% low"},   {"95%上限", "95% high"},  {"样本", "n"},
                            {"目标(%)", "Target (%)"}, {"状态", "Status"},      {"剔除可疑", "Excluded"},
                            {"误差范围(±)", "Margin (±)"}};
  worksheet_set_row(sum, 1, 32, nullptr);
  for (int i = 0; i < 10; ++i) worksheet_write_string(sum, 1, static_cast<lxw_col_t>(i), b.X(heads[i][0], heads[i][1]), b.head);
  lxw_row_t row = 2;
  for (const auto& i : rep.indicators) {
    worksheet_write_number(sum, row, 0, i.no, nullptr);
    worksheet_write_string(sum, row, 1, tr(T("report.name.") + std::to_string(i.no)).c_str(), b.wrap);
    if (i.est.value) {
      worksheet_write_number(sum, row, 2, *i.est.value, b.pct);
      if (i.est.ci) {  // none with a single respondent
        worksheet_write_number(sum, row, 3, i.est.ci->lo, b.pct);
        worksheet_write_number(sum, row, 4, i.est.ci->hi, b.pct);
      }
    } else {
      worksheet_write_string(sum, row, 2, tr(T("report.status.no_data")).c_str(), b.muted);
    }
    worksheet_write_number(sum, row, 5, static_cast<double>(i.est.n), nullptr);
    worksheet_write_number(sum, row, 6, i.target, b.pct);
    std::string st = i.status();
    worksheet_write_string(sum, row, 7, tr(T("report.status.") + st).c_str(),
                           st == "not_met" ? b.bad : st == "no_data" ? b.muted : b.good);
    worksheet_write_number(sum, row, 8, static_cast<double>(i.excluded.total), nullptr);
    if (i.est.ci) worksheet_write_number(sum, row, 9, i.est.moe, b.pct);
    ++row;
  }
  ++row;
  auto info = [&](const char* zh, const char* en, const std::string& v) {
    worksheet_write_string(sum, row, 0, b.X(zh, en), b.label);
    worksheet_write_string(sum, row, 2, v.c_str(), nullptr);
    ++row;
  };
  // Labels span A:B visually (no merged cells in constant-memory mode): the value
  // starts in column C.
  info("统计期间", "Period", period);
  std::string hall = o.filter.kiosk;
  if (!hall.empty())
    if (auto h = o.hall_names.find(hall); h != o.hall_names.end()) hall = h->second + " (" + hall + ")";
  info("服务大厅(终端)", "Hall (kiosk)", hall.empty() ? b.X("全部", "all") : hall);
  std::string qname = b.X("全部", "all");
  if (!o.questionnaire.empty())
    if (const Questionnaire* q = set.find(o.questionnaire)) qname = q->title.get(o.lang) + " (" + q->id + ")";
  info("问卷", "Questionnaire", qname);
  info("可疑答卷", "Flagged responses", o.include_flagged ? tr(T("report.flagged_kept")) : tr(T("report.flagged_left_out")));
  char zone[24];
  std::snprintf(zone, sizeof zone, " (UTC%+d)", o.utc_offset_minutes / 60);
  info("生成时间", "Generated", to_local_text(rep.generated_at, o.utc_offset_minutes).substr(0, 16) + zone);
  lxw_row_t summary_chart_row = row + 1;
  b.print(sum, 1, true);

  // ---- Charts: each chart beside the table it draws, one block per printed page ----
  std::string cs = o.lang == "en" ? "Charts" : "图表 Charts";
  worksheet_set_column(charts, 0, 0, 46, nullptr);
  worksheet_set_column(charts, 1, 5, 10, nullptr);
  lxw_row_t cr = 0;
  std::vector<lxw_row_t> breaks;
  lxw_chart_line green_line = {};
  green_line.color = 0x1F6B43;
  green_line.width = 2;
  lxw_chart_line red_dash = {};
  red_dash.color = 0xA31F17;
  red_dash.width = 1.5;
  red_dash.dash_type = LXW_CHART_LINE_DASH_DASH;
  lxw_chart_line no_line = {};
  no_line.none = LXW_TRUE;
  lxw_chart_fill band_fill = {};
  band_fill.color = 0xDCEEE2;
  lxw_chart_line band_line = {};
  band_line.color = 0x1F6B43;
  band_line.width = 0.75;
  lxw_chart_fill mid_fill = {};
  mid_fill.color = 0x8FBF9F;
  lxw_chart_fill green_fill = {};
  green_fill.color = 0x1F6B43;
  lxw_chart_fill red_fill = {};
  red_fill.color = 0xA31F17;

  auto block = [&](const char* zh, const char* en) {
    if (cr) breaks.push_back(cr);
    worksheet_write_string(charts, cr, 0, b.X(zh, en), b.title);
    ++cr;
  };
  // An interval chart: a line chart whose first and last series are the 95% limits,
  // joined by up-down bars (libxlsxwriter has no per-point error bars), the estimate
  // as dots or a line and the target as a dashed red line.
  auto interval_chart = [&](lxw_row_t r0, lxw_row_t r1, const std::string& name, bool trend) {
    lxw_chart* ch = workbook_add_chart(wb, LXW_CHART_LINE);
    chart_title_set_name(ch, name.c_str());
    struct SeriesCol {
      int col;
      const char* zh;
      const char* en;
    } series[] = {{2, "95%下限", "95% low"}, {1, "估计值", "Estimate"}, {4, "目标", "Target"}, {3, "95%上限", "95% high"}};
    for (const auto& s : series) {
      lxw_chart_series* se = chart_add_series(ch, nullptr, nullptr);
      chart_series_set_categories(se, cs.c_str(), r0, 0, r1, 0);
      chart_series_set_values(se, cs.c_str(), r0, static_cast<lxw_col_t>(s.col), r1, static_cast<lxw_col_t>(s.col));
      chart_series_set_name(se, b.X(s.zh, s.en));
      if (s.col == 2 || s.col == 3) {
        // The limits stay visible where a reader ignores up-down bars (LibreOffice):
        // thin lines along a trend, short dashes at each indicator.
        chart_series_set_line(se, trend ? &band_line : &no_line);
        // (Not the dash markers: libxlsxwriter 1.1.4 writes them as "short_dash" and
        // "long_dash", names outside the OOXML schema that strict readers refuse.)
        chart_series_set_marker_type(se, trend ? LXW_CHART_MARKER_NONE : LXW_CHART_MARKER_DIAMOND);
        if (!trend) {
          chart_series_set_marker_size(se, 7);
          chart_series_set_marker_fill(se, &mid_fill);
          chart_series_set_marker_line(se, &band_line);
        }
      } else if (s.col == 1) {
        chart_series_set_line(se, trend ? &green_line : &no_line);
        chart_series_set_marker_type(se, LXW_CHART_MARKER_CIRCLE);
        chart_series_set_marker_size(se, 8);
        chart_series_set_marker_fill(se, &green_fill);
        chart_series_set_marker_line(se, &band_line);
      } else {
        chart_series_set_line(se, trend ? &red_dash : &no_line);
        chart_series_set_marker_type(se, trend ? LXW_CHART_MARKER_NONE : LXW_CHART_MARKER_SQUARE);
        if (!trend) {
          chart_series_set_marker_size(se, 7);
          chart_series_set_marker_fill(se, &red_fill);
          chart_series_set_marker_line(se, &red_dash);
        }
      }
    }
    chart_set_up_down_bars_format(ch, &band_line, &band_fill, &band_line, &band_fill);
    lxw_chart_axis* y = chart_axis_get(ch, LXW_CHART_AXIS_TYPE_Y);
    chart_axis_set_min(y, 0);
    chart_axis_set_max(y, 100);
    chart_axis_set_name(y, "%");
    chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
    return ch;
  };
  lxw_chart_options big = {};
  big.x_scale = 1.6;
  big.y_scale = 1.5;
  big.x_offset = 8;

  // 1. The three indicators against their targets.
  block("三项指标与目标(95%置信区间)", "The three indicators against their targets (95% intervals)");
  const char* iv_heads[][2] = {{"指标", "Indicator"}, {"估计值(%)", "Estimate (%)"}, {"95%下限", "95% low"},
                               {"95%上限", "95% high"}, {"目标(%)", "Target (%)"}, {"样本", "n"}};
  worksheet_set_row(charts, cr, 30, nullptr);
  for (int c = 0; c < 6; ++c) worksheet_write_string(charts, cr, static_cast<lxw_col_t>(c), b.X(iv_heads[c][0], iv_heads[c][1]), b.head);
  lxw_row_t first = ++cr;
  for (const auto& i : rep.indicators) {
    worksheet_write_string(charts, cr, 0, (std::to_string(i.no) + " " + tr(T("report.name.") + std::to_string(i.no))).c_str(), nullptr);
    if (i.est.value) {
      worksheet_write_number(charts, cr, 1, *i.est.value, b.pct);
      if (i.est.ci) {
        worksheet_write_number(charts, cr, 2, i.est.ci->lo, b.pct);
        worksheet_write_number(charts, cr, 3, i.est.ci->hi, b.pct);
      }
    }
    worksheet_write_number(charts, cr, 4, i.target, b.pct);
    worksheet_write_number(charts, cr, 5, static_cast<double>(i.est.n), nullptr);
    ++cr;
  }
  if (!rep.indicators.empty()) {
    std::string name = b.X("三项指标与目标", "Indicators against their targets");
    worksheet_insert_chart_opt(charts, first - 1, 6, interval_chart(first, cr - 1, name, false), &big);
    lxw_chart_options on_summary = {};
    on_summary.x_scale = 1.6;
    on_summary.y_scale = 1.0;
    worksheet_insert_chart_opt(sum, summary_chart_row, 0, interval_chart(first, cr - 1, name, false), &on_summary);
  }
  cr = std::max<lxw_row_t>(cr + 2, first + 26);

  // 2. Each indicator month by month.
  for (const auto& i : rep.indicators) {
    const Breakdown* months = nullptr;
    for (const auto& bd : i.breakdowns)
      if (bd.by == "month") months = &bd;
    if (!months || months->cells.empty()) continue;
    std::string name = std::to_string(i.no) + " " + tr(T("report.name.") + std::to_string(i.no)) + " · " + b.X("逐月变化", "month by month");
    block(name.c_str(), name.c_str());
    const char* tr_heads[][2] = {{"月份", "Month"}, {"估计值(%)", "Estimate (%)"}, {"95%下限", "95% low"},
                                 {"95%上限", "95% high"}, {"目标(%)", "Target (%)"}, {"样本", "n"}};
    worksheet_set_row(charts, cr, 30, nullptr);
    for (int c = 0; c < 6; ++c) worksheet_write_string(charts, cr, static_cast<lxw_col_t>(c), b.X(tr_heads[c][0], tr_heads[c][1]), b.head);
    lxw_row_t f0 = ++cr;
    for (const auto& c : months->cells) {
      worksheet_write_string(charts, cr, 0, c.code.c_str(), nullptr);
      if (c.est.value) {
        worksheet_write_number(charts, cr, 1, *c.est.value, b.pct);
        if (c.est.ci) {
          worksheet_write_number(charts, cr, 2, c.est.ci->lo, b.pct);
          worksheet_write_number(charts, cr, 3, c.est.ci->hi, b.pct);
        }
      }
      worksheet_write_number(charts, cr, 4, i.target, b.pct);
      worksheet_write_number(charts, cr, 5, static_cast<double>(c.est.n), c.unreliable ? b.muted : nullptr);
      ++cr;
    }
    worksheet_insert_chart_opt(charts, f0 - 1, 6, interval_chart(f0, cr - 1, name, true), &big);
    cr = std::max<lxw_row_t>(cr + 2, f0 + 26);
  }

  // 3. Bars: the travel mode split, items worst first (worst on top).
  auto bar_chart = [&](lxw_row_t r0, lxw_row_t r1, const std::string& name, const char* value_name, lxw_chart_fill* fill) {
    lxw_chart* ch = workbook_add_chart(wb, LXW_CHART_BAR);
    chart_title_set_name(ch, name.c_str());
    lxw_chart_series* se = chart_add_series(ch, nullptr, nullptr);
    chart_series_set_categories(se, cs.c_str(), r0, 0, r1, 0);
    chart_series_set_values(se, cs.c_str(), r0, 1, r1, 1);
    chart_series_set_name(se, value_name);
    chart_series_set_fill(se, fill);
    // In a bar chart the Y axis holds the categories (reversed: worst on top) and
    // the X axis the values.
    chart_axis_set_reverse(chart_axis_get(ch, LXW_CHART_AXIS_TYPE_Y));
    lxw_chart_axis* v = chart_axis_get(ch, LXW_CHART_AXIS_TYPE_X);
    chart_axis_set_min(v, 0);
    chart_axis_set_max(v, 100);
    chart_legend_set_position(ch, LXW_CHART_LEGEND_NONE);
    chart_set_series_gap(ch, 40);
    return ch;
  };
  for (const auto& i : rep.indicators) {
    const Questionnaire* q = set.find(i.questionnaire);
    auto bars = [&](const std::string& name, const char* h1, const char* h2,
                    const std::vector<std::pair<std::string, std::pair<double, std::int64_t>>>& rows) {
      block(name.c_str(), name.c_str());
      worksheet_set_row(charts, cr, 30, nullptr);
      worksheet_write_string(charts, cr, 0, h1, b.head);
      worksheet_write_string(charts, cr, 1, h2, b.head);
      worksheet_write_string(charts, cr, 2, "n", b.head);
      lxw_row_t r0 = ++cr;
      for (const auto& [label, v] : rows) {
        worksheet_write_string(charts, cr, 0, label.c_str(), nullptr);  // one line a row: the block fits its page
        worksheet_write_number(charts, cr, 1, v.first, b.pct);
        worksheet_write_number(charts, cr, 2, static_cast<double>(v.second), nullptr);
        ++cr;
      }
      lxw_chart_options opt = big;
      // Tall enough for every bar, short enough for one printed page.
      opt.y_scale = std::clamp(static_cast<double>(rows.size()) * 20.0 / 288.0, 1.5, 2.3);
      worksheet_insert_chart_opt(charts, r0 - 1, 6, bar_chart(r0, cr - 1, name, h2, &green_fill), &opt);
      cr = std::max<lxw_row_t>(cr + 2, r0 + static_cast<lxw_row_t>(opt.y_scale * 15) + 3);
    };
    if (!i.modes.empty()) {
      const Question* mq = q ? q->find(q->scoring.matrix) : nullptr;
      std::vector<std::pair<std::string, std::pair<double, std::int64_t>>> rows;
      for (const auto& m : i.modes) {
        const Option* r = mq ? mq->find_row(m.mode) : nullptr;
        rows.push_back({r ? r->text.get(o.lang) : m.mode, {m.pct, m.trips}});
      }
      bars(tr(T("report.modes")), b.X("出行方式", "Mode"), b.X("占出行次数(%)", "Share of trips (%)"), rows);
    }
    if (!i.items.empty()) {
      std::vector<std::pair<std::string, std::pair<double, std::int64_t>>> rows;
      for (const auto& it : i.items) {
        const Question* qu = q ? q->find(it.item) : nullptr;
        rows.push_back({qu ? qu->text.get(o.lang) : it.item, {it.pct, it.n}});
      }
      bool knowledge = i.method == ScoringMethod::knowledge;
      bars(tr(knowledge ? T("report.items_knowledge") : T("report.items_satisfaction")), b.X("题目", "Item"),
           knowledge ? b.X("答对(%)", "Correct (%)") : b.X("满意(%)", "Satisfied (%)"), rows);
    }
  }
  breaks.push_back(0);  // the list ends with 0
  worksheet_set_h_pagebreaks(charts, breaks.data());
  b.print(charts, -1);  // each block has its own title: nothing to repeat

  // ---- Responses, one sheet per questionnaire: codes in row 1, headers in row 2 ----
  std::vector<const Questionnaire*> qs;
  for (const auto& q : set.list)
    if ((o.questionnaire.empty() || q.id == o.questionnaire) && set.find(q.id) == &q) qs.push_back(&q);
  // Each sheet is set up (headers, widths, frozen panes) before any response is read;
  // in constant-memory mode each worksheet keeps its own current row, so rows of
  // different sheets may come interleaved.
  struct Sheet {
    const Questionnaire* q;
    std::vector<ExportColumn> cols;
    std::vector<char> numeric;  // decided once per sheet rather than per cell
    lxw_worksheet* ws;
    lxw_row_t r = 2;
    std::int64_t left_out = 0;  // responses that came after the sheet was full
    QuestionTally tally;        // its per-question sheets: the responses of this sheet
  };
  std::vector<Sheet> sheets;
  int sheet_no = 1;
  for (const Questionnaire* q : qs) {
    Sheet& s = sheets.emplace_back(Sheet{q, export_columns(*q), {}, nullptr, 2, 0, QuestionTally(*q)});
    const auto& cols = s.cols;
    lxw_worksheet* ws = s.ws = workbook_add_worksheet(wb, sheet_name("responses " + q->id, sheet_no++).c_str());
    if (ws && ws->optimize_tmpfile) {
      // Only one thread at a time writes a sheet (this one, then the writer, then this
      // one again at workbook_close, each after the other has finished): stdio's lock
      // around each of the million fprintf calls is not needed (issue 20: with the
      // bigger buffer 0.15 s of a 100,000-response export's 2.05 s).
      __fsetlocking(ws->optimize_tmpfile, FSETLOCKING_BYCALLER);
      row_buffers.emplace_back(kRowBuffer);
      std::setvbuf(ws->optimize_tmpfile, row_buffers.back().data(), _IOFBF, kRowBuffer);
    }
    worksheet_set_column(ws, 0, 0, 20, nullptr);
    worksheet_set_column(ws, 1, static_cast<lxw_col_t>(cols.size() - 1), 12, nullptr);
    for (std::size_t c = 0; c < cols.size(); ++c)
      worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), cols[c].code.c_str(), b.head);
    worksheet_set_row(ws, 1, 60, nullptr);
    for (std::size_t c = 0; c < cols.size(); ++c)
      worksheet_write_string(ws, 1, static_cast<lxw_col_t>(c), (o.lang == "en" ? cols[c].en : cols[c].zh).c_str(), b.head);
    worksheet_freeze_panes(ws, 2, 1);
    s.numeric.resize(cols.size());
    for (std::size_t c = 0; c < cols.size(); ++c) {
      auto kind = cols[c].kind;
      s.numeric[c] = kind == ExportColumn::Kind::option_flag || kind == ExportColumn::Kind::count_row ||
                     kind == ExportColumn::Kind::integer || kind == ExportColumn::Kind::score ||
                     cols[c].item == "version" || cols[c].item == "duration_s" || cols[c].item == "flagged";
    }
  }
  // The sheet of a response's questionnaire (by id: an older version's response goes
  // to the newest version's sheet, as the per-questionnaire filter sent it), or none.
  // Responses come in runs of one questionnaire: the last answer is tried first.
  auto sheet_of = [&sheets](const std::string& questionnaire, Sheet*& last) {
    if (last && last->q->id == questionnaire) return last;
    last = nullptr;
    for (auto& s : sheets)
      if (s.q->id == questionnaire) last = &s;
    return last;
  };
  std::atomic<bool> rows_failed{false};
  if (!sheets.empty()) {
    // One pass over the responses feeds every sheet: a pass per questionnaire read the
    // whole responses table once for each (issue 20; the CSV export does the same).
    // This thread reads the responses and turns each into its row's cells (text, or a
    // number already parsed); a single second one only hands the cells to libxlsxwriter
    // (which formats each as XML and is not called from two threads at once), in the
    // order read. The writer is the slower half: what can be done before it, is.
    Handoff<XlsxBatch> queue(kQueued);
    SparesOf<XlsxBatch> spares;
    std::thread writer([&] {
      // Each sheet's rows go straight into its file of rows where they are plain
      // (xlsx_rows.hpp), the rest through libxlsxwriter, in order.
      // Out of memory here ends the export with a message, not the process; the batches
      // are still taken, so the reading thread never waits on a full queue.
      std::vector<std::unique_ptr<XlsxRows>> rows;
      try {
        for (const Sheet& s : sheets) rows.push_back(std::make_unique<XlsxRows>(s.ws));
      } catch (const std::bad_alloc&) {
        rows_failed = true;
      }
      XlsxBatch batch;
      while (queue.take(batch)) {
        try {
          if (!rows_failed)
            for (const XlsxRow& out : batch.rows) rows[out.sheet]->write(out.r, out.cells, out.number, out.x);
        } catch (const std::bad_alloc&) {
          rows_failed = true;
        }
        spares.give(std::move(batch));
      }
      // A failed write shows in the file's error flag, checked before closing.
      if (!rows_failed)
        for (auto& r : rows) r->flush();
    });
    CloseAndJoin<XlsxBatch> join{queue, writer};
    XlsxBatch batch;
    auto send = [&] {
      batch.rows.resize(batch.used);
      batch.used = 0;
      bool ok = queue.put(std::move(batch));
      batch = spares.take();
      return ok;
    };
    ResponseFilter f = o.filter;
    f.questionnaire = sheets.size() == 1 ? qs[0]->id : std::string();
    Sheet* last = nullptr;
    store.each_with_id(f, [&](std::int64_t rid, const Response& resp) {
      if (cancelled()) return false;
      Sheet* s = sheet_of(resp.questionnaire, last);
      if (!s) return true;  // a questionnaire not exported
      bool fl = is_flagged(rid);
      if (fl && !o.include_flagged) return true;
      // Counted here, on the thread that has time to spare, where reading the hourly
      // counts afterwards held the workbook back (issue 20); and so counting what the
      // responses sheet holds (those past Excel's last row too).
      s->tally.add(resp);
      // Excel's row limit: the sheet stops there, and the pass goes on to count what it
      // left out (a note says so, with the number).
      if (s->r >= o.xlsx_rows) return ++s->left_out, true;
      if (batch.used == batch.rows.size()) batch.rows.emplace_back();
      XlsxRow& out = batch.rows[batch.used++];
      out.sheet = static_cast<std::size_t>(s - sheets.data());
      out.r = s->r;
      export_row(*s->q, s->cols, resp, fl, o.utc_offset_minutes, out.cells);
      out.number.assign(out.cells.size(), 0);
      out.x.resize(out.cells.size());
      for (std::size_t c = 0; c < out.cells.size(); ++c) {
        const std::string& v = out.cells[c];
        // from_chars: the value strtod (std::stod) gave, without the locale.
        out.number[c] = s->numeric[c] && !v.empty() &&
                        std::from_chars(v.data(), v.data() + v.size(), out.x[c]).ec == std::errc();
      }
      ++res.rows;
      ++s->r;
      return batch.used < kBatch || send();
    });
    if (batch.used) send();
  }
  if (rows_failed) return "writing the workbook failed: out of memory";
  for (const Sheet& s : sheets)
    if (s.left_out)
      res.notes.push_back(Strings::format(tr(T("export.xlsx_sheet_full")),
                                          {{"questionnaire", s.q->id}, {"n", std::to_string(s.r - 2)},
                                           {"left", std::to_string(s.left_out)}}));
  for (const Sheet& s : sheets) {
    // The filter buttons sit on the header row people read (row 2).
    worksheet_autofilter(s.ws, 1, 0, std::max<lxw_row_t>(s.r - 1, 2), static_cast<lxw_col_t>(s.cols.size() - 1));
    b.print(s.ws, 1);
  }

  // ---- Codebook: every column and code in Chinese and English ----
  lxw_worksheet* cb = workbook_add_worksheet(wb, "Codebook");
  const char* cb_heads[] = {"column", "question", "question_zh", "question_en", "code", "label_zh", "label_en"};
  for (int i = 0; i < 7; ++i) worksheet_write_string(cb, 0, static_cast<lxw_col_t>(i), cb_heads[i], b.head);
  worksheet_set_column(cb, 0, 1, 18, nullptr);
  worksheet_set_column(cb, 2, 3, 40, b.wrap);
  worksheet_set_column(cb, 5, 6, 22, b.wrap);
  worksheet_freeze_panes(cb, 1, 0);
  lxw_row_t cbr = 1;
  for (const Questionnaire* q : qs)
    for (const auto& c : export_columns(*q)) {
      const Question* qu = c.question.empty() ? nullptr : q->find(c.question);
      auto put = [&](const std::string& code, const std::string& zh, const std::string& en) {
        worksheet_write_string(cb, cbr, 0, c.code.c_str(), nullptr);
        worksheet_write_string(cb, cbr, 1, c.question.c_str(), nullptr);
        worksheet_write_string(cb, cbr, 2, c.zh.c_str(), b.wrap);
        worksheet_write_string(cb, cbr, 3, c.en.c_str(), b.wrap);
        worksheet_write_string(cb, cbr, 4, code.c_str(), nullptr);
        worksheet_write_string(cb, cbr, 5, zh.c_str(), b.wrap);
        worksheet_write_string(cb, cbr, 6, en.c_str(), b.wrap);
        ++cbr;
      };
      if (c.kind == ExportColumn::Kind::choice && qu)
        for (const auto& op : qu->options) put(op.id, op.text.get("zh"), op.text.get("en"));
      else if (c.kind == ExportColumn::Kind::option_flag) {
        put("1", "选中", "selected");
        put("0", "未选", "not selected");
      } else {
        put("", "", "");
      }
    }
  worksheet_autofilter(cb, 0, 0, std::max<lxw_row_t>(cbr - 1, 1), 6);
  b.print(cb, 0);

  // ---- A sheet per question: counts and percentages of the responses exported ----
  for (const Sheet& s : sheets) {
    const Questionnaire* q = s.q;
    for (const auto& d : s.tally.results()) {
      const Question* qu = q->find(d.question);
      if (!qu || d.counts.empty()) continue;
      lxw_worksheet* ws = workbook_add_worksheet(wb, sheet_name(q->id + " " + d.question, sheet_no++).c_str());
      worksheet_set_column(ws, 0, 0, 48, nullptr);
      worksheet_set_column(ws, 1, 3, 14, nullptr);
      const std::string& first_lang = o.lang == "en" ? "en" : "zh";
      worksheet_set_row(ws, 0, 36, nullptr);
      worksheet_write_string(ws, 0, 0, qu->text.get(first_lang).c_str(), b.head);
      worksheet_write_string(ws, 1, 0, qu->text.get(first_lang == "en" ? "zh" : "en").c_str(), b.muted);
      const char* h[] = {b.X("选项 option", "Option 选项"), b.X("代码 code", "Code 代码"), b.X("人数 n", "n 人数"),
                         b.X("占比 %", "% 占比")};
      for (int i = 0; i < 4; ++i) worksheet_write_string(ws, 2, static_cast<lxw_col_t>(i), h[i], b.head);
      lxw_row_t r = 3;
      for (const auto& c : d.counts) {
        const Option* op = qu->type == QuestionType::count_matrix ? qu->find_row(c.option) : qu->find_option(c.option);
        worksheet_write_string(ws, r, 0, op ? op->text.get(first_lang).c_str() : c.option.c_str(), b.wrap);
        worksheet_write_string(ws, r, 1, c.option.c_str(), nullptr);
        worksheet_write_number(ws, r, 2, static_cast<double>(c.n), nullptr);
        if (d.answered) worksheet_write_number(ws, r, 3, 100.0 * static_cast<double>(c.n) / static_cast<double>(d.answered), b.pct);
        ++r;
      }
      worksheet_write_string(ws, r, 0, b.X("回答人数 answered", "Answered 回答人数"), b.head);
      worksheet_write_number(ws, r, 2, static_cast<double>(d.answered), nullptr);
      b.print(ws, 2);
    }
  }

  // libxlsxwriter never checks its writes into the sheets' temporary files: a disk that
  // filled while the rows went there gave a workbook with sheets cut short that said it
  // succeeded. Flushed here, each file's error flag tells (and nothing is left in their
  // buffers should workbook_close fail before it closes them).
  // It also closes a sheet's file of rows only as it zips the sheet, in this order, and
  // stops at a failure: the files of the sheets after it it left open for as long as the
  // process ran (deleted, but holding their rows on a disk that may have just filled, and
  // with buffers that end here). They are kept here to close then. (A sheet with no
  // cell, whose file it never closes, is never made.)
  std::vector<std::FILE*> rows_files;
  {
    lxw_worksheet* ws;
    LXW_FOREACH_WORKSHEET(ws, wb) {
      rows_files.push_back(ws->optimize_tmpfile);
      if (!ws->optimize_tmpfile) continue;
      errno = 0;
      if (std::fflush(ws->optimize_tmpfile) != 0 || std::ferror(ws->optimize_tmpfile)) {
        const int e = errno;
        return std::string("writing the workbook failed: its temporary files could not be written") +
               (e ? std::string(": ") + std::strerror(e) : std::string(" (is the disk full?)"));
      }
    }
  }
  xlsx_zip_begin();
  unclosed.wb = nullptr;
  lxw_error err = workbook_close(wb);
  xlsx_zip_forget_tmpfile();
  if (err != LXW_NO_ERROR) {
    for (std::size_t i = xlsx_zip_sheets_begun(); i < rows_files.size(); ++i)
      if (rows_files[i]) std::fclose(rows_files[i]);
  }
  if (cancelled()) return "cancelled";  // the temporary goes with `file`
  if (err != LXW_NO_ERROR) return std::string("writing the workbook failed: ") + lxw_strerror(err);
  if (std::string e = file.commit(o.replace); !e.empty()) return e;
  res.files.push_back(o.out);
  return "";
}

}  // namespace eco
