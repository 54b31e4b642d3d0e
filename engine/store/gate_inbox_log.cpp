// Segment files of the gate inbox: appending, reading back after a restart, deleting what is done.
#include "gate_inbox_log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "crc32.h"

namespace parkd {

namespace {
constexpr std::uint8_t kFormat = 1;
constexpr std::size_t kHeader = 8;                 // body length, CRC-32 of the body
constexpr std::uint32_t kMaxBody = 1u << 20;       // far above any gate event parkd accepts
constexpr std::uint32_t kMinBody = 1 + 8 + 8 + 4 * 4;  // format, time, seq and four empty strings
constexpr std::string_view kSuffix = ".log";
constexpr std::size_t kDigits = 6;

std::error_code last_error() { return {errno, std::generic_category()}; }

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFFu));
}
void set_u32(std::string& out, std::size_t at, std::uint32_t v) {  // in place: the header, once the body is known
  for (std::size_t i = 0; i < 4; ++i) out[at + i] = static_cast<char>((v >> (8 * i)) & 0xFFu);
}
void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFFu));
}
void put_bytes(std::string& out, const std::string& s) {
  put_u32(out, static_cast<std::uint32_t>(s.size()));
  out += s;
}

// Reads from a record's body; any read past its end marks it bad.
class BodyReader {
 public:
  explicit BodyReader(std::string_view body) : body_(body) {}
  bool ok() const { return ok_; }
  std::uint64_t uint(int bytes) {
    if (!take(static_cast<std::size_t>(bytes))) return 0;
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(body_[at_ - static_cast<std::size_t>(bytes) + static_cast<std::size_t>(i)])) << (8 * i);
    return v;
  }
  std::string bytes() {
    const auto n = static_cast<std::size_t>(uint(4));
    if (!take(n)) return {};
    return std::string(body_.substr(at_ - n, n));
  }
  bool at_end() const { return at_ == body_.size(); }

 private:
  bool take(std::size_t n) {
    if (!ok_ || body_.size() - at_ < n) {
      ok_ = false;
      return false;
    }
    at_ += n;
    return true;
  }
  std::string_view body_;
  std::size_t at_ = 0;
  bool ok_ = true;
};

std::uint32_t read_u32(std::string_view s) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(s[static_cast<std::size_t>(i)])) << (8 * i);
  return v;
}
}  // namespace

GateInboxLog::GateInboxLog(const std::string& db_path, Flush flush, std::uint64_t segment_bytes)
    : prefix_(db_path + "-gates-"),
      flush_(flush),
      segment_bytes_(std::min<std::uint64_t>(segment_bytes, 1u << 31)) {  // positions keep 32 bits of offset
  const std::string lock_path = db_path + "-gates.lock";
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0) throw std::runtime_error("gate inbox: cannot open '" + lock_path + "': " + last_error().message());
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    const std::error_code e = last_error();
    ::close(lock_fd_);
    throw std::runtime_error("gate inbox: '" + lock_path + "' is held by another process (is another parkd using '" +
                             db_path + "'?): " + e.message());
  }
  const std::filesystem::path prefix(prefix_);
  const std::filesystem::path folder = prefix.parent_path().empty() ? "." : prefix.parent_path();
  folder_ = folder.string();
  const std::string name = prefix.filename().string();
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    const std::string file = entry.path().filename().string();
    if (file.size() != name.size() + kDigits + kSuffix.size() || file.compare(0, name.size(), name) != 0 ||
        file.compare(file.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0) {
      continue;
    }
    std::uint32_t number = 0;
    const char* digits = file.data() + name.size();
    if (std::from_chars(digits, digits + kDigits, number).ptr != digits + kDigits) continue;
    if (entry.file_size(ec) == 0 && !ec) {
      std::filesystem::remove(entry.path(), ec);  // a start-up's segment that never got an event
      continue;
    }
    older_.push_back(number);
  }
  if (ec) throw std::runtime_error("gate inbox: cannot list '" + folder.string() + "': " + ec.message());
  std::sort(older_.begin(), older_.end());
  active_ = older_.empty() ? 1 : older_.back() + 1;
  if (auto e = open_active()) {
    throw std::runtime_error("gate inbox: cannot create '" + segment_path(active_) + "': " + e.message());
  }
}

