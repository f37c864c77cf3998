#include "common/guest_text.hpp"

#include <gtest/gtest.h>

namespace chrunc {
namespace {

TEST(EscapeGuestText, PrintableUtf8PassesControlsAndBadBytesAreEscaped) {
  EXPECT_EQ(escape_guest_text_utf8("sleep 301", 100), "sleep 301");
  EXPECT_EQ(escape_guest_text_utf8("caf\xc3\xa9 \xe2\x82\xac", 100), "caf\xc3\xa9 \xe2\x82\xac");
  EXPECT_EQ(escape_guest_text_utf8("\x1b[2Jx\n\t\x7f", 100), "\\x1b[2Jx\\x0a\\x09\\x7f");
  EXPECT_EQ(escape_guest_text_utf8("a\\b", 100), "a\\\\b");
  // C1 controls (U+009B is CSI), a bidi override, invalid and overlong bytes.
  EXPECT_EQ(escape_guest_text_utf8("\xc2\x9b"
                                   "1m",
                                   100),
            "\\xc2\\x9b1m");
  EXPECT_EQ(escape_guest_text_utf8("x\xe2\x80\xaey", 100), "x\\xe2\\x80\\xaey");
  EXPECT_EQ(escape_guest_text_utf8("\xff\xc0\xaf\xed\xa0\x80", 100),
            "\\xff\\xc0\\xaf\\xed\\xa0\\x80");
  EXPECT_EQ(escape_guest_text_utf8(std::string("a\0b", 3), 100), "a\\x00b");
  EXPECT_EQ(escape_guest_text_utf8("\xe2\x82", 100), "\\xe2\\x82");  // cut short
}

TEST(EscapeGuestText, BoundedOnTheInputNeverInsideACharacter) {
  EXPECT_EQ(escape_guest_text_utf8("abcdef", 4), "abcd...");
  EXPECT_EQ(escape_guest_text_utf8("abcd", 4), "abcd");
  EXPECT_EQ(escape_guest_text_utf8("ab\xe2\x82\xac", 4), "ab...");
  std::string hostile(1 << 20, '\x1b');
  std::string out = escape_guest_text_utf8(hostile, 100);
  EXPECT_EQ(out.size(), 4u * 100 + 3);
  for (char c : out) EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20);
}

TEST(TitleSafeText, ByteForByteAndCut) {
  EXPECT_EQ(title_safe_text("sleep", 15), "sleep");
  EXPECT_EQ(title_safe_text("\x1b]0;owned\x07", 15), "?]0;owned?");
  EXPECT_EQ(title_safe_text("a-very-long-command-name", 15), "a-very-long-com");
  EXPECT_EQ(title_safe_text("abcdefghijklmn\xc3\xa9", 15), "abcdefghijklmn");
  EXPECT_EQ(title_safe_text("\xc2\x9b\xff", 15), "???");
  EXPECT_EQ(title_safe_text(std::string(200000, 'x'), 15).size(), 15u);
}

}  // namespace
}  // namespace chrunc
