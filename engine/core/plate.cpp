// Plate rules: provinces of the mainland, no I or O (they are not used on plates), 5 characters
// after the issuing letter, or 6 for new-energy plates (D or F at the start or the end).
#include "plate.h"

#include <array>

namespace parkd {

namespace {

constexpr std::array<std::string_view, 31> kProvinces = {
    "京", "津", "沪", "渝", "冀", "豫", "云", "辽", "黑", "湘", "皖", "鲁", "新", "苏", "浙", "赣",
    "鄂", "桂", "甘", "晋", "蒙", "陕", "吉", "闽", "贵", "粤", "青", "藏", "川", "宁", "琼"};

bool is_plate_char(char c) { return ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) && c != 'I' && c != 'O'; }

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

bool PlateCheck::new_energy() const {
  if (!ok() || normalised.size() != 3 + 1 + 6) return false;
  const char first = normalised[4];
  const char last = normalised.back();
  return first == 'D' || first == 'F' || last == 'D' || last == 'F';
}

PlateCheck check_plate(std::string_view raw) {
  PlateCheck out;
  for (std::size_t i = 0; i < raw.size();) {
    const auto c = static_cast<unsigned char>(raw[i]);
    if (c == ' ' || c == '\t' || c == '-') {
      ++i;
    } else if (raw.substr(i, 2) == "\xC2\xB7") {  // U+00B7 middle dot, as printed on plates
      i += 2;
    } else if (raw.substr(i, 3) == "\xE3\x80\x80") {  // U+3000 ideographic space
      i += 3;
    } else {
      out.normalised += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : static_cast<char>(c);
      ++i;
    }
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
    if (rest.front() != 'D' && rest.front() != 'F' && rest.back() != 'D' && rest.back() != 'F') {
      return fail(PlateProblem::WrongLength, "'" + n + "' has 6 characters but no new-energy D or F at either end");
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
