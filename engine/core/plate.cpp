// Plate rules: provinces of the mainland, no I or O (they are not used on plates), 5 characters
// after the issuing letter, or 6 for new-energy plates as GA 36-2018 numbers them: a small car's
// D (electric) or F (other new energy), a letter or digit, then four digits (沪AD1234X is not
// one); a large vehicle's five digits, then D or F.
#include "plate.h"

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

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

// After the province and letter: 4 letters or digits, then the character of the plate's kind
// (GA 36-2018: 沪A1234警, 沪A1234领, 沪A1234学, 粤Z1234港; 应急 since 2019).
const std::array<std::pair<std::string_view, PlateKind>, 7> kSuffixes = {{
    {"警", PlateKind::Police},
    {"应急", PlateKind::Emergency},
    {"领", PlateKind::Consular},
    {"学", PlateKind::Learner},
    {"港", PlateKind::CrossBorder},
    {"澳", PlateKind::CrossBorder},
    {"挂", PlateKind::Trailer},
}};

bool all_digits(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_digit); }

// Plates that do not start with a province: armed police (WJ, then a province or not, then 5
// letters or digits: WJ沪1234X), military (two letters, then 5 digits: VA12345, KJ12345) and embassies
// (使 and 6 digits, either order: 使224001, 224001使).
std::optional<PlateKind> special_format(std::string_view n) {
  if (n.size() > 2 && n.substr(0, 2) == "WJ") {
    std::string_view rest = n.substr(2);
    for (std::string_view p : kProvinces) {
      if (rest.substr(0, p.size()) == p) {
        rest.remove_prefix(p.size());
        break;
      }
    }
    if (rest.size() == 5 && std::all_of(rest.begin(), rest.end(), is_plate_char)) return PlateKind::ArmedPolice;
    return std::nullopt;
  }
  // The first letter is the service or command; a misread civil plate that lost its province
  // character must not pass for one, so only those letters are taken.
  constexpr std::string_view kMilitaryFirst = "VKHBSLJNGCEZ";
  if (n.size() == 7 && kMilitaryFirst.find(n[0]) != std::string_view::npos && n[1] >= 'A' && n[1] <= 'Z' &&
      all_digits(n.substr(2))) {
    return PlateKind::Military;
  }
  constexpr std::string_view kEmbassy = "使";
  if (n.size() == 6 + kEmbassy.size()) {
    if (n.substr(0, kEmbassy.size()) == kEmbassy && all_digits(n.substr(kEmbassy.size()))) return PlateKind::Embassy;
    if (n.substr(6) == kEmbassy && all_digits(n.substr(0, 6))) return PlateKind::Embassy;
  }
  return std::nullopt;
}

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

std::string_view name_of(PlateKind k) {
  switch (k) {
    case PlateKind::Civil: return "civil";
    case PlateKind::NewEnergy: return "new_energy";
    case PlateKind::Learner: return "learner";
    case PlateKind::CrossBorder: return "cross_border";
    case PlateKind::Trailer: return "trailer";
    case PlateKind::Police: return "police";
    case PlateKind::Emergency: return "emergency";
    case PlateKind::ArmedPolice: return "armed_police";
    case PlateKind::Military: return "military";
    case PlateKind::Consular: return "consular";
    case PlateKind::Embassy: return "embassy";
  }
  return "civil";
}

bool is_service(PlateKind k) {
  switch (k) {
    case PlateKind::Police:
    case PlateKind::Emergency:
    case PlateKind::ArmedPolice:
    case PlateKind::Military:
    case PlateKind::Consular:
    case PlateKind::Embassy: return true;
    default: return false;
  }
}

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
  if (auto kind = special_format(n)) {
    out.kind = *kind;
    return out;
  }
  bool province = false;
  for (std::string_view p : kProvinces) province |= n.compare(0, p.size(), p) == 0;
  if (!province) return fail(PlateProblem::UnknownProvince, "'" + n + "' does not start with a province character");
  if (n.size() < 4 || n[3] < 'A' || n[3] > 'Z') {
    return fail(PlateProblem::NoLetter, "'" + n + "' has no letter after the province character");
  }
  const std::string_view rest = std::string_view(n).substr(4);
  for (const auto& [suffix, kind] : kSuffixes) {
    if (rest.size() > suffix.size() && rest.substr(rest.size() - suffix.size()) == suffix) {
      const std::string_view serial = rest.substr(0, rest.size() - suffix.size());
      if (serial.size() != 4 || !std::all_of(serial.begin(), serial.end(), is_plate_char)) {
        return fail(PlateProblem::WrongLength, "'" + n + "' is a " + std::string(name_of(kind)) +
                                                  " plate but needs 4 letters or digits before " + std::string(suffix));
      }
      out.kind = kind;
      return out;
    }
  }
  for (char c : rest) {
    if (!is_plate_char(c)) {
      return fail(PlateProblem::BadCharacter, "'" + n + "' has a character plates do not use (only A-Z without I and O, and 0-9)");
    }
  }
  if (rest.size() == 6) {
    out.kind = PlateKind::NewEnergy;
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
  if (check.kind != PlateKind::Civil && check.kind != PlateKind::NewEnergy) return "***(" + std::string(name_of(check.kind)) + ")";
  const std::string_view rest = std::string_view(n).substr(4);
  return n.substr(0, 4) + "\u00b7" + rest.front() + std::string(rest.size() - 2, '*') + rest.back();
}

std::string hide_plates(std::string_view text) {
  // Where a plate could end if one starts at i: after a province, its letters, digits and kind
  // character; or, for the plates without a province, after a run of letters and digits.
  const auto candidate_end = [&](std::size_t i) {
    for (std::string_view p : kProvinces) {
      if (text.substr(i, p.size()) != p) continue;
      std::size_t j = i + p.size();
      while (j < text.size() && is_plate_char(text[j])) ++j;
      for (const auto& [suffix, kind] : kSuffixes) {
        if (text.substr(j, suffix.size()) == suffix) return j + suffix.size();
      }
      return j;
    }
    std::size_t j = i;
    if (i == 0 || !is_plate_char(text[i - 1])) {
      while (j < text.size() && is_plate_char(text[j])) ++j;
      if (text.substr(i, j - i) == "WJ") {  // armed police: WJ, a province, then the rest
        for (std::string_view p : kProvinces) {
          if (text.substr(j, p.size()) != p) continue;
          j += p.size();
          while (j < text.size() && is_plate_char(text[j])) ++j;
          break;
        }
      }
    }
    return j;
  };
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t end = candidate_end(i);
    bool masked = false;
    for (std::size_t stop = end; stop >= i + 5 && !masked; --stop) {
      const std::string_view candidate = text.substr(i, stop - i);
      if (check_plate(candidate).ok()) {
        out += mask_plate(candidate);
        i = stop;
        masked = true;
      }
    }
    if (masked) continue;
    const std::size_t copy = std::max(end, i + 1);
    out.append(text.substr(i, copy - i));
    i = copy;
  }
  return out;
}

}  // namespace parkd
