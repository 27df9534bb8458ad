package io.imagecache.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RecordsTest {

    @ObjectType(token = "test:index:Conn", description = "a connection")
    record Conn(
            @Prop(description = "Host name.", required = true, replaceOnChanges = true) String host,
            @Prop(description = "Port.", defaultValue = "22") Integer port,
            @Prop(description = "Secret key.", secret = true) String key,
            @Prop(description = "Jump host.") Conn proxy) {}

    record Args(
            @Prop(description = "Where.", required = true) Conn connection,
            @Prop(description = "Names.") List<String> names,
            @Prop(description = "Files.") Map<String, String> files,
            @Prop(description = "Flag.", defaultValue = "false") Boolean flag) {}

    private static PropertyValue.Obj obj(Object... kv) {
        Map<String, PropertyValue> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            Object v = kv[i + 1];
            m.put((String) kv[i], v instanceof String s ? new PropertyValue.Str(s) : (PropertyValue) v);
        }
        return new PropertyValue.Obj(m);
    }

    @Test
    void appliesDefaultsAtEveryDepthAndUnwrapsSecretsRememberingWhere() {
        PropertyValue.Obj in = obj("connection", obj("host", "h1", "key", new PropertyValue.Secret(new PropertyValue.Str("k"))),
                "names", new PropertyValue.Arr(List.of(new PropertyValue.Str("a"))));
        Decoded<Args> d = Records.decode(Args.class, in, Records.Mode.STRICT);
        assertEquals(List.of(), d.failures());
        assertEquals(22, d.value().connection().port());
        assertEquals("k", d.value().connection().key());
        assertEquals(false, d.value().flag());
        assertEquals(Set.of(PropertyPath.of("connection").key("key")), d.secrets());
    }

    @Test
    void reportsEveryProblemWithItsPath() {
        PropertyValue.Obj in = obj("connection", obj("port", new PropertyValue.Str("abc"), "colour", "red"),
                "names", new PropertyValue.Num(3), "extra", "x");
        Decoded<Args> d = Records.decode(Args.class, in, Records.Mode.STRICT);
        Map<String, String> byPath = new java.util.TreeMap<>();
        d.failures().forEach(f -> byPath.put(f.property(), f.reason()));
        assertEquals(Set.of("connection.host", "connection.port", "connection.colour", "names", "extra"), byPath.keySet());
        assertTrue(byPath.get("connection.host").startsWith("is required"));
        assertEquals("must be a whole number", byPath.get("connection.port"));
        assertTrue(byPath.get("extra").contains("connection, files, flag, names"), byPath.get("extra"));
        assertTrue(byPath.get("extra").startsWith("is not a property of RecordsTest; remove it"), byPath.get("extra"));
        assertTrue(byPath.get("connection.colour").startsWith("is not a property of Conn; remove it"),
                byPath.get("connection.colour"));
    }

    record Positive(@Prop(description = "A count.") Integer n) {
        Positive {
            if (n != null && n < 0) {
                throw new IllegalArgumentException("n must not be negative");
            }
        }
    }

    @Test
    void aRecordThatRefusesItsValuesIsAFailureAtItsPathEveryTimeNotJustTheFirst() {
        // the record's shape is read once per class and kept: the second decode must see the constructor's refusal too
        for (int i = 0; i < 2; i++) {
            Decoded<Positive> d = Records.decode(Positive.class, obj("n", new PropertyValue.Num(-1)), Records.Mode.STRICT);
            assertEquals(List.of(new CheckFailure("", "is invalid: n must not be negative")), d.failures());
        }
        assertEquals(3, Records.decode(Positive.class, obj("n", new PropertyValue.Num(3)), Records.Mode.STRICT).value().n());
    }

    @Test
    void pathsWriteIdentifierKeysWithDotsAndOthersQuoted() {
        PropertyPath p = PropertyPath.of("hostsFiles").key("docker.io").key("_x$1").index(0).key("9lives").key("")
                .key("a\"b");
        assertEquals("hostsFiles[\"docker.io\"]._x$1[0][\"9lives\"][\"\"][\"a\\\"b\"]", p.toString());
        assertEquals("connection.host", PropertyPath.of("connection").key("host").toString());
    }

    @Test
    void theRequiredMessageIsTheDescriptionsFirstSentenceWholeEvenWithAnExample() {
        assertEquals("the proxy's container name, e.g. `registry-ghcr`.",
                Records.firstSentence("The proxy's container name, e.g. `registry-ghcr`."));
        assertEquals("the image, i.e. what runs.", Records.firstSentence("The image, i.e. what runs. More words."));
        assertEquals("how to reach the node.", Records.firstSentence("How to reach the node. It may have a proxy."));
    }

    @Test
    void unknownsAreNullAndRemembered() {
        PropertyValue.Obj in = obj("connection", new PropertyValue.Unknown(PropertyValue.UnknownKind.OBJECT),
                "names", new PropertyValue.Arr(List.of(new PropertyValue.Str("a"),
                        new PropertyValue.Unknown(PropertyValue.UnknownKind.STRING))));
        Decoded<Args> d = Records.decode(Args.class, in, Records.Mode.STRICT);
        assertEquals(List.of(), d.failures(), "a required property that is unknown is not missing");
        assertNull(d.value().connection());
        assertTrue(d.isUnknown(PropertyPath.of("connection").key("host")));
        assertTrue(d.isUnknown(PropertyPath.of("names").index(1)));
        assertTrue(d.hasUnknownsUnder(PropertyPath.of("names")));

        PropertyValue.Obj out = Records.encode(d.value(), d.secrets(), d.unknowns());
        assertEquals(new PropertyValue.Unknown(PropertyValue.UnknownKind.OBJECT), out.fields().get("connection"));
        PropertyValue.Arr names = (PropertyValue.Arr) out.fields().get("names");
        assertEquals(new PropertyValue.Unknown(PropertyValue.UnknownKind.STRING), names.items().get(1));
    }

    /** An unknown is written with the sentinel of its type: the string one only for strings. */
    @Test
    void unknownsAreTypedByTheirProperty() {
        PropertyValue.Obj in = obj("connection", obj("host", "h", "port", new PropertyValue.Unknown(PropertyValue.UnknownKind.STRING)),
                "names", new PropertyValue.Unknown(PropertyValue.UnknownKind.STRING),
                "files", obj("a", new PropertyValue.Unknown(PropertyValue.UnknownKind.STRING)),
                "flag", new PropertyValue.Unknown(PropertyValue.UnknownKind.STRING));
        Decoded<Args> d = Records.decode(Args.class, in, Records.Mode.STRICT);
        PropertyValue.Obj out = Records.encode(d.value(), d.secrets(), d.unknowns());
        assertEquals(new PropertyValue.Unknown(PropertyValue.UnknownKind.NUMBER),
                ((PropertyValue.Obj) out.fields().get("connection")).fields().get("port"));
        assertEquals(new PropertyValue.Unknown(PropertyValue.UnknownKind.ARRAY), out.fields().get("names"));
        assertEquals(new PropertyValue.Unknown(PropertyValue.UnknownKind.STRING),
                ((PropertyValue.Obj) out.fields().get("files")).fields().get("a"));
        assertEquals(new PropertyValue.Unknown(PropertyValue.UnknownKind.BOOL), out.fields().get("flag"));
    }

    @Test
    void aPreviewWritesEveryMissingOutputAsATypedUnknown() {
        PropertyValue.Obj out = Records.encodePreview(new Args(null, List.of("a"), null, null));
        assertEquals(new PropertyValue.Unknown(PropertyValue.UnknownKind.OBJECT), out.fields().get("connection"));
        assertEquals(new PropertyValue.Arr(List.of(new PropertyValue.Str("a"))), out.fields().get("names"));
        assertEquals(new PropertyValue.Unknown(PropertyValue.UnknownKind.OBJECT), out.fields().get("files"));
        assertEquals(new PropertyValue.Unknown(PropertyValue.UnknownKind.BOOL), out.fields().get("flag"));
    }

    @Test
    void bytesThatAreNotUtf8FailAStringPropertyInsteadOfBeingMangled() {
        PropertyValue.Obj in = obj("connection", obj("host", new PropertyValue.Bytes(new byte[] {'h', (byte) 0xe9})));
        Decoded<Args> d = Records.decode(Args.class, in, Records.Mode.STRICT);
        assertEquals(List.of("connection.host"), d.failures().stream().map(CheckFailure::property).toList());
        assertTrue(d.failures().get(0).reason().contains("UTF-8"), d.failures().toString());
    }

    @Test
    void encodeWrapsDeclaredSecretsAndRecordedSecretPaths() {
        Args a = new Args(new Conn("h", 22, "k", null), List.of("x"), Map.of("docker.io", "toml"), true);
        PropertyValue.Obj out = Records.encode(a, Set.of(PropertyPath.of("files").key("docker.io")), Set.of());
        PropertyValue.Obj conn = (PropertyValue.Obj) out.fields().get("connection");
        assertEquals(new PropertyValue.Secret(new PropertyValue.Str("k")), conn.fields().get("key"));
        PropertyValue.Obj files = (PropertyValue.Obj) out.fields().get("files");
        assertInstanceOf(PropertyValue.Secret.class, files.fields().get("docker.io"));
        assertTrue(!conn.fields().containsKey("proxy"), "null components are left out");
    }

    @Test
    void lenientModeIgnoresOutputsAndMissingRequired() {
        PropertyValue.Obj in = obj("names", new PropertyValue.Arr(List.of()), "cronFile", "/etc/cron.d/x");
        Decoded<Args> d = Records.decode(Args.class, in, Records.Mode.LENIENT);
        assertEquals(List.of(), d.failures());
    }
}
