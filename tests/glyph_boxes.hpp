// The letters of the last frame drawn (ImGui's draw data), for tests that look at where
// text landed: each glyph quad's rectangle as far as its clip rectangle shows it. Set
// ImGuiStyle::AntiAliasedLinesUseTex to false first, or thick lines sample the font too.
#pragma once
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace test {

struct GlyphBox {
  float x0, y0, x1, y1;
};

inline std::vector<GlyphBox> visible_glyphs() {
  std::vector<GlyphBox> out;
  ImDrawData* dd = ImGui::GetDrawData();
  const ImVec2 white = ImGui::GetIO().Fonts->TexUvWhitePixel;
  for (int l = 0; l < dd->CmdListsCount; ++l) {
    const ImDrawList* dl = dd->CmdLists[l];
    for (const ImDrawCmd& cmd : dl->CmdBuffer) {
      if (cmd.UserCallback) continue;
      for (unsigned e = 0; e + 5 < cmd.ElemCount; e += 3) {
        const ImDrawVert* v[3];
        for (int j = 0; j < 3; ++j)
          v[j] = &dl->VtxBuffer[static_cast<int>(cmd.VtxOffset + dl->IdxBuffer[static_cast<int>(cmd.IdxOffset + e + j)])];
        bool glyph = false;
        for (auto* x : v) glyph |= std::fabs(x->uv.x - white.x) > 1e-6f || std::fabs(x->uv.y - white.y) > 1e-6f;
        if (!glyph || ((v[0]->col >> 24) & 255) == 0) continue;
        e += 3;  // a glyph is a quad: two triangles, the first from corner a to corner c
        GlyphBox g{std::max(std::min(v[0]->pos.x, v[2]->pos.x), cmd.ClipRect.x),
                   std::max(std::min(v[0]->pos.y, v[2]->pos.y), cmd.ClipRect.y),
                   std::min(std::max(v[0]->pos.x, v[2]->pos.x), cmd.ClipRect.z),
                   std::min(std::max(v[0]->pos.y, v[2]->pos.y), cmd.ClipRect.w)};
        if (g.x1 - g.x0 > 1 && g.y1 - g.y0 > 1) out.push_back(g);
      }
    }
  }
  return out;
}

}  // namespace test
