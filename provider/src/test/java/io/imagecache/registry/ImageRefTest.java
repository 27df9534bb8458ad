package io.imagecache.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageRefTest {
    private static final String D = "sha256:" + "a".repeat(64);

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "alpine,                              docker.io/library/alpine:latest",
        "alpine:3.20,                         docker.io/library/alpine:3.20",
        "library/alpine,                      docker.io/library/alpine:latest",
        "bitnami/redis:7.2,                   docker.io/bitnami/redis:7.2",
        "docker.io/alpine,                    docker.io/library/alpine:latest",
        "index.docker.io/library/alpine:3,    docker.io/library/alpine:3",
        "ghcr.io/org/app:1.2,                 ghcr.io/org/app:1.2",
        "ghcr.io/org/team/app,                ghcr.io/org/team/app:latest",
        "registry.k8s.io/pause:3.9,           registry.k8s.io/pause:3.9",
        "quay.io/prometheus/node-exporter:v1.8.2, quay.io/prometheus/node-exporter:v1.8.2",
        "localhost/app,                       localhost/app:latest",
        "localhost:5000/x/y:dev,              localhost:5000/x/y:dev",
        "10.0.20.10:5010/org/app:1,           10.0.20.10:5010/org/app:1",
        "[::1]:5000/app:v1,                   [::1]:5000/app:v1",
        "my-registry.example.com/a_b/c__d/e-f/g.h:TAG_1.0-x, my-registry.example.com/a_b/c__d/e-f/g.h:TAG_1.0-x",
        "localhost:5000,                      docker.io/library/localhost:5000",
    })
    void normalizes(String input, String canonical) {
        ImageRef ref = ImageRef.parse(input);
        assertEquals(canonical, ref.toString());
        assertEquals(ref, ImageRef.parse(ref.toString()), "canonical form parses to the same reference");
    }

    @Test
    void partsOfADockerHubOfficialImage() {
        ImageRef ref = ImageRef.parse("alpine:3.20");
        assertEquals("docker.io", ref.registry());
        assertEquals("library/alpine", ref.repository());
        assertEquals(Optional.of("3.20"), ref.tag());
        assertEquals(Optional.empty(), ref.digest());
        assertEquals("3.20", ref.reference());
        assertEquals("docker.io/library/alpine", ref.name());
    }

    @Test
    void digestOnlyHasNoTag() {
        ImageRef ref = ImageRef.parse("localhost:5000/x/y@" + D);
        assertEquals("localhost:5000", ref.registry());
        assertEquals("x/y", ref.repository());
        assertEquals(Optional.empty(), ref.tag());
        assertEquals(Optional.of(D), ref.digest());
        assertEquals(D, ref.reference());
        assertEquals("localhost:5000/x/y@" + D, ref.toString());
    }

    @Test
    void tagAndDigestKeepsBothAndAsksByDigest() {
        ImageRef ref = ImageRef.parse("ghcr.io/org/app:1.2@" + D);
        assertEquals(Optional.of("1.2"), ref.tag());
        assertEquals(Optional.of(D), ref.digest());
        assertEquals(D, ref.reference());
        assertEquals("ghcr.io/org/app:1.2@" + D, ref.toString());
    }

    @Test
    void copies() {
        ImageRef ref = ImageRef.parse("alpine:3.20");
        assertEquals("docker.io/library/alpine@" + D, ref.withDigest(D).toString());
        assertEquals("docker.io/library/alpine:edge", ref.withTag("edge").toString());
        assertEquals("ghcr.io/o/a:1", ImageRef.of("ghcr.io", "o/a", "1", null).toString());
        assertThrows(IllegalArgumentException.class, () -> ImageRef.of("notahost", "o/a", "1", null));
        assertNotEquals(ref, ref.withTag("3.21"));
    }

    @ParameterizedTest(name = "\"{0}\" is rejected mentioning \"{1}\"")
    @CsvSource(delimiter = '|', value = {
        "''                               | empty",
        "'   '                            | empty",
        "Alpine                           | lowercase",
        "docker.io/Library/alpine         | lowercase",
        "ghcr.io/Org/App:1                | lowercase",
        "alpine latest                    | spaces",
        "' alpine'                        | spaces",
        "alpine@sha256:abc                | 64 lowercase hex",
        "alpine@sha256:" + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA | 64 lowercase hex",
        "alpine@md5:d41d8cd98f00b204e9800998ecf8427e | digest",
        "alpine@                          | digest",
        "alpine:                          | invalid tag",
        "alpine:-x                        | invalid tag",
        "alpine:.x                        | invalid tag",
        "alpine:a/b                       | port",
        "https://ghcr.io/org/app          | scheme",
        "ghcr.io//app                     | empty path component",
        "ghcr.io/org/app/                 | empty path component",
        "/alpine                          | empty path component",
        "ghcr.io/                         | empty path component",
        ":latest                          | no repository",
        "ghcr.io/org/-app                 | invalid repository part",
        "ghcr.io/org/app-                 | invalid repository part",
        "ghcr.io/org/a..b                 | invalid repository part",
        "ghcr.io/org/a___b                | invalid repository part",
        "ghcr.io/org/a$b                  | invalid repository part",
        "localhost:99999/app              | port",
        "localhost:abc/app                | port",
        "-bad-.io/app                     | registry host",
        "bad_host.io/app                  | registry host",
    })
    void rejectsWithAReadableReason(String input, String mentions) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageRef.parse(input));
        assertTrue(e.getMessage().contains(mentions), e.getMessage());
    }

    @Test
    void uppercaseSuggestsTheLowercaseName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageRef.parse("MyOrg/App:1"));
        assertTrue(e.getMessage().contains("\"myorg\""), e.getMessage());
    }

    @Test
    void nullIsEmpty() {
        assertThrows(IllegalArgumentException.class, () -> ImageRef.parse(null));
    }

    @Test
    void tooLong() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageRef.parse("ghcr.io/" + "a".repeat(250)));
        assertTrue(e.getMessage().contains("255"), e.getMessage());
    }

    @Test
    void sha512Digests() {
        String d512 = "sha512:" + "b".repeat(128);
        assertEquals(Optional.of(d512), ImageRef.parse("alpine@" + d512).digest());
    }
}
