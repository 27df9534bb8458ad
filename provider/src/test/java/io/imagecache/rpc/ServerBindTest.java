package io.imagecache.rpc;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The provider's gRPC server (grpc-okhttp) answers on loopback only: no other host can reach the plugin. */
class ServerBindTest {
    @Test
    void itListensOnLoopbackAndNotOnTheMachinesOtherAddresses() throws Exception {
        Optional<InetAddress> other = NetworkInterface.networkInterfaces().filter(ServerBindTest::up)
                .flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()).findFirst();
        assertTrue(other.isPresent(), "this machine has a non-loopback IPv4 address to try");
        try (Server server = Server.start("0.0.0-test", List.of(), List.of(), List.of(), () -> "{}", null)) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
                assertTrue(s.isConnected());
            }
            assertThrows(IOException.class, () -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(other.get(), server.port()), 2000);
                }
            }, "connecting at " + other.get().getHostAddress() + " must be refused");
            assertFalse(server.port() == 0);
        }
    }

    private static boolean up(NetworkInterface i) {
        try {
            return i.isUp();
        } catch (java.net.SocketException e) {
            return false;
        }
    }
}
