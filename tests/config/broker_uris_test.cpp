// Broker URIs: a URI's host, port and TLS, as parksim and the load driver connect with them.
#include "config/broker_uris.h"

#include <gtest/gtest.h>

namespace parkd {
namespace {

TEST(BrokerAddress, SplitsAUriIntoItsHostAndPortAndSaysWhetherItAsksForTls) {
  const BrokerAddress plain = broker_address("tcp://127.0.0.1:1883");
  EXPECT_EQ(plain.host, "127.0.0.1");
  EXPECT_EQ(plain.port, 1883);
  EXPECT_FALSE(plain.tls);
  const BrokerAddress mqtt = broker_address("mqtt://broker.local:65535");
  EXPECT_EQ(mqtt.host, "broker.local");
  EXPECT_EQ(mqtt.port, 65535);
  EXPECT_FALSE(mqtt.tls);
  EXPECT_TRUE(broker_address("ssl://127.0.0.1:8883").tls);
  EXPECT_TRUE(broker_address("mqtts://127.0.0.1:8883").tls);
  // What parse_broker_uris accepts, broker_address splits; a text without a port has port 0.
  const BrokerUris list = parse_broker_uris("tcp://127.0.0.1:1883, tcp://127.0.0.1:1884");
  ASSERT_TRUE(list.error.empty()) << list.error;
  EXPECT_EQ(broker_address(list.uris.at(1)).port, 1884);
  EXPECT_EQ(broker_address("127.0.0.1").port, 0);
}

}  // namespace
}  // namespace parkd
