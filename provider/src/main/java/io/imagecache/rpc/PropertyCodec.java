package io.imagecache.rpc;

import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.imagecache.spi.PropertyValue;
import io.imagecache.spi.PropertyValue.UnknownKind;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Converts the engine's {@code google.protobuf.Struct} encoding of property values to and from
 * {@link PropertyValue}: the special-value signature key, secrets, the seven typed unknown
 * sentinels, assets and archives (including the hash-only form sent in Diff), resource references,
 * output values and non-UTF-8 strings.
 */
public final class PropertyCodec {
    private PropertyCodec() {}

    public static final String SIG_KEY = "4dabf18193072939515e22adb298388d";
    public static final String SIG_SECRET = "1b47061264138c4ac30d75fd1eb44270";
    public static final String SIG_ASSET = "c44067f5952c0a294b673a41bacd8c17";
    public static final String SIG_ARCHIVE = "0def7320c3a5731c473e5ecbe6d01bc7";
    public static final String SIG_RESOURCE = "5cf8f73096256a8f31e491e813e4eb8e";
    public static final String SIG_OUTPUT = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
    public static final String SIG_BYTES = "803fd3297a5875dc03ca845dda5d2a98";

    private static final Map<UnknownKind, String> UNKNOWN_SENTINELS = new EnumMap<>(UnknownKind.class);
    private static final Map<String, UnknownKind> SENTINEL_KINDS = new HashMap<>();

    static {
        UNKNOWN_SENTINELS.put(UnknownKind.BOOL, "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7");
        UNKNOWN_SENTINELS.put(UnknownKind.NUMBER, "3eeb2bf0-c639-47a8-9e75-3b44932eb421");
        UNKNOWN_SENTINELS.put(UnknownKind.STRING, "04da6b54-80e4-46f7-96ec-b56ff0331ba9");
        UNKNOWN_SENTINELS.put(UnknownKind.ARRAY, "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2");
        UNKNOWN_SENTINELS.put(UnknownKind.ASSET, "030794c1-ac77-496b-92df-f27374a8bd58");
        UNKNOWN_SENTINELS.put(UnknownKind.ARCHIVE, "e48ece36-62e2-4504-bad9-02848725956a");
        UNKNOWN_SENTINELS.put(UnknownKind.OBJECT, "dd056dcd-154b-4c76-9bd3-c8f88648b5ff");
        UNKNOWN_SENTINELS.forEach((k, v) -> SENTINEL_KINDS.put(v, k));
    }

    public static String sentinel(UnknownKind kind) {
        return UNKNOWN_SENTINELS.get(kind);
    }

    // --- decode ---------------------------------------------------------------------------------

    public static PropertyValue.Obj decode(Struct s) {
        Map<String, PropertyValue> m = new LinkedHashMap<>();
        s.getFieldsMap().forEach((k, v) -> m.put(k, decode(v)));
        return new PropertyValue.Obj(m);
    }

    public static PropertyValue decode(Value v) {
        switch (v.getKindCase()) {
            case NULL_VALUE:
            case KIND_NOT_SET:
                return PropertyValue.NULL;
            case BOOL_VALUE:
                return new PropertyValue.Bool(v.getBoolValue());
            case NUMBER_VALUE:
                return new PropertyValue.Num(v.getNumberValue());
            case STRING_VALUE: {
                UnknownKind k = SENTINEL_KINDS.get(v.getStringValue());
                return k != null ? new PropertyValue.Unknown(k) : new PropertyValue.Str(v.getStringValue());
            }
            case LIST_VALUE: {
                List<PropertyValue> items = new ArrayList<>();
                for (Value item : v.getListValue().getValuesList()) {
                    items.add(decode(item));
                }
                return new PropertyValue.Arr(items);
            }
            case STRUCT_VALUE:
                return decodeStruct(v.getStructValue());
            default:
                throw new IllegalArgumentException("unsupported protobuf value kind " + v.getKindCase());
        }
    }

