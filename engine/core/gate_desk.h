// Decides at the gates: who is admitted, as what, where to go, and what a visitor owes on the
// way out. Pure: a gate event and parkd's time in, a decision (and visitor-session effects) out.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "camera_clocks.h"
#include "engine.h"
#include "fees.h"
#include "billing.h"
#include "registry.h"
#include "special_pass.h"

namespace parkd {

enum class VehicleClass : std::uint8_t { Owner, Tenant, Visitor, Service };
std::string_view name_of(VehicleClass c);

struct GateEventIn {
  std::string lot_id;
  std::string gate_id;
  std::uint64_t seq = 0;
  std::string plate;  // as the camera read it
  bool entry = true;
  // The camera's own clock (GateEvent.at_ms); 0 when not sent. Never used for billing (device
  // clocks drift); only to tell an entry that arrives after its car's exit from a new arrival.
  TimeMs camera_at = 0;
};

struct GateDecisionOut {
  std::string lot_id;
  std::string gate_id;
  std::uint64_t event_seq = 0;
  std::string plate;  // normalised
  bool admit = false;
  VehicleClass vehicle_class = VehicleClass::Visitor;
  std::string reason;  // stable code
  std::string assigned_zone;
  std::string assigned_space;
  Fen fee_due_fen = 0;
  std::string message_zh;
  std::string message_en;
  // How much later than its gate's usual the event came (CameraClocks); 0: on time or unknown.
  TimeMs late_by = 0;
};

struct VisitorSession {
  std::string lot_id;
  std::string plate;
  std::string entry_gate;
  TimeMs entered_at = 0;
  std::optional<TimeMs> left_at;
  std::string exit_gate;
  Fen fee_fen = 0;
  bool overstay = false;
  std::string note;  // e.g. "exit without entry", "entered again without leaving"
};

class GateDesk {
 public:
  // How long an exit is remembered to recognise its entry arriving late (a cluster's redelivery
  // comes after its ack wait: 30 s by default on NATS, 5 s in the configuration we ship).
  static constexpr TimeMs kLateEntryWindow = 10 * 60'000;

  // `pact`: the versions of the pact; a decision uses the one in force on its local day.
  GateDesk(Engine& engine, std::vector<PactVersion> pact);

  void set_registry(Registry registry) { registry_ = std::make_shared<const Registry>(std::move(registry)); }
  void set_registry(std::shared_ptr<const Registry> registry) { registry_ = std::move(registry); }
  const Registry& registry() const { return *registry_; }
  // The registry as it is now, kept unchanged for whoever holds it (a later change replaces the
  // desk's, never edits it): a check off the engine's thread needs no copy of a district's
  // million households.
  std::shared_ptr<const Registry> registry_snapshot() const { return registry_; }
  void set_pact(std::vector<PactVersion> pact) { pact_ = std::move(pact); }
  void set_special_passes(SpecialPasses passes) { passes_ = std::move(passes); }
  const SpecialPasses& special_passes() const { return passes_; }
  GateDecisionOut decide(const GateEventIn& event, TimeMs now);

  // A guard opens a barrier by hand (a car the camera cannot read, an emergency): an admitting
  // decision for the gate, reason OPENED_BY_GUARD, event_seq 0. Nothing else changes: no session,
  // no fee. nullopt when the lot has no such gate.
  std::optional<GateDecisionOut> open_by_guard(const std::string& lot_id, const std::string& gate_id,
                                               const std::string& plate, TimeMs now);

  // The office settles a visitor's open session by hand: closed as left at `left_at` (not before
  // its entry, not after `now`) with the pact's fee for the stay, or with no fee when `waive`.
  // The closed session (also in take_closed_sessions()), or why not.
  enum class SettleRejection : std::uint8_t { None, NoOpenSession, TimeOutOfStay };
  struct Settled {
    std::optional<VisitorSession> session;
    SettleRejection rejection = SettleRejection::None;
    std::string error;  // for the operator, when there is no session
  };
  Settled settle_visitor(const std::string& lot_id, const std::string& plate, TimeMs left_at, bool waive,
                         const std::string& note, TimeMs now);

  // A visitor inside before a restart, as the store kept it.
  void restore_open_session(VisitorSession session);
  // A gate event decided at `decided_at` before a restart: an exit is remembered as it was then,
  // so that its entry arriving late is still recognised (anything else is ignored).
  void restore_decided(const GateEventIn& event, TimeMs decided_at);
  // A gate's earlier events as decided before a restart, oldest first: its camera's clock is
  // known again, so an event kept through the outage is recognised as late.
  void restore_camera_clock(const GateEventIn& event, TimeMs decided_at);
  const CameraClocks& camera_clocks() const { return clocks_; }
  // The open session of a plate, if any.
  const VisitorSession* open_session(const std::string& lot_id, const std::string& plate) const;

  // Sessions closed since the last call (for the store and the visitor bill).
  std::vector<VisitorSession> take_closed_sessions() { return std::exchange(closed_, {}); }
  const std::map<std::pair<std::string, std::string>, VisitorSession>& open_sessions() const { return open_; }

 private:
  // `now`: parkd's time, for the engine; `came_at`: when the car was at the gate, for the pact
  // and the visitor's stay (CameraClocks::Judgement).
  GateDecisionOut entry(GateDecisionOut d, const GateEventIn& e, const std::string& building, SpaceNeed need, TimeMs now,
                        TimeMs came_at);
  // For a gate of `lot` (the event's, as engine_.find_lot found it).
  CameraClocks::Judgement observe_camera(const GateEventIn& e, std::optional<std::size_t> lot, TimeMs decided_at);
  GateDecisionOut exit(GateDecisionOut d, const GateEventIn& e, const PactTerms& terms, TimeMs now, TimeMs came_at);
  const PactTerms& terms_on(const std::string& lot_id, TimeMs now) const;
  // An entry older, by the cameras' clocks, than an exit of the same car parkd decided in the
  // last kLateEntryWindow: a broker cluster redelivered it late (NATS does so after a node dies).
  // It is history, not an arrival: no stay opens, the car is not counted inside again.
  bool arrived_after_its_exit(const GateEventIn& e, const std::string& plate, TimeMs now);
  void note_exit(const GateEventIn& e, const std::string& plate, TimeMs now);

  Engine& engine_;
  std::vector<PactVersion> pact_;
  std::shared_ptr<const Registry> registry_ = std::make_shared<const Registry>(std::vector<Household>{}, std::vector<Vehicle>{});
  SpecialPasses passes_;
  std::map<std::pair<std::string, std::string>, VisitorSession> open_;  // (lot, plate)
  std::vector<VisitorSession> closed_;
  struct RecentExit {
    TimeMs decided_at;
    TimeMs camera_at;
  };
  std::map<std::pair<std::string, std::string>, RecentExit> recent_exits_;  // (lot, plate)
  CameraClocks clocks_;
};

}  // namespace parkd
