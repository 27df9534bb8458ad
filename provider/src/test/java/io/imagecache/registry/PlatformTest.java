package io.imagecache.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PlatformTest {

    @Test
    void parses() {
        Platform p = Platform.parse("linux/arm64/v8");
        assertEquals("linux", p.os());
        assertEquals("arm64", p.architecture());
        assertEquals(Optional.of("v8"), p.variant());
        assertEquals("linux/arm64/v8", p.toString());
        assertEquals("linux/amd64", Platform.parse("linux/amd64").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "linux", "linux/", "/amd64", "linux/amd64/", "linux/arm/v7/x", "linux amd64", "linux/am d64"})
    void rejects(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Platform.parse(text));
        assertTrue(e.getMessage().contains("os/architecture"), e.getMessage());
    }

    @ParameterizedTest(name = "{0} matches {1}")
    @CsvSource({
        "linux/arm64,     linux/arm64/v8",
        "linux/aarch64,   linux/arm64",
        "linux/arm64/8,   linux/arm64/v8",
        "linux/x86_64,    linux/amd64",
        "linux/amd64/v1,  linux/amd64",
        "linux/arm,       linux/arm/v7",
        "linux/armhf,     linux/arm/v7",
        "linux/armel,     linux/arm/v6",
        "linux/arm/6,     linux/arm/v6",
        "Linux/AMD64,     linux/amd64",
        "macos/arm64,     darwin/arm64",
        "linux/i386,      linux/386",
    })
    void matchesLikeContainerd(String a, String b) {
        assertTrue(Platform.parse(a).matches(Platform.parse(b)));
        assertTrue(Platform.parse(b).matches(Platform.parse(a)));
    }

    @ParameterizedTest(name = "{0} does not match {1}")
    @CsvSource({
        "linux/arm64,   linux/amd64",
        "linux/arm/v6,  linux/arm/v7",
        "linux/amd64,   windows/amd64",
        "linux/arm64,   linux/arm",
        "linux/amd64/v3, linux/amd64",
    })
    void doesNotMatch(String a, String b) {
        assertFalse(Platform.parse(a).matches(Platform.parse(b)));
    }
}
