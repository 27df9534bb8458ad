package io.imagecache.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.imagecache.spi.PropertyValue;
import io.imagecache.spi.PropertyValue.UnknownKind;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The wire encodings from reference/pulumi-provider-protocol.md section 2.1, both directions. */
class PropertyCodecTest {

    private static Value str(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }

    private static Value struct(Map<String, Value> m) {
        return Value.newBuilder().setStructValue(Struct.newBuilder().putAllFields(m)).build();
    }

    @Test
    void decodesAllSevenUnknownSentinelsWithTheirKind() {
        Map<String, UnknownKind> sentinels = Map.of(
                "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", UnknownKind.BOOL,
                "3eeb2bf0-c639-47a8-9e75-3b44932eb421", UnknownKind.NUMBER,
                "04da6b54-80e4-46f7-96ec-b56ff0331ba9", UnknownKind.STRING,
                "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", UnknownKind.ARRAY,
                "030794c1-ac77-496b-92df-f27374a8bd58", UnknownKind.ASSET,
                "e48ece36-62e2-4504-bad9-02848725956a", UnknownKind.ARCHIVE,
                "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", UnknownKind.OBJECT);
        sentinels.forEach((sentinel, kind) -> {
            PropertyValue v = PropertyCodec.decode(str(sentinel));
            assertEquals(new PropertyValue.Unknown(kind), v, sentinel);
            assertEquals(str(sentinel), PropertyCodec.encode(v), "round trip of " + kind);
        });
        assertEquals(new PropertyValue.Str("04da6b54"), PropertyCodec.decode(str("04da6b54")));
    }

    @Test
    void decodesSecretsNestedInObjectsAndLists() {
        Value secret = struct(Map.of(PropertyCodec.SIG_KEY, str(PropertyCodec.SIG_SECRET), "value", str("hunter2")));
        Value conn = struct(Map.of("host", str("10.0.20.10"), "password", secret));
        Value list = Value.newBuilder().setListValue(ListValue.newBuilder().addValues(conn)).build();
        PropertyValue.Obj decoded = PropertyCodec.decode(Struct.newBuilder().putFields("conns", list).build());

        PropertyValue.Arr arr = (PropertyValue.Arr) decoded.fields().get("conns");
        PropertyValue.Obj c = (PropertyValue.Obj) arr.items().get(0);
        assertEquals(new PropertyValue.Secret(new PropertyValue.Str("hunter2")), c.fields().get("password"));
        assertTrue(decoded.containsSecrets());
        assertEquals(Struct.newBuilder().putFields("conns", list).build(), PropertyCodec.encode(decoded));
    }

    @Test
    void decodesHashOnlyAssetsAsSentInDiff() {
        Value asset = struct(Map.of(PropertyCodec.SIG_KEY, str(PropertyCodec.SIG_ASSET), "hash", str("abc123")));
        PropertyValue v = PropertyCodec.decode(asset);
        PropertyValue.Asset a = assertInstanceOf(PropertyValue.Asset.class, v);
        assertEquals(Optional.of("abc123"), a.hash());
        assertEquals(Optional.empty(), a.text());
        assertEquals(asset, PropertyCodec.encode(v));
    }

    @Test
    void decodesArchivesWithNestedAssets() {
        Value text = struct(Map.of(PropertyCodec.SIG_KEY, str(PropertyCodec.SIG_ASSET), "text", str("hello"), "hash", str("h1")));
        Value archive = struct(Map.of(PropertyCodec.SIG_KEY, str(PropertyCodec.SIG_ARCHIVE), "hash", str("h2"),
                "assets", struct(Map.of("a.txt", text))));
        PropertyValue.Archive a = assertInstanceOf(PropertyValue.Archive.class, PropertyCodec.decode(archive));
        assertEquals(Optional.of("h2"), a.hash());
        PropertyValue.Asset inner = assertInstanceOf(PropertyValue.Asset.class, a.assets().orElseThrow().get("a.txt"));
        assertEquals(Optional.of("hello"), inner.text());
        assertEquals(archive, PropertyCodec.encode(a));
    }

