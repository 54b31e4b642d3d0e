// Plate rules: provinces of the mainland, no I or O (they are not used on plates), 5 characters
// after the issuing letter, or 6 for new-energy plates as GA 36-2018 numbers them: a small car's
// D (electric) or F (other new energy), a letter or digit, then four digits (沪AD1234X is not
// one); a large vehicle's five digits, then D or F.
#include "plate.h"

#include <array>

namespace parkd {

namespace {

constexpr std::array<std::string_view, 31> kProvinces = {
    "京", "津", "沪", "渝", "冀", "豫", "云", "辽", "黑", "湘", "皖", "鲁", "新", "苏", "浙", "赣",
    "鄂", "桂", "甘", "晋", "蒙", "陕", "吉", "闽", "贵", "粤", "青", "藏", "川", "宁", "琼"};

bool is_plate_char(char c) { return ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) && c != 'I' && c != 'O'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_new_energy_mark(char c) { return c == 'D' || c == 'F'; }

// The six characters after the letter of a new-energy plate, by GA 36-2018.
bool new_energy_serial(std::string_view rest) {
  if (rest.size() != 6) return false;
  auto digits = [&](std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i) {
      if (!is_digit(rest[i])) return false;
    }
    return true;
  };
  if (is_new_energy_mark(rest[0]) && is_plate_char(rest[1]) && digits(2, 6)) return true;  // small: D/F, any, 4 digits
  return digits(0, 5) && is_new_energy_mark(rest[5]);                                      // large: 5 digits, D/F
}

// Characters a camera, a clerk's typing or an IME put between or instead of a plate's own: the
// separators go, full-width forms (沪Ａ１２３４５ from a Chinese IME) become ASCII.
constexpr std::array<std::string_view, 6> kSeparators = {
    "\xC2\xB7",      // U+00B7 middle dot, as printed on plates
    "\xE3\x80\x80",  // U+3000 ideographic space
    "\xE2\x80\xA2",  // U+2022 bullet
    "\xE3\x83\xBB",  // U+30FB katakana middle dot (Japanese IMEs)
    "\xE2\x80\xA7",  // U+2027 hyphenation point
    "\xE2\x88\x99",  // U+2219 bullet operator
};
bool is_ascii_separator(char c) { return c == ' ' || c == '\t' || c == '-' || c == '.' || c == '_'; }

}  // namespace

std::string_view name_of(PlateProblem p) {
  switch (p) {
    case PlateProblem::None: return "ok";
    case PlateProblem::Empty: return "empty";
    case PlateProblem::UnknownProvince: return "unknown_province";
    case PlateProblem::NoLetter: return "no_letter";
    case PlateProblem::WrongLength: return "wrong_length";
    case PlateProblem::BadCharacter: return "bad_character";
  }
  return "unknown";
}

bool PlateCheck::new_energy() const { return ok() && new_energy_serial(std::string_view(normalised).substr(4)); }

PlateCheck check_plate(std::string_view raw) {
  PlateCheck out;
  for (std::size_t i = 0; i < raw.size();) {
    auto c = static_cast<unsigned char>(raw[i]);
    std::size_t width = 1;
    // Full-width ASCII, U+FF01..U+FF5E (EF BC 81..EF BD 9E): the same character 0xFEE0 lower.
    if (c == 0xEF && i + 2 < raw.size()) {
      const auto b1 = static_cast<unsigned char>(raw[i + 1]);
      const auto b2 = static_cast<unsigned char>(raw[i + 2]);
      if ((b1 == 0xBC && b2 >= 0x81 && b2 <= 0xBF) || (b1 == 0xBD && b2 >= 0x80 && b2 <= 0x9E)) {
        c = static_cast<unsigned char>(((b1 & 0x01) << 6 | (b2 & 0x3F)) + 0x20);
        width = 3;
      }
    }
    // After the full-width step, c < 0x80 is an ASCII character either way.
    bool separator = c < 0x80 && is_ascii_separator(static_cast<char>(c));
    if (!separator && width == 1) {
      for (std::string_view sep : kSeparators) {
        if (raw.substr(i, sep.size()) == sep) {
          separator = true;
          width = sep.size();
          break;
        }
      }
    }
    if (!separator) out.normalised += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : static_cast<char>(c);
    i += width;
  }
  auto fail = [&](PlateProblem p, std::string why) {
    out.problem = p;
    out.why = std::move(why);
    return out;
  };
  const std::string& n = out.normalised;
  if (n.empty()) return fail(PlateProblem::Empty, "no plate was read");
  bool province = false;
  for (std::string_view p : kProvinces) province |= n.compare(0, p.size(), p) == 0;
  if (!province) return fail(PlateProblem::UnknownProvince, "'" + n + "' does not start with a province character");
  if (n.size() < 4 || n[3] < 'A' || n[3] > 'Z') {
    return fail(PlateProblem::NoLetter, "'" + n + "' has no letter after the province character");
  }
  const std::string_view rest = std::string_view(n).substr(4);
  for (char c : rest) {
    if (!is_plate_char(c)) {
      return fail(PlateProblem::BadCharacter, "'" + n + "' has a character plates do not use (only A-Z without I and O, and 0-9)");
    }
  }
  if (rest.size() == 6) {
    if (!new_energy_serial(rest)) {
      return fail(PlateProblem::WrongLength, "'" + n +
                                                 "' has 6 characters but is not a new-energy number (D or F, a letter "
                                                 "or digit, then 4 digits; or 5 digits, then D or F)");
    }
  } else if (rest.size() != 5) {
    return fail(PlateProblem::WrongLength, "'" + n + "' has " + std::to_string(rest.size()) +
                                              " characters after the letter; plates have 5, new-energy plates 6");
  }
  return out;
}

std::string mask_plate(std::string_view plate) {
  const PlateCheck check = check_plate(plate);
  if (!check.ok()) return "***";
  const std::string& n = check.normalised;  // a 3-byte province, the letter, then 5 or 6 characters
  const std::string_view rest = std::string_view(n).substr(4);
  return n.substr(0, 4) + "\u00b7" + rest.front() + std::string(rest.size() - 2, '*') + rest.back();
}

}  // namespace parkd
