package io.imagecache.component;

import io.imagecache.spi.PropertyValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reading the component's inputs as the engine sent them, so that what children are given keeps its
 * secrets and unknowns. A secret object or list is looked into (and what is taken from it stays
 * secret); an unknown one has nothing known inside.
 */
final class Raw {
    private Raw() {}

    /** The field {@code key} of an object (NULL when absent or when {@code v} is not a known object). */
    static PropertyValue field(PropertyValue v, String key) {
        boolean secret = v instanceof PropertyValue.Secret;
        PropertyValue inner = secret ? ((PropertyValue.Secret) v).value() : v;
        if (inner instanceof PropertyValue.Obj o && o.fields().containsKey(key)) {
            PropertyValue f = o.fields().get(key);
            return secret ? PropertyValue.secret(f) : f;
        }
        return PropertyValue.NULL;
    }

    /** The items of a known list (empty when absent, null or unknown). */
    static List<PropertyValue> items(PropertyValue v) {
        boolean secret = v instanceof PropertyValue.Secret;
        PropertyValue inner = secret ? ((PropertyValue.Secret) v).value() : v;
        if (inner instanceof PropertyValue.Arr a) {
            return secret ? a.items().stream().map(PropertyValue::secret).toList() : a.items();
        }
        return List.of();
    }

    static boolean isUnknown(PropertyValue v) {
        return v.unwrapped() instanceof PropertyValue.Unknown;
    }

    static boolean isSecret(PropertyValue v) {
        return v instanceof PropertyValue.Secret;
    }

    static Optional<String> string(PropertyValue v) {
        return v.unwrapped() instanceof PropertyValue.Str s ? Optional.of(s.value()) : Optional.empty();
    }

    static Optional<Integer> integer(PropertyValue v) {
        return v.unwrapped() instanceof PropertyValue.Num n && n.value() == Math.rint(n.value())
                ? Optional.of((int) n.value()) : Optional.empty();
    }

    /** A string that is secret if any of the values it is made from is. */
    static PropertyValue derived(String s, PropertyValue... from) {
        PropertyValue v = PropertyValue.of(s);
        for (PropertyValue f : from) {
            if (isSecret(f)) {
                return PropertyValue.secret(v);
            }
        }
        return v;
    }

    static PropertyValue unknownString() {
        return new PropertyValue.Unknown(PropertyValue.UnknownKind.STRING);
    }

    /** An object of the fields given, leaving out null ones (so the child's defaults apply). */
    static PropertyValue.Obj object(Object... keysAndValues) {
        Map<String, PropertyValue> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            PropertyValue v = (PropertyValue) keysAndValues[i + 1];
            if (v != null && !v.isNull()) {
                m.put((String) keysAndValues[i], v);
            }
        }
        return new PropertyValue.Obj(m);
    }
}