    @Test
    void decodesResourceReferencesAndOutputValues() {
        Value ref = struct(Map.of(PropertyCodec.SIG_KEY, str(PropertyCodec.SIG_RESOURCE), "urn", str("urn:pulumi:s::p::t::n"),
                "id", str("04da6b54-80e4-46f7-96ec-b56ff0331ba9"), "packageVersion", str("1.2.3")));
        PropertyValue.ResourceRef r = assertInstanceOf(PropertyValue.ResourceRef.class, PropertyCodec.decode(ref));
        assertEquals("urn:pulumi:s::p::t::n", r.urn());
        assertEquals(Optional.of(new PropertyValue.Unknown(UnknownKind.STRING)), r.id());
        assertEquals(ref, PropertyCodec.encode(r));

        Value unknownOutput = struct(Map.of(PropertyCodec.SIG_KEY, str(PropertyCodec.SIG_OUTPUT),
                "secret", Value.newBuilder().setBoolValue(true).build(),
                "dependencies", Value.newBuilder().setListValue(ListValue.newBuilder().addValues(str("urn:a"))).build()));
        PropertyValue.Output o = assertInstanceOf(PropertyValue.Output.class, PropertyCodec.decode(unknownOutput));
        assertEquals(Optional.empty(), o.value());
        assertTrue(o.secret());
        assertEquals(Set.of("urn:a"), o.dependencies());
        assertTrue(o.containsUnknowns());
    }

    @Test
    void decodesNonUtf8ByteStrings() {
        Value b = struct(Map.of(PropertyCodec.SIG_KEY, str(PropertyCodec.SIG_BYTES), "value", str("aGk=")));
        assertEquals(new PropertyValue.Str("hi"), PropertyCodec.decode(b), "UTF-8 bytes are a string");
    }

    /** Latin-1 "café", a lone continuation byte, a truncated sequence and an overlong NUL: none is UTF-8. */
    @Test
    void keepsNonUtf8BytesByteForByte() {
        byte[][] samples = {
            {'c', 'a', 'f', (byte) 0xe9},
            {(byte) 0x80},
            {'a', (byte) 0xe2, (byte) 0x82},
            {(byte) 0xc0, (byte) 0x80},
            {(byte) 0xff, (byte) 0xfe, 0, 'x'}};
        for (byte[] raw : samples) {
            String b64 = java.util.Base64.getEncoder().encodeToString(raw);
            Value wire = struct(Map.of(PropertyCodec.SIG_KEY, str(PropertyCodec.SIG_BYTES), "value", str(b64)));
            PropertyValue v = PropertyCodec.decode(wire);
            assertEquals(new PropertyValue.Bytes(raw), v, b64);
            org.junit.jupiter.api.Assertions.assertArrayEquals(raw, ((PropertyValue.Bytes) v).value());
            Value back = PropertyCodec.encode(v);
            assertEquals(PropertyCodec.SIG_BYTES, back.getStructValue().getFieldsOrThrow(PropertyCodec.SIG_KEY).getStringValue());
            assertEquals(b64, back.getStructValue().getFieldsOrThrow("value").getStringValue(), "round trip");
        }
    }

    @Test
    void encodesEachUnknownKindWithItsOwnSentinel() {
        for (UnknownKind k : UnknownKind.values()) {
            Value v = PropertyCodec.encode(new PropertyValue.Unknown(k));
            assertEquals(new PropertyValue.Unknown(k), PropertyCodec.decode(v), k.toString());
        }
        assertEquals("1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
                PropertyCodec.encode(new PropertyValue.Unknown(UnknownKind.BOOL)).getStringValue());
    }

    @Test
    void keepsScalarsAndNulls() {
        Struct s = Struct.newBuilder()
                .putFields("n", Value.newBuilder().setNumberValue(5000).build())
                .putFields("b", Value.newBuilder().setBoolValue(false).build())
                .putFields("z", Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build())
                .build();
        PropertyValue.Obj o = PropertyCodec.decode(s);
        assertEquals(new PropertyValue.Num(5000), o.fields().get("n"));
        assertEquals(new PropertyValue.Bool(false), o.fields().get("b"));
        assertEquals(PropertyValue.NULL, o.fields().get("z"));
        assertEquals(s, PropertyCodec.encode(o));
        assertEquals(List.of("n", "b", "z").size(), o.fields().size());
    }

    @Test
    void rejectsUnknownSignatures() {
        Value odd = struct(Map.of(PropertyCodec.SIG_KEY, str("ffff")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PropertyCodec.decode(odd));
        assertTrue(e.getMessage().contains("ffff"));
    }
}
