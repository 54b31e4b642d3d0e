// Licence plates: normalisation and the mainland format check (SPEC: a province character, a
// letter, then 5 characters, or 6 for new-energy plates).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace parkd {

enum class PlateProblem : std::uint8_t { None, Empty, UnknownProvince, NoLetter, WrongLength, BadCharacter };
std::string_view name_of(PlateProblem p);

// What a plate's format says the vehicle is. Police (警), emergency services (应急: fire and
// rescue), armed police (WJ), the military, consulates (领) and embassies (使) are service
// vehicles: admitted at any gate, never charged. A learner car (学), a cross-border car (港,
// 澳) and a trailer (挂) are ordinary vehicles with a format of their own.
enum class PlateKind : std::uint8_t {
  Civil, NewEnergy, Learner, CrossBorder, Trailer, Police, Emergency, ArmedPolice, Military, Consular, Embassy
};
std::string_view name_of(PlateKind k);
bool is_service(PlateKind k);

struct PlateCheck {
  std::string normalised;  // upper case, spaces and '·' removed; set even when the plate fails
  PlateProblem problem = PlateProblem::None;
  std::string why;         // for the log and the operator, in English
  PlateKind kind = PlateKind::Civil;
  bool ok() const { return problem == PlateProblem::None; }
  bool new_energy() const { return ok() && kind == PlateKind::NewEnergy; }
  bool service() const { return ok() && is_service(kind); }
};

PlateCheck check_plate(std::string_view raw);

// For the public notice: the province and letter, then the first and last characters with the
// middle starred: "沪A12345" -> "沪A·1***5". A plate that fails the check comes out as "***".
std::string mask_plate(std::string_view plate);

// Every plate in a text (an alert's detail) masked as mask_plate() does, for readers who may
// not see plates; the rest of the text as it was.
std::string hide_plates(std::string_view text);

}  // namespace parkd
