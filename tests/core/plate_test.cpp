// Plate normalisation and the mainland format.
#include "core/plate.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace parkd {
namespace {

TEST(Plate, NormalisesCaseSpacesAndTheMiddleDot) {
  const PlateCheck p = check_plate("沪a·12 345");
  EXPECT_TRUE(p.ok()) << p.why;
  EXPECT_EQ(p.normalised, "沪A12345");
  EXPECT_FALSE(p.new_energy());
  EXPECT_EQ(check_plate("  苏e\xE3\x80\x80" "9z7x6 ").normalised, "苏E9Z7X6");
}

TEST(Plate, FullWidthInputAndOtherSeparatorsAreNormalised) {
  // A clerk typing with a Chinese IME gets full-width letters and digits.
  const PlateCheck full = check_plate("沪\xEF\xBC\xA1\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93\xEF\xBC\x94\xEF\xBC\x95");
  EXPECT_TRUE(full.ok()) << full.why;
  EXPECT_EQ(full.normalised, "沪A12345");
  EXPECT_EQ(check_plate("沪\xEF\xBD\x81\xEF\xBC\x8D" "12345").normalised, "沪A12345");  // full-width a and hyphen
  EXPECT_EQ(check_plate("沪A.12345").normalised, "沪A12345");
  EXPECT_EQ(check_plate("沪A\xE2\x80\xA2" "12345").normalised, "沪A12345");  // U+2022
  EXPECT_EQ(check_plate("沪A\xE3\x83\xBB" "12345").normalised, "沪A12345");  // U+30FB
  EXPECT_EQ(check_plate("沪A_123\xEF\xBC\x8E" "45").normalised, "沪A12345");  // underscore, full-width dot
}

TEST(Plate, NewEnergyNumbersFollowGa36) {
  // Small cars: D (electric) or F, a letter or digit, then four digits.
  EXPECT_TRUE(check_plate("沪AD12345").new_energy());
  EXPECT_TRUE(check_plate("沪ADA1234").ok());
  EXPECT_TRUE(check_plate("京AF00001").ok());
  // Large vehicles: five digits, then D or F.
  EXPECT_TRUE(check_plate("粤B12345D").new_energy());
  // Six characters with a D or F somewhere are not enough.
  EXPECT_EQ(check_plate("沪ADABCDE").problem, PlateProblem::WrongLength);
  EXPECT_EQ(check_plate("沪AD1234A").problem, PlateProblem::WrongLength);
  EXPECT_EQ(check_plate("沪A1234AF").problem, PlateProblem::WrongLength);
  EXPECT_FALSE(check_plate("沪A12345").new_energy());
}

TEST(Plate, AcceptsNewEnergyPlatesOfSixCharacters) {
  EXPECT_TRUE(check_plate("沪AD12345").ok());
  EXPECT_TRUE(check_plate("沪AD12345").new_energy());
  EXPECT_TRUE(check_plate("粤B12345F").ok());
  EXPECT_EQ(check_plate("沪A123456").problem, PlateProblem::WrongLength);
}

TEST(Plate, ServiceAndOtherSpecialFormatsAreReadWithTheirKind) {
  // Issue #17 case 3: each of these was INVALID_PLATE at entry and exit in release 1.
  const std::vector<std::pair<std::string, PlateKind>> cases = {
      {"沪A1234警", PlateKind::Police},       {"沪A·0123警", PlateKind::Police},
      {"川A1234应急", PlateKind::Emergency},  {"沪A1234领", PlateKind::Consular},
      {"使224001", PlateKind::Embassy},       {"224001使", PlateKind::Embassy},
      {"WJ沪1234X", PlateKind::ArmedPolice},  {"WJ12345", PlateKind::ArmedPolice},
      {"VA12345", PlateKind::Military},       {"KJ 12345", PlateKind::Military},
      {"沪A1234学", PlateKind::Learner},      {"粤Z1234港", PlateKind::CrossBorder},
      {"粤Z1234澳", PlateKind::CrossBorder},  {"沪A1234挂", PlateKind::Trailer},
      {"沪AD12345", PlateKind::NewEnergy},    {"沪A12345", PlateKind::Civil}};
  for (const auto& [text, kind] : cases) {
    const PlateCheck p = check_plate(text);
    EXPECT_TRUE(p.ok()) << text << ": " << p.why;
    EXPECT_EQ(p.kind, kind) << text;
  }
  EXPECT_TRUE(check_plate("沪A1234警").service());
  EXPECT_TRUE(check_plate("使224001").service());
  EXPECT_FALSE(check_plate("沪A1234学").service());  // a learner car is an ordinary visitor
  EXPECT_FALSE(check_plate("沪A12345").service());
  // The suffix needs its 4 characters; a stray letter pair is not the army.
  EXPECT_EQ(check_plate("沪A123警").problem, PlateProblem::WrongLength);
  EXPECT_EQ(check_plate("沪A12O4警").problem, PlateProblem::WrongLength);
  EXPECT_FALSE(check_plate("AB12345").ok());
  EXPECT_FALSE(check_plate("WJ1234").ok());
  EXPECT_FALSE(check_plate("使22400").ok());
  EXPECT_EQ(mask_plate("沪A1234警"), "***(police)");
}

TEST(Plate, RefusesWhatIsNotAPlateAndSaysWhy) {
  EXPECT_EQ(check_plate("").problem, PlateProblem::Empty);
  EXPECT_EQ(check_plate(" · ").problem, PlateProblem::Empty);
  EXPECT_EQ(check_plate("AB12345").problem, PlateProblem::UnknownProvince);
  EXPECT_EQ(check_plate("港A12345").problem, PlateProblem::UnknownProvince);
  EXPECT_EQ(check_plate("沪112345").problem, PlateProblem::NoLetter);
  EXPECT_EQ(check_plate("沪A1234").problem, PlateProblem::WrongLength);
  EXPECT_EQ(check_plate("沪A1234567").problem, PlateProblem::WrongLength);
  EXPECT_EQ(check_plate("沪A12O45").problem, PlateProblem::BadCharacter);
  EXPECT_EQ(check_plate("沪A12#45").problem, PlateProblem::BadCharacter);
  const PlateCheck p = check_plate("沪A1234");
  EXPECT_EQ(p.why, "'沪A1234' has 4 characters after the letter; plates have 5, new-energy plates 6");
  EXPECT_EQ(name_of(p.problem), "wrong_length");
}

TEST(Plate, TheNoticeMasksTheMiddleOfEveryPlate) {
  EXPECT_EQ(mask_plate("沪A12345"), "沪A·1***5");
  EXPECT_EQ(mask_plate("沪a·12345"), "沪A·1***5");
  EXPECT_EQ(mask_plate("沪AD12345"), "沪A·D****5");  // new energy: six characters
  EXPECT_EQ(mask_plate("XYZ"), "***");                // nothing of a bad read is shown
}

TEST(PlateTest, PlatesInATextAreMaskedAndTheRestKept) {
  EXPECT_EQ(hide_plates("xj5: inside longest: 沪A30000 (since 11-02 12:00), 沪AD12345 (since 11-02 12:01)"),
            "xj5: inside longest: 沪A·3***0 (since 11-02 12:00), 沪A·D****5 (since 11-02 12:01)");
  EXPECT_EQ(hide_plates("沪B40001：访客车辆自11-02 12:00起在场"), "沪B·4***1：访客车辆自11-02 12:00起在场");
  EXPECT_EQ(hide_plates("沪A1234警 and WJ沪1234X came"), "***(police) and ***(armed_police) came");
  // Space ids, times, lot ids and words stay.
  EXPECT_EQ(hide_plates("A01: 3 cars guided here in 1 h; xj5 B07 12345 ABCDE 沪 沪A"),
            "A01: 3 cars guided here in 1 h; xj5 B07 12345 ABCDE 沪 沪A");
}

}  // namespace
}  // namespace parkd
