package io.imagecache.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A Pulumi property value as the engine sends it: plain JSON-like values plus secrets, unknowns
 * (computed), assets, archives, resource references and output values. The {@code rpc} package
 * converts protobuf {@code Struct}s to and from these; everything else works on this type.
 */
public sealed interface PropertyValue {

    /** The kinds of unknown the engine distinguishes (one sentinel string each). */
    enum UnknownKind { BOOL, NUMBER, STRING, ARRAY, ASSET, ARCHIVE, OBJECT }

    record Null() implements PropertyValue {}

    record Bool(boolean value) implements PropertyValue {}

    record Num(double value) implements PropertyValue {}

    record Str(String value) implements PropertyValue {}

    record Arr(List<PropertyValue> items) implements PropertyValue {
        public Arr {
            items = List.copyOf(items);
        }
    }

    /** An object; key order is kept (it makes rendered diffs and state stable). */
    record Obj(Map<String, PropertyValue> fields) implements PropertyValue {
        public Obj {
            fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        }

        public Optional<PropertyValue> get(String key) {
            return Optional.ofNullable(fields.get(key));
        }
    }

    record Secret(PropertyValue value) implements PropertyValue {
        public Secret {
            Objects.requireNonNull(value);
        }
    }

    /**
     * A byte string that is not UTF-8 (the engine's non-UTF-8 string value), kept byte for byte. A
     * valid UTF-8 byte string arrives as {@link Str}.
     */
    record Bytes(byte[] value) implements PropertyValue {
        public Bytes {
            value = value.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bytes b && java.util.Arrays.equals(b.value, value);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Bytes[" + value.length + " bytes]";
        }
    }

    /** A value not known until the resource it comes from is created (preview only). */
    record Unknown(UnknownKind kind) implements PropertyValue {}

    /** An asset. In Diff requests only {@code hash} is present. */
    record Asset(Optional<String> hash, Optional<String> text, Optional<String> path, Optional<String> uri)
            implements PropertyValue {}

    /** An archive. In Diff requests only {@code hash} is present. */
    record Archive(Optional<String> hash, Optional<Map<String, PropertyValue>> assets, Optional<String> path,
                   Optional<String> uri) implements PropertyValue {}

    record ResourceRef(String urn, Optional<PropertyValue> id, Optional<String> packageVersion) implements PropertyValue {}

    /** An output value (Construct/Call only). An absent {@code value} means unknown. */
    record Output(Optional<PropertyValue> value, boolean secret, Set<String> dependencies) implements PropertyValue {
        public Output {
            dependencies = Set.copyOf(dependencies);
        }
    }

    Null NULL = new Null();

    static PropertyValue of(String s) {
        return s == null ? NULL : new Str(s);
    }

    static PropertyValue of(boolean b) {
        return new Bool(b);
    }

    static PropertyValue of(double d) {
        return new Num(d);
    }

    static PropertyValue secret(PropertyValue v) {
        return v instanceof Secret ? v : new Secret(v);
    }

    static Obj object(Map<String, PropertyValue> fields) {
        return new Obj(fields);
    }

    /** True if this value or anything inside it is unknown. */
    default boolean containsUnknowns() {
        if (this instanceof Unknown) {
            return true;
        } else if (this instanceof Secret s) {
            return s.value().containsUnknowns();
        } else if (this instanceof Arr a) {
            return a.items().stream().anyMatch(PropertyValue::containsUnknowns);
        } else if (this instanceof Obj o) {
            return o.fields().values().stream().anyMatch(PropertyValue::containsUnknowns);
        } else if (this instanceof Output o) {
            return o.value().isEmpty() || o.value().get().containsUnknowns();
        }
        return false;
    }

    /** True if this value or anything inside it is secret. */
    default boolean containsSecrets() {
        if (this instanceof Secret) {
            return true;
        } else if (this instanceof Arr a) {
            return a.items().stream().anyMatch(PropertyValue::containsSecrets);
        } else if (this instanceof Obj o) {
            return o.fields().values().stream().anyMatch(PropertyValue::containsSecrets);
        } else if (this instanceof Output o) {
            return o.secret() || (o.value().isPresent() && o.value().get().containsSecrets());
        }
        return false;
    }

    /** This value with every secret wrapper (and known output wrapper) removed, recursively. */
    default PropertyValue unwrapped() {
        if (this instanceof Secret s) {
            return s.value().unwrapped();
        } else if (this instanceof Output o) {
            return o.value().map(PropertyValue::unwrapped).orElse(new Unknown(UnknownKind.STRING));
        } else if (this instanceof Arr a) {
            return new Arr(a.items().stream().map(PropertyValue::unwrapped).toList());
        } else if (this instanceof Obj o) {
            Map<String, PropertyValue> m = new LinkedHashMap<>();
            o.fields().forEach((k, v) -> m.put(k, v.unwrapped()));
            return new Obj(m);
        }
        return this;
    }

    default boolean isNull() {
        return this instanceof Null;
    }
}
