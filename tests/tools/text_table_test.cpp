// Display widths and aligned tables with Chinese text.
#include "text_table.h"

#include <gtest/gtest.h>

namespace parkd {
namespace {

TEST(TextTable, ChineseCharactersTakeTwoColumns) {
  EXPECT_EQ(display_width("A区"), 3u);
  EXPECT_EQ(display_width("沪A·12345"), 9u);  // the middle dot is narrow
  EXPECT_EQ(display_width("新泾五村"), 8u);
  EXPECT_EQ(display_width("（全角）"), 8u);
}

TEST(TextTable, ColumnsLineUpByDisplayWidth) {
  TextTable t({"ZONE", "NAME", "FREE"}, {false, false, true});
  t.add({"A", "A区 Zone A", "5"});
  t.add({"all", "", "120"});
  EXPECT_EQ(t.render(),
            "ZONE  NAME        FREE\n"
            "A     A区 Zone A     5\n"
            "all                120\n");
}

}  // namespace
}  // namespace parkd
