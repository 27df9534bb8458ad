package io.imagecache.lab.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class RegistryConfigTest {

    @Test
    void plainHasNoAuthAndNoProxy() {
        String y = RegistryConfig.render(false, Optional.empty(), Optional.empty());
        assertFalse(y.contains("auth:"), y);
        assertFalse(y.contains("proxy:"), y);
        assertTrue(y.contains("  addr: :5000\n"), y);
    }

    @Test
    void tokenModeNamesRealmServiceIssuerAndBundle() {
        String y = RegistryConfig.render(false, Optional.of("http://172.17.0.1:4000/token"), Optional.empty());
        assertTrue(y.contains("""
                auth:
                  token:
                    realm: "http://172.17.0.1:4000/token"
                    service: "imagecache-lab-registry"
                    issuer: "imagecache-lab-token-issuer"
                    rootcertbundle: /etc/docker/registry/token-issuer.pem
                """), y);
    }

    @Test
    void proxyCredentialsAreQuoted() {
        var proxy = new LocalRegistry.Proxy("http://up:5000",
                Optional.of(new LocalRegistry.Credentials("u", "p\"w\\d: #x")));
        String y = RegistryConfig.render(false, Optional.empty(), Optional.of(proxy));
        assertTrue(y.endsWith("""
                proxy:
                  remoteurl: "http://up:5000"
                  username: "u"
                  password: "p\\"w\\\\d: #x"
                """), y);
    }

    @Test
    void htpasswdAndTokenExcludeEachOther() {
        assertThrows(IllegalArgumentException.class, () -> RegistryConfig.render(true, Optional.of("r"), Optional.empty()));
    }

    @Test
    void credentialsNeverPrintThePassword() {
        assertEquals("Credentials[u, ****]", new LocalRegistry.Credentials("u", "secret").toString());
        assertFalse(new LocalRegistry.Proxy("x", Optional.of(new LocalRegistry.Credentials("u", "secret"))).toString()
                .contains("secret"));
    }
}
