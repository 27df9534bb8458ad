package io.imagecache.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The SPI's default diff: host-neutral properties, and resources without update. */
class DefaultDiffTest {

    @ObjectType(token = "test:index:Conn", description = "c")
    record Conn(
            @Prop(description = "h", replaceOnChanges = true) String host,
            @Prop(description = "p", hostNeutral = true) Integer port,
            @Prop(description = "j", hostNeutral = true) Conn proxy) {}

    record Args(
            @Prop(description = "c") Conn connection,
            @Prop(description = "n") String name,
            @Prop(description = "t", hostNeutral = true) Integer waitSeconds) {}

    record State(@Prop(description = "o") String out) {}

    /** A resource with the SPI's default diff and no update. */
    static class Immutable implements CustomResource<Args, State> {
        @Override
        public Class<Args> argsType() {
            return Args.class;
        }

        @Override
        public Class<State> stateType() {
            return State.class;
        }

        @Override
        public CreateResult<State> create(CreateRequest<Args> request) {
            return new CreateResult<>("id", new State("x"));
        }
    }

    /** The same with an update. */
    static final class Mutable extends Immutable {
        @Override
        public State update(UpdateRequest<Args, State> request) {
            return new State("y");
        }
    }

    private static PropertyValue s(String v) {
        return new PropertyValue.Str(v);
    }

    private static PropertyValue n(int v) {
        return new PropertyValue.Num(v);
    }

    private static PropertyValue.Obj o(Object... kv) {
        Map<String, PropertyValue> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (PropertyValue) kv[i + 1]);
        }
        return new PropertyValue.Obj(m);
    }

    private static DiffResult diff(CustomResource<Args, State> r, PropertyValue.Obj olds, PropertyValue.Obj news) {
        Args a = Records.decode(Args.class, olds, Records.Mode.LENIENT).value();
        Decoded<Args> d = Records.decode(Args.class, news, Records.Mode.LENIENT);
        return r.diff(new CustomResource.DiffRequest<>("id", "urn", a, null, d, olds, news, o(),
                Diffs.replaceOnChangesPaths(Args.class)));
    }

    private static final PropertyValue.Obj OLD = o("connection", o("host", s("h1"), "port", n(22),
            "proxy", o("host", s("jump1"), "port", n(22))), "name", s("a"), "waitSeconds", n(10));

    @Test
    void hostNeutralPathsIncludeEverythingMarkedButStopAtRecursion() {
        assertEquals(Set.of("connection.port", "connection.proxy", "waitSeconds"), Diffs.hostNeutralPaths(Args.class));
    }

    @Test
    void changesOfHostNeutralPropertiesAreLeftOut() {
        PropertyValue.Obj news = o("connection", o("host", s("h1"), "port", n(2222),
                "proxy", o("host", s("jump2"), "port", n(23))), "name", s("a"), "waitSeconds", n(600));
        assertFalse(diff(new Mutable(), OLD, news).hasChanges(), diff(new Mutable(), OLD, news).detailed().toString());

        PropertyValue.Obj moved = o("connection", o("host", s("h2"), "port", n(2222)), "name", s("b"));
        DiffResult d = diff(new Mutable(), OLD, moved);
        assertEquals(Set.of("connection.host", "name"), d.detailed().keySet());
        assertEquals(PropertyDiff.Kind.UPDATE_REPLACE, d.detailed().get("connection.host").kind());
        assertEquals(PropertyDiff.Kind.UPDATE, d.detailed().get("name").kind());
        assertEquals(List.of("connection"), d.replaceKeys());
    }

    @Test
    void aResourceWithoutUpdateGetsReplacementsFromTheDefaultDiff() {
        assertFalse(new Immutable().supportsUpdate());
        assertTrue(new Mutable().supportsUpdate());
        PropertyValue.Obj renamed = o("connection", OLD.fields().get("connection"), "name", s("b"), "waitSeconds", n(10));
        DiffResult d = diff(new Immutable(), OLD, renamed);
        assertEquals(Map.of("name", new PropertyDiff(PropertyDiff.Kind.UPDATE_REPLACE, true)), d.detailed());
        assertTrue(d.replaces());
        DiffResult u = diff(new Mutable(), OLD, renamed);
        assertEquals(Map.of("name", new PropertyDiff(PropertyDiff.Kind.UPDATE, true)), u.detailed());
    }
}
