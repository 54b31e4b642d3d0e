// Plate normalisation and the mainland format.
#include "core/plate.h"

#include <gtest/gtest.h>

namespace parkd {
namespace {

TEST(Plate, NormalisesCaseSpacesAndTheMiddleDot) {
  const PlateCheck p = check_plate("沪a·12 345");
  EXPECT_TRUE(p.ok()) << p.why;
  EXPECT_EQ(p.normalised, "沪A12345");
  EXPECT_FALSE(p.new_energy());
  EXPECT_EQ(check_plate("  苏e\xE3\x80\x80" "9z7x6 ").normalised, "苏E9Z7X6");
}

TEST(Plate, AcceptsNewEnergyPlatesOfSixCharacters) {
  EXPECT_TRUE(check_plate("沪AD12345").ok());
  EXPECT_TRUE(check_plate("沪AD12345").new_energy());
  EXPECT_TRUE(check_plate("粤B12345F").ok());
  EXPECT_EQ(check_plate("沪A123456").problem, PlateProblem::WrongLength);
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

}  // namespace
}  // namespace parkd
