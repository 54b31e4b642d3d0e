// Gate decisions: plate check, permit, allocation, visitor sessions and their fees.
#include "gate_desk.h"

#include <algorithm>

#include "plate.h"

namespace parkd {

std::string_view name_of(VehicleClass c) {
  switch (c) {
    case VehicleClass::Owner: return "owner";
    case VehicleClass::Tenant: return "tenant";
    case VehicleClass::Visitor: return "visitor";
    case VehicleClass::Service: return "service";
  }
  return "visitor";
}

GateDesk::GateDesk(Engine& engine, std::vector<PactVersion> pact) : engine_(engine), pact_(std::move(pact)) {}

void GateDesk::restore_open_session(VisitorSession session) {
  auto key = std::make_pair(session.lot_id, session.plate);
  open_[std::move(key)] = std::move(session);
}

void GateDesk::restore_decided(const GateEventIn& event, TimeMs decided_at) {
  if (event.entry) return;
  const PlateCheck plate = check_plate(event.plate);
  if (plate.ok()) note_exit(event, plate.normalised, decided_at);
}

void GateDesk::restore_camera_clock(const GateEventIn& event, TimeMs decided_at) {
  observe_camera(event, engine_.find_lot(event.lot_id), decided_at);
}

CameraClocks::Judgement GateDesk::observe_camera(const GateEventIn& e, std::optional<std::size_t> lot, TimeMs decided_at) {
  if (!lot || !engine_.lot(*lot).find_gate(e.gate_id)) return {0, decided_at};  // a gate the lots do not have keeps no clock
  return clocks_.observe(e.lot_id, e.gate_id, e.camera_at, decided_at);
}

const VisitorSession* GateDesk::open_session(const std::string& lot_id, const std::string& plate) const {
  const auto it = open_.find({lot_id, plate});
  return it == open_.end() ? nullptr : &it->second;
}

GateDecisionOut GateDesk::decide(const GateEventIn& e, TimeMs now) {
  GateDecisionOut d;
  d.lot_id = e.lot_id;
  d.gate_id = e.gate_id;
  d.event_seq = e.seq;
  const auto lot = engine_.find_lot(e.lot_id);
  // The pact applies when the car was at the gate: for an event that waited through an outage,
  // by its camera's clock (CameraClocks), so a visitor who left meanwhile pays until the exit.
  const CameraClocks::Judgement judged = observe_camera(e, lot, now);
  d.late_by = judged.late_by;
  const TimeMs came_at = judged.came_at;
  const PlateCheck plate = check_plate(e.plate);
  d.plate = plate.normalised;
  if (!plate.ok() && !e.entry) {
    // Nobody is kept in because a camera misread a plate: the barrier opens. A visitor's
    // session stays open for the guard to settle (parkctl visitor close), and is not billed
    // into a later visit (see entry()).
    d.admit = true;
    d.reason = "EXIT_PLATE_UNREAD";
    d.message_zh = "车牌未识别，已放行，请值班保安核对";
    d.message_en = "Plate not read: the barrier opens; the guard will check";
    return d;
  }
  if (!plate.ok()) {
    d.admit = false;
    d.reason = "INVALID_PLATE";
    d.message_zh = "车牌无法识别，请联系值班保安";
    d.message_en = "Plate not recognised (" + plate.why + "); please call the guard";
    return d;
  }
  if (!e.entry) {
    note_exit(e, d.plate, now);
  } else if (arrived_after_its_exit(e, d.plate, now)) {
    d.admit = true;  // the car came and went long ago; nothing to open or hold
    d.reason = "ENTRY_AFTER_EXIT";
    d.message_zh = "入场记录晚于出场到达，仅作记录";
    d.message_en = "This entry arrived after the car's exit: recorded only";
    return d;
  }
  const int offset = lot ? engine_.lot(*lot).utc_offset_minutes() : 0;  // an unknown lot is refused below
  const CivilDay today = local_day(came_at, offset);
  const PactTerms& terms = terms_on(e.lot_id, came_at);
  const SpecialPass* pass = plate.service() ? nullptr : passes_.on(d.plate, today);
  if (lot && (plate.service() || pass != nullptr)) {
    // Police, fire and rescue, consulates, and plates the office gave a pass: in and out at any
    // hour, never charged, never held to the night reserve; they go where they are needed, so
    // no space is assigned or counted for them.
    d.admit = true;
    d.vehicle_class = VehicleClass::Service;
    d.reason = std::string(plate.service() ? "SERVICE_VEHICLE" : "SPECIAL_PASS") + (e.entry ? "" : "_EXIT");
    d.message_zh = e.entry ? "特种车辆，请通行" : "一路平安";
    d.message_en = e.entry ? "Service vehicle: please go ahead" : "Goodbye";
    if (e.entry) {
      engine_.car_entered(e.lot_id, CarInside{d.plate, came_at, e.gate_id, false, 0}, now);
    } else {
      engine_.car_left(e.lot_id, d.plate, now, "left");
    }
    return d;
  }
  const auto permit = registry_->permit(d.plate, today, terms);
  d.vehicle_class = !permit ? VehicleClass::Visitor
                    : permit->household->type == HouseholdType::Owner ? VehicleClass::Owner
                                                                      : VehicleClass::Tenant;
  if (!e.entry) return exit(std::move(d), e, terms, now, came_at);
  const bool accessible = permit && permit->vehicle->needs_accessible;
  const bool electric = plate.new_energy() || (permit && permit->vehicle->electric);
  const SpaceNeed need = accessible ? SpaceNeed::Accessible : electric ? SpaceNeed::EvCharging : SpaceNeed::Ordinary;
  d = entry(std::move(d), e, permit ? permit->household->building : std::string(), need, now, came_at);
  if (permit && permit->lease_ended && d.admit) {
    // Within the pact's grace days after the lease ended: let in, and told to renew.
    const std::string last = format_civil_day(*permit->lease_ended);
    const std::string until = format_civil_day(*permit->lease_ended + static_cast<CivilDay>(terms.lease_grace_days));
    d.reason = d.reason == "RESIDENT" ? "RESIDENT_IN_GRACE" : d.reason;
    d.message_zh += "；租约已于" + last + "到期，请于" + until + "前到物业续租";
    d.message_en += ". The lease ended on " + last + ": renew at the office by " + until;
  }
  return d;
}

const PactTerms& GateDesk::terms_on(const std::string& lot_id, TimeMs now) const {
  const auto lot = engine_.find_lot(lot_id);
  const CivilDay today = local_day(now, lot ? engine_.lot(*lot).utc_offset_minutes() : 0);
  if (const PactVersion* version = pact_version_on(pact_, today)) return version->terms;
  // Before the first version a car at the gate is still decided: with the first version, the
  // office's own pact (the spec's defaults only when none is configured).
  static const PactTerms kDefaultTerms;
  const auto first = std::min_element(pact_.begin(), pact_.end(), [](const PactVersion& a, const PactVersion& b) {
    return a.effective_from < b.effective_from;
  });
  return first != pact_.end() ? first->terms : kDefaultTerms;
}

std::optional<GateDecisionOut> GateDesk::open_by_guard(const std::string& lot_id, const std::string& gate_id,
                                                       const std::string& plate, TimeMs now) {
  const auto lot = engine_.find_lot(lot_id);
  if (!lot || !engine_.lot(*lot).find_gate(gate_id)) return std::nullopt;
  if (!plate.empty()) engine_.release_hold(lot_id, plate, now);  // a car that was held a space turned back
  GateDecisionOut d;
  d.lot_id = lot_id;
  d.gate_id = gate_id;
  d.event_seq = 0;  // no camera event: the barrier opens because a guard said so
  d.plate = plate;
  d.admit = true;
  d.reason = "OPENED_BY_GUARD";
  d.message_zh = "值班保安已开闸";
  d.message_en = "Opened by the guard";
  return d;
}

GateDesk::Settled GateDesk::settle_visitor(const std::string& lot_id, const std::string& plate, TimeMs left_at,
                                           bool waive, const std::string& note, TimeMs now) {
  const auto it = open_.find({lot_id, plate});
  if (it == open_.end()) {
    return {std::nullopt, SettleRejection::NoOpenSession, "no visitor session is open for " + plate + " in " + lot_id};
  }
  if (left_at < it->second.entered_at || left_at > now) {
    return {std::nullopt, SettleRejection::TimeOutOfStay, "the exit time must be between the entry and now"};
  }
  VisitorSession session = std::move(it->second);
  open_.erase(it);
  engine_.car_left(lot_id, plate, now, "settled");
  const VisitorFee fee = visitor_fee(terms_on(lot_id, left_at), session.entered_at, left_at);
  session.left_at = left_at;
  session.exit_gate = "";
  session.fee_fen = waive ? 0 : fee.amount;
  session.overstay = fee.overstay;
  session.note = note;
  closed_.push_back(session);
  return {std::move(session), SettleRejection::None, {}};
}

void GateDesk::note_exit(const GateEventIn& e, const std::string& plate, TimeMs now) {
  if (e.camera_at <= 0) return;
  if (recent_exits_.size() >= 4'096) {  // bounded: old exits go (a few minutes of a busy district)
    std::erase_if(recent_exits_, [&](const auto& x) { return now - x.second.decided_at > kLateEntryWindow; });
  }
  recent_exits_[{e.lot_id, plate}] = RecentExit{now, e.camera_at};
}

bool GateDesk::arrived_after_its_exit(const GateEventIn& e, const std::string& plate, TimeMs now) {
  if (e.camera_at <= 0) return false;
  const auto it = recent_exits_.find({e.lot_id, plate});
  if (it == recent_exits_.end()) return false;
  const RecentExit exit = it->second;
  if (now - exit.decided_at > kLateEntryWindow) {
    recent_exits_.erase(it);
    return false;
  }
  if (e.camera_at > exit.camera_at) return false;  // it came back after leaving: a new arrival
  recent_exits_.erase(it);
  return true;
}

GateDecisionOut GateDesk::entry(GateDecisionOut d, const GateEventIn& e, const std::string& building, SpaceNeed need,
                                TimeMs now, TimeMs came_at) {
  const PactTerms& terms = terms_on(e.lot_id, came_at);
  const bool resident = d.vehicle_class != VehicleClass::Visitor;
  const Allocation a =
      engine_.allocate(AllocationRequest{e.lot_id, e.gate_id, d.plate, resident, building, need, d.late_by > 0}, now);
  switch (a.status) {
    case AllocationStatus::UnknownLot:
    case AllocationStatus::UnknownGate:
      d.admit = false;
      d.reason = "UNKNOWN_GATE";
      d.message_zh = "系统故障，请联系值班保安";
      d.message_en = "This gate is not configured; please call the guard";
      return d;
    case AllocationStatus::Assigned:
      d.admit = true;
      d.assigned_zone = a.zone_id;
      d.assigned_space = a.space_id;
      d.reason = resident ? "RESIDENT" : "VISITOR_ADMITTED";
      d.message_zh = (resident ? "欢迎回家，请前往" : "欢迎来访，请前往") + a.zone_id + "区 " + a.space_id + " 车位";
      d.message_en = (resident ? "Welcome home: please go to zone " : "Welcome: please go to zone ") + a.zone_id +
                     ", space " + a.space_id;
      break;
    case AllocationStatus::LotFull:
      d.admit = resident;  // residents are always admitted
      d.reason = "LOT_FULL";
      d.message_zh = resident ? "车位已满，请谨慎停放" : "车位已满，暂不接待访客车辆";
      d.message_en = resident ? "The lot is full: no free space right now" : "The lot is full: visitors cannot enter";
      break;
    case AllocationStatus::ReserveForResidents:
      d.admit = false;
      d.reason = "RESERVE_FOR_RESIDENTS";
      d.message_zh = "夜间剩余车位留给居民，访客请停放在小区外";
      d.message_en = "At night the last spaces are kept for residents; please park outside";
      break;
  }
  if (!resident && d.admit) {
    auto [it, fresh] = open_.try_emplace({e.lot_id, d.plate});
    if (!fresh && came_at - it->second.entered_at < terms.visitor_free_ms) {
      // A camera that read the car twice, or a visitor who came straight back: one stay,
      // counted from the first entry.
      it->second.note = "entered again without leaving";
    } else {
      if (!fresh) {
        // Its exit was missed (a misread plate, a camera fault). When it left is unknown, so
        // nothing is charged for it: the session ends now with no fee, marked for the office,
        // and the new visit is billed on its own.
        VisitorSession missed = std::move(it->second);
        missed.left_at = std::max(came_at, missed.entered_at);
        missed.exit_gate = "";
        missed.fee_fen = 0;
        missed.overstay = false;
        missed.note = "exit missed: closed at the next entry, no fee";
        closed_.push_back(std::move(missed));
      }
      it->second = VisitorSession{e.lot_id, d.plate, e.gate_id, came_at, std::nullopt, {}, 0, false, {}};
    }
  }
  if (d.admit) {
    // The gates' record of the cars inside; a visitor's stay counts from its session's entry.
    const TimeMs since = resident ? came_at : open_.at({e.lot_id, d.plate}).entered_at;
    engine_.car_entered(e.lot_id,
                        CarInside{d.plate, since, e.gate_id, !resident, resident ? 0 : since + terms.overstay_after_ms},
                        now);
  }
  return d;
}

GateDecisionOut GateDesk::exit(GateDecisionOut d, const GateEventIn& e, const PactTerms& terms, TimeMs now,
                               TimeMs came_at) {
  d.admit = true;  // nobody is kept in
  engine_.release_hold(e.lot_id, d.plate, now);  // it turned round before parking
  engine_.car_left(e.lot_id, d.plate, now, "left");
  const auto it = open_.find({e.lot_id, d.plate});
  if (it == open_.end()) {
    if (d.vehicle_class != VehicleClass::Visitor) {
      d.reason = "RESIDENT_EXIT";
      d.message_zh = "一路平安";
      d.message_en = "Goodbye";
      return d;
    }
    d.reason = "EXIT_WITHOUT_ENTRY";
    d.message_zh = "未找到入场记录，请联系值班保安";
    d.message_en = "No entry on record; please see the guard";
    closed_.push_back(VisitorSession{e.lot_id, d.plate, {}, came_at, came_at, e.gate_id, 0, false, "exit without entry"});
    return d;
  }
  VisitorSession session = std::move(it->second);
  open_.erase(it);
  const TimeMs left_at = std::max(came_at, session.entered_at);  // never before its entry, whatever the clocks
  const VisitorFee fee = visitor_fee(terms, session.entered_at, left_at);
  session.left_at = left_at;
  session.exit_gate = e.gate_id;
  session.fee_fen = fee.amount;
  session.overstay = fee.overstay;
  d.vehicle_class = VehicleClass::Visitor;
  d.reason = "VISITOR_EXIT";
  d.fee_due_fen = fee.amount;
  if (fee.amount == 0) {
    d.message_zh = "免费停车，谢谢光临";
    d.message_en = "No charge. Goodbye";
  } else {
    d.message_zh = "请缴停车费 " + yuan(fee.amount) + " 元";
    d.message_en = "Parking fee: " + yuan(fee.amount) + " yuan";
  }
  closed_.push_back(std::move(session));
  return d;
}

}  // namespace parkd
