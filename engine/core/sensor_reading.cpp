// Stable names of report outcomes, used as metric labels and in log lines.
#include "sensor_reading.h"

namespace parkd {

std::string_view name_of(ReportOutcome o) {
  switch (o) {
    case ReportOutcome::Accepted: return "accepted";
    case ReportOutcome::Duplicate: return "duplicate";
    case ReportOutcome::OutOfOrder: return "out_of_order";
    case ReportOutcome::UnknownLot: return "unknown_lot";
    case ReportOutcome::UnknownSensor: return "unknown_sensor";
    case ReportOutcome::SpaceMismatch: return "space_mismatch";
  }
  return "unknown";
}

}  // namespace parkd
