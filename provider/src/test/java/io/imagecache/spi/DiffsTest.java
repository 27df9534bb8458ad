package io.imagecache.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DiffsTest {

    private static PropertyValue s(String v) {
        return new PropertyValue.Str(v);
    }

    private static PropertyValue.Obj o(Object... kv) {
        Map<String, PropertyValue> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (PropertyValue) kv[i + 1]);
        }
        return new PropertyValue.Obj(m);
    }

    private static PropertyValue.Arr a(PropertyValue... items) {
        return new PropertyValue.Arr(List.of(items));
    }

    @Test
    void namesNestedListPathsTheWayUsersReadThem() {
        PropertyValue.Obj olds = o("mirrors", a(o("registry", s("docker.io"), "endpoints", a(s("http://a:5000"))),
                o("registry", s("ghcr.io"), "endpoints", a(s("http://a:5010")))));
        PropertyValue.Obj news = o("mirrors", a(o("registry", s("docker.io"), "endpoints", a(s("http://a:5000"))),
                o("registry", s("ghcr.io"), "endpoints", a(s("http://b:5010"), s("http://c:5010")))));
        DiffResult d = Diffs.inputs(olds, news, Set.of());
        assertEquals(Map.of(
                "mirrors[1].endpoints[0]", new PropertyDiff(PropertyDiff.Kind.UPDATE, true),
                "mirrors[1].endpoints[1]", new PropertyDiff(PropertyDiff.Kind.ADD, true)), d.detailed());
        assertEquals(List.of("mirrors"), d.changedKeys());
        assertFalse(d.replaces());
    }

    @Test
    void replaceOnlyWhereDeclared() {
        PropertyValue.Obj olds = o("connection", o("host", s("h1"), "port", new PropertyValue.Num(22)));
        PropertyValue.Obj news = o("connection", o("host", s("h2"), "port", new PropertyValue.Num(2222)));
        DiffResult d = Diffs.inputs(olds, news, Set.of("connection.host"));
        assertEquals(PropertyDiff.Kind.UPDATE_REPLACE, d.detailed().get("connection.host").kind());
        assertEquals(PropertyDiff.Kind.UPDATE, d.detailed().get("connection.port").kind());
        assertEquals(List.of("connection"), d.replaceKeys());
    }

    @Test
    void secretsCompareByValueAndUnknownsMayChange() {
        PropertyValue.Obj olds = o("password", new PropertyValue.Secret(s("x")), "tag", s("1"));
        PropertyValue.Obj same = o("password", new PropertyValue.Secret(s("x")), "tag", s("1"));
        assertFalse(Diffs.inputs(olds, same, Set.of()).hasChanges());
        PropertyValue.Obj unknown = o("password", new PropertyValue.Secret(s("x")),
                "tag", new PropertyValue.Unknown(PropertyValue.UnknownKind.STRING));
        assertEquals(Set.of("tag"), Diffs.inputs(olds, unknown, Set.of()).detailed().keySet());
    }

    @Test
    void mapKeysWithDotsAreQuoted() {
        PropertyValue.Obj olds = o("hostsFiles", o("docker.io", s("a")));
        PropertyValue.Obj news = o("hostsFiles", o("docker.io", s("b")));
        assertEquals(Set.of("hostsFiles[\"docker.io\"]"), Diffs.inputs(olds, news, Set.of()).detailed().keySet());
        assertEquals("hostsFiles", DiffResult.topLevel("hostsFiles[\"docker.io\"]"));
    }

    @Test
    void replaceOnChangesPathsStopAtRecursiveTypes() {
        assertEquals(Set.of("connection.host"), Diffs.replaceOnChangesPaths(RecordsTest.Args.class));
        assertTrue(Diffs.inputs(o(), o("connection", o("host", s("h"))), Set.of("connection.host")).replaces(),
                "adding the whole object sets the replace-on-change property inside it");
    }
}
