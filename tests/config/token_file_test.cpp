// Token files: parsing, the permission check, creation with a fresh secret, and lookup.
#include "config/token_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace parkd {
namespace {

class TokenFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() / ("parkd-tokens-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  std::filesystem::path dir;
};

TEST_F(TokenFileTest, AMissingFileIsCreatedForItsOwnerOnlyWithOneOperatorToken) {
  const std::string path = (dir / "var" / "parkd.token").string();
  const TokenFileRead made = read_token_file(path, true);
  ASSERT_TRUE(made.error.empty()) << made.error;
  EXPECT_TRUE(made.created);
  ASSERT_EQ(made.tokens.size(), 1u);
  EXPECT_EQ(made.tokens[0].name, "operator");
  EXPECT_EQ(made.tokens[0].role, ControlRole::Admin);
  EXPECT_EQ(made.tokens[0].secret.size(), 64u);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const TokenFileRead again = read_token_file(path, true);
  EXPECT_FALSE(again.created);
  EXPECT_EQ(again.tokens[0].secret, made.tokens[0].secret);
  EXPECT_NE(read_token_file((dir / "other").string(), true).tokens[0].secret, made.tokens[0].secret);
}

TEST_F(TokenFileTest, AFileOthersCanReadIsRefused) {
  const std::string path = (dir / "open.token").string();
  std::ofstream(path) << "office:0123456789abcdef0123\n";
  ::chmod(path.c_str(), 0644);
  const TokenFileRead r = read_token_file(path, true);
  EXPECT_TRUE(r.tokens.empty());
  EXPECT_NE(r.error.find("mode 0644"), std::string::npos) << r.error;
  ::chmod(path.c_str(), 0600);
  EXPECT_TRUE(read_token_file(path, true).error.empty());
}

TEST_F(TokenFileTest, LinesAreNameRoleSecretOrNameSecretForAnAdminAndBadOnesAreReportedByLine) {
  const TokenFileRead ok = parse_token_file(
      "# tokens\noffice:0123456789abcdef\n\ngate-1:guard:fedcba9876543210fedc\r\ncommittee:viewer:aaaabbbbccccdddd\n"
      "clerk-li:clerk:1111222233334444\nroot:admin:5555666677778888\n",
      "t");
  ASSERT_EQ(ok.tokens.size(), 5u) << ok.error;
  EXPECT_EQ(ok.tokens[0].role, ControlRole::Admin);  // the release-1 form
  EXPECT_EQ(ok.tokens[1].role, ControlRole::Guard);
  EXPECT_EQ(ok.tokens[2].role, ControlRole::Viewer);
  EXPECT_EQ(ok.tokens[3].role, ControlRole::Clerk);
  EXPECT_EQ(ok.tokens[4].role, ControlRole::Admin);
  const auto guard = find_token(ok.tokens, "fedcba9876543210fedc");
  ASSERT_TRUE(guard);
  EXPECT_EQ(guard->name, "gate-1");
  EXPECT_EQ(guard->role, ControlRole::Guard);
  EXPECT_EQ(find_token(ok.tokens, "fedcba9876543210fed"), std::nullopt);
  EXPECT_EQ(find_token(ok.tokens, "guard:fedcba9876543210fedc"), std::nullopt);  // the role is not part of the secret
  EXPECT_EQ(find_token(ok.tokens, ""), std::nullopt);
  EXPECT_EQ(parse_token_file("office:short\n", "t").error, "t:1: the secret is shorter than 16 characters");
  EXPECT_EQ(parse_token_file("# x\nli:boss:0123456789abcdef\n", "t").error,
            "t:2: unknown role 'boss': viewer, guard, clerk or admin");
  EXPECT_EQ(parse_token_file(":guard:0123456789abcdef\n", "t").error,
            "t:1: expected name:role:secret (or name:secret for an admin)");
  EXPECT_EQ(parse_token_file("a:guard:0123456789abcdef\nb:viewer:0123456789abcdef\n", "t").error,
            "t:2: the same secret as the token 'a': give each holder their own");
  EXPECT_EQ(parse_token_file("# only a comment\n", "t").error, "t: no token in the file");
}

}  // namespace
}  // namespace parkd