GateInboxLog::~GateInboxLog() {
  if (fd_ >= 0) ::close(fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the lock
}

std::string GateInboxLog::segment_path(std::uint32_t number) const {
  std::string digits = std::to_string(number);
  if (digits.size() < kDigits) digits.insert(0, kDigits - digits.size(), '0');
  return prefix_ + digits + std::string(kSuffix);
}

std::error_code GateInboxLog::open_active() {
  fd_ = ::open(segment_path(active_).c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) return last_error();
  active_size_ = 0;
  if (flush_ == Flush::ToDisk) {  // the new file's name must reach the disk too
    const int dir = ::open(folder_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    const bool synced = dir >= 0 && ::fsync(dir) == 0;
    const std::error_code err = synced ? std::error_code() : last_error();
    if (dir >= 0) ::close(dir);
    if (err) {
      ::close(fd_);
      fd_ = -1;
      return err;
    }
  }
  return {};
}

std::error_code GateInboxLog::append(const InboxEvent& e, InboxPosition& position) {
  std::lock_guard lock(mutex_);
  record_.assign(kHeader, '\0');
  record_.push_back(static_cast<char>(kFormat));
  put_u64(record_, static_cast<std::uint64_t>(e.received_at));
  put_u64(record_, e.seq);
  put_bytes(record_, e.lot_id);
  put_bytes(record_, e.gate_id);
  put_bytes(record_, e.topic);
  put_bytes(record_, e.payload);
  const std::string_view body = std::string_view(record_).substr(kHeader);
  if (body.size() > kMaxBody) return std::make_error_code(std::errc::message_size);
  set_u32(record_, 0, static_cast<std::uint32_t>(body.size()));
  set_u32(record_, 4, crc32(body));

  // After a failed write or flush the descriptor's state is unknown (Linux may have dropped the
  // dirty pages and cleared the error): what comes next goes to a new segment.
  if (active_size_ > 0 && (active_size_ + record_.size() > segment_bytes_ || needs_new_segment_)) {
    const int full = fd_;
    ++active_;
    if (auto err = open_active()) {
      --active_;
      fd_ = full;
      return err;
    }
    ::close(full);
    older_.push_back(active_ - 1);
    needs_new_segment_ = false;
  }
  std::size_t written = 0;
  while (written < record_.size()) {
    const ssize_t n = ::write(fd_, record_.data() + written, record_.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::error_code err = n < 0 ? last_error() : std::make_error_code(std::errc::no_space_on_device);
      // Take back a partial record, so the next one starts where a reader expects it.
      if (written > 0 && ::ftruncate(fd_, static_cast<off_t>(active_size_)) != 0) {
        needs_new_segment_ = true;
        return last_error();
      }
      return err;
    }
    written += static_cast<std::size_t>(n);
  }
  active_size_ += record_.size();
  if (flush_ == Flush::ToDisk && ::fdatasync(fd_) != 0) {
    needs_new_segment_ = true;
    return last_error();
  }
  position = (static_cast<InboxPosition>(active_) << 32) | active_size_;
  return {};
}

std::error_code GateInboxLog::pending(std::vector<PendingEvent>& out, std::uint64_t& damaged) {
  std::lock_guard lock(mutex_);
  damaged = 0;
  for (const std::uint32_t number : older_) {
    std::ifstream in(segment_path(number), std::ios::binary);
    if (!in) return last_error();
    const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::size_t at = 0;
    while (data.size() - at >= kHeader) {
      PendingEvent p;
      if (read_record(data, at, p.event)) {
        at += kHeader + read_u32(std::string_view(data).substr(at, 4));
        p.position = (static_cast<InboxPosition>(number) << 32) | at;
        out.push_back(std::move(p));
        continue;
      }
      // Not a record here: a torn last record (a crash mid-write, never acknowledged), or damage
      // on the disk, in the length as well as anywhere else. Whatever valid record follows is
      // found again; nothing valid after it means a torn tail.
      std::size_t next = at + 1;
      PendingEvent probe;
      while (data.size() - next >= kHeader && !read_record(data, next, probe.event)) ++next;
      if (data.size() - next < kHeader) break;
      ++damaged;
      at = next;
    }
  }
  return {};
}

bool GateInboxLog::read_record(std::string_view data, std::size_t at, InboxEvent& event) {
  const std::uint32_t length = read_u32(data.substr(at, 4));
  // Cheap checks first: the search after damage tries every offset.
  if (length < kMinBody || length > kMaxBody || data.size() - at - kHeader < length ||
      static_cast<std::uint8_t>(data[at + kHeader]) != kFormat) {
    return false;
  }
  const std::string_view body = data.substr(at + kHeader, length);
  if (crc32(body) != read_u32(data.substr(at + 4, 4))) return false;
  BodyReader r(body);
  r.uint(1);  // the format, checked above
  event.received_at = static_cast<TimeMs>(r.uint(8));
  event.seq = r.uint(8);
  event.lot_id = r.bytes();
  event.gate_id = r.bytes();
  event.topic = r.bytes();
  event.payload = r.bytes();
  return r.ok() && r.at_end();
}

std::error_code GateInboxLog::release_through(InboxPosition position) {
  const auto segment = static_cast<std::uint32_t>(position >> 32);
  const std::uint64_t offset = position & 0xFFFFFFFFu;
  std::lock_guard lock(mutex_);
  std::error_code first_error;
  auto done = std::find_if(older_.begin(), older_.end(), [&](std::uint32_t number) {
    if (number < segment) return false;
    if (number > segment) return true;
    std::error_code ec;  // the segment of `position` itself: done once released to its end
    return std::filesystem::file_size(segment_path(number), ec) > offset || ec;
  });
  auto removed = older_.begin();
  for (; removed != done; ++removed) {
    if (::unlink(segment_path(*removed).c_str()) != 0 && errno != ENOENT) {
      first_error = last_error();
      break;
    }
  }
  older_.erase(older_.begin(), removed);
  return first_error;
}

std::size_t GateInboxLog::segments() const {
  std::lock_guard lock(mutex_);
  return older_.size() + 1;
}

}  // namespace parkd
