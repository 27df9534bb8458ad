package io.imagecache.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChallengeTest {

    @Test
    void dockerHubBearer() {
        List<Challenge> c = Challenge.parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                + "scope=\"repository:library/alpine:pull\"");
        assertEquals(1, c.size());
        assertTrue(c.get(0).isBearer());
        assertEquals(Optional.of("https://auth.docker.io/token"), c.get(0).param("realm"));
        assertEquals(Optional.of("registry.docker.io"), c.get(0).param("service"));
        assertEquals(Optional.of("repository:library/alpine:pull"), c.get(0).param("scope"));
    }

    @Test
    void basicFromDistribution() {
        List<Challenge> c = Challenge.parse("Basic realm=\"basic-realm\"");
        assertEquals(1, c.size());
        assertTrue(c.get(0).isBasic());
        assertEquals(Optional.of("basic-realm"), c.get(0).param("realm"));
    }

    @Test
    void caseSpacesAndUnquotedValues() {
        List<Challenge> c = Challenge.parse("bearer   Realm = https://auth.example.com/token , Service=reg ,SCOPE=\"a b\"");
        assertTrue(c.get(0).isBearer());
        assertEquals(Optional.of("https://auth.example.com/token"), c.get(0).param("realm"));
        assertEquals(Optional.of("reg"), c.get(0).param("service"));
        assertEquals(Optional.of("a b"), c.get(0).param("scope"));
    }

    @Test
    void insufficientScopeWithSeveralScopesAndEscapes() {
        List<Challenge> c = Challenge.parse("Bearer realm=\"https://r/t\",service=\"s\","
                + "scope=\"repository:a/b:pull repository:c:pull,push\",error=\"insufficient_scope\",x=\"q\\\"uote\"");
        assertEquals(Optional.of("repository:a/b:pull repository:c:pull,push"), c.get(0).param("scope"));
        assertEquals(Optional.of("insufficient_scope"), c.get(0).param("error"));
        assertEquals(Optional.of("q\"uote"), c.get(0).param("x"));
    }

    @Test
    void severalChallengesInOneHeaderAndAcrossHeaders() {
        List<Challenge> c = Challenge.parseAll(List.of("Basic realm=\"r1\", Bearer realm=\"https://t\",service=\"s\"",
                "Negotiate"));
        assertEquals(List.of("Basic", "Bearer", "Negotiate"), c.stream().map(Challenge::scheme).toList());
        assertEquals(Optional.of("r1"), c.get(0).param("realm"));
        assertEquals(Optional.of("s"), c.get(1).param("service"));
    }

    @Test
    void emptyAndGarbageGiveNothingOrSchemesOnly() {
        assertEquals(List.of(), Challenge.parse(null));
        assertEquals(List.of(), Challenge.parse(""));
        assertEquals(Optional.empty(), Challenge.parse("Bearer").get(0).param("realm"));
        assertEquals(Optional.empty(), Challenge.parse("Bearer realm=\"\"").get(0).param("realm"));
    }
}
