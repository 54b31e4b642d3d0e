// Aligned text tables for a terminal: columns padded by display width, so Chinese characters
// (two columns wide) line up with Latin text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace parkd {

// Terminal columns taken by UTF-8 text: East Asian wide and full-width characters count 2.
std::size_t display_width(std::string_view utf8);

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header, std::vector<bool> right_aligned = {});
  void add(std::vector<std::string> row);
  bool empty() const { return rows_.empty(); }
  // Two spaces between columns; trailing spaces trimmed.
  std::string render() const;

 private:
  std::vector<std::string> header_;
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace parkd
