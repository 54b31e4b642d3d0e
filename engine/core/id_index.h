// A map from textual ids to dense indices that can be searched with a string_view.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace parkd {

struct TransparentStringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

template <typename Index>
using IdIndex = std::unordered_map<std::string, Index, TransparentStringHash, std::equal_to<>>;

}  // namespace parkd