    private static PropertyValue decodeStruct(Struct s) {
        Map<String, Value> f = s.getFieldsMap();
        Value sig = f.get(SIG_KEY);
        if (sig == null) {
            return decode(s);
        }
        String sigValue = sig.getStringValue();
        switch (sigValue) {
            case SIG_SECRET:
                return new PropertyValue.Secret(decode(f.getOrDefault("value", nullValue())));
            case SIG_ASSET:
                return new PropertyValue.Asset(str(f, "hash"), str(f, "text"), str(f, "path"), str(f, "uri"));
            case SIG_ARCHIVE: {
                Optional<Map<String, PropertyValue>> assets = Optional.empty();
                Value a = f.get("assets");
                if (a != null && a.hasStructValue()) {
                    Map<String, PropertyValue> m = new LinkedHashMap<>();
                    a.getStructValue().getFieldsMap().forEach((k, val) -> m.put(k, decode(val)));
                    assets = Optional.of(m);
                }
                return new PropertyValue.Archive(str(f, "hash"), assets, str(f, "path"), str(f, "uri"));
            }
            case SIG_RESOURCE: {
                Optional<PropertyValue> id = f.containsKey("id") ? Optional.of(decode(f.get("id"))) : Optional.empty();
                return new PropertyValue.ResourceRef(str(f, "urn").orElse(""), id, str(f, "packageVersion"));
            }
            case SIG_OUTPUT: {
                Optional<PropertyValue> value = f.containsKey("value") ? Optional.of(decode(f.get("value"))) : Optional.empty();
                boolean secret = f.containsKey("secret") && f.get("secret").getBoolValue();
                Set<String> deps = new LinkedHashSet<>();
                Value d = f.get("dependencies");
                if (d != null && d.hasListValue()) {
                    d.getListValue().getValuesList().forEach(x -> deps.add(x.getStringValue()));
                }
                return new PropertyValue.Output(value, secret, deps);
            }
            case SIG_BYTES: {
                byte[] bytes = Base64.getDecoder().decode(str(f, "value").orElse(""));
                try {
                    return new PropertyValue.Str(StandardCharsets.UTF_8.newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(bytes)).toString());
                } catch (CharacterCodingException e) {
                    return new PropertyValue.Bytes(bytes);
                }
            }
            default:
                throw new IllegalArgumentException("unknown special value signature " + sigValue);
        }
    }

    private static Optional<String> str(Map<String, Value> f, String key) {
        Value v = f.get(key);
        return v == null || !v.hasStringValue() ? Optional.empty() : Optional.of(v.getStringValue());
    }

    // --- encode ---------------------------------------------------------------------------------

    public static Struct encode(PropertyValue.Obj obj) {
        Struct.Builder b = Struct.newBuilder();
        obj.fields().forEach((k, v) -> b.putFields(k, encode(v)));
        return b.build();
    }

    public static Value encode(PropertyValue v) {
        if (v instanceof PropertyValue.Null) {
            return nullValue();
        } else if (v instanceof PropertyValue.Bool b) {
            return Value.newBuilder().setBoolValue(b.value()).build();
        } else if (v instanceof PropertyValue.Num n) {
            return Value.newBuilder().setNumberValue(n.value()).build();
        } else if (v instanceof PropertyValue.Str s) {
            return string(s.value());
        } else if (v instanceof PropertyValue.Arr a) {
            ListValue.Builder lb = ListValue.newBuilder();
            a.items().forEach(i -> lb.addValues(encode(i)));
            return Value.newBuilder().setListValue(lb).build();
        } else if (v instanceof PropertyValue.Obj o) {
            return Value.newBuilder().setStructValue(encode(o)).build();
        } else if (v instanceof PropertyValue.Bytes b) {
            return special(SIG_BYTES, Map.of("value", string(Base64.getEncoder().encodeToString(b.value()))));
        } else if (v instanceof PropertyValue.Secret s) {
            return special(SIG_SECRET, Map.of("value", encode(s.value())));
        } else if (v instanceof PropertyValue.Unknown u) {
            return string(UNKNOWN_SENTINELS.get(u.kind()));
        } else if (v instanceof PropertyValue.Asset a) {
            Map<String, Value> m = new LinkedHashMap<>();
            a.hash().ifPresent(h -> m.put("hash", string(h)));
            a.text().ifPresent(t -> m.put("text", string(t)));
            a.path().ifPresent(p -> m.put("path", string(p)));
            a.uri().ifPresent(u -> m.put("uri", string(u)));
            return special(SIG_ASSET, m);
        } else if (v instanceof PropertyValue.Archive a) {
            Map<String, Value> m = new LinkedHashMap<>();
            a.hash().ifPresent(h -> m.put("hash", string(h)));
            a.assets().ifPresent(as -> m.put("assets", Value.newBuilder().setStructValue(encode(new PropertyValue.Obj(as))).build()));
            a.path().ifPresent(p -> m.put("path", string(p)));
            a.uri().ifPresent(u -> m.put("uri", string(u)));
            return special(SIG_ARCHIVE, m);
        } else if (v instanceof PropertyValue.ResourceRef r) {
            Map<String, Value> m = new LinkedHashMap<>();
            m.put("urn", string(r.urn()));
            r.id().ifPresent(id -> m.put("id", encode(id)));
            r.packageVersion().ifPresent(p -> m.put("packageVersion", string(p)));
            return special(SIG_RESOURCE, m);
        } else if (v instanceof PropertyValue.Output o) {
            Map<String, Value> m = new LinkedHashMap<>();
            o.value().ifPresent(val -> m.put("value", encode(val)));
            if (o.secret()) {
                m.put("secret", Value.newBuilder().setBoolValue(true).build());
            }
            if (!o.dependencies().isEmpty()) {
                ListValue.Builder lb = ListValue.newBuilder();
                o.dependencies().forEach(d -> lb.addValues(string(d)));
                m.put("dependencies", Value.newBuilder().setListValue(lb).build());
            }
            return special(SIG_OUTPUT, m);
        }
        throw new IllegalArgumentException("cannot encode " + v);
    }

    private static Value special(String sig, Map<String, Value> fields) {
        Struct.Builder b = Struct.newBuilder().putFields(SIG_KEY, string(sig));
        fields.forEach(b::putFields);
        return Value.newBuilder().setStructValue(b).build();
    }

    private static Value string(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }

    private static Value nullValue() {
        return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
    }
}
