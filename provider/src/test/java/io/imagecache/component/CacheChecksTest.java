package io.imagecache.component;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.spi.CheckFailure;
import io.imagecache.spi.Decoded;
import io.imagecache.spi.PropertyValue;
import io.imagecache.spi.Records;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What PullThroughCache refuses on its own, before any child is planned, each named by its property. */
class CacheChecksTest {
    private static PropertyValue s(String v) {
        return PropertyValue.of(v);
    }

    private static PropertyValue n(int v) {
        return PropertyValue.of(v);
    }

    private static PropertyValue.Obj o(Object... kv) {
        return Raw.object(kv);
    }

    private static PropertyValue l(PropertyValue... items) {
        return new PropertyValue.Arr(List.of(items));
    }

    private static PropertyValue.Obj valid() {
        return o("registryHost", o("host", s("10.0.20.10")), "advertiseAddress", s("10.0.20.10"),
                "nodes", l(o("connection", o("host", s("10.0.30.1")))));
    }

    private static List<CheckFailure> check(PropertyValue.Obj inputs) {
        Decoded<PullThroughCache.Args> d = Records.decode(PullThroughCache.Args.class, inputs, Records.Mode.STRICT);
        assertEquals(List.of(), d.failures());
        return CacheChecks.check(d);
    }

    private static PropertyValue.Obj with(String key, PropertyValue v) {
        Map<String, PropertyValue> m = new java.util.LinkedHashMap<>(valid().fields());
        m.put(key, v);
        return new PropertyValue.Obj(m);
    }

    private static void refused(PropertyValue.Obj inputs, String property, String words) {
        List<CheckFailure> f = check(inputs);
        assertTrue(f.stream().anyMatch(x -> x.property().equals(property) && x.reason().contains(words)),
                property + " / " + words + " in " + f);
    }

    @Test
    void theDefaultsPass() {
        assertEquals(List.of(), check(valid()));
    }

    @Test
    void duplicates() {
        PropertyValue up1 = o("name", s("ghcr"), "registry", s("ghcr.io"), "port", n(5010));
        refused(with("upstreams", l(up1, o("name", s("quay"), "registry", s("quay.io"), "port", n(5010)))),
                "upstreams[1].port", "5010 is also upstreams[0]'s");
        refused(with("upstreams", l(up1, o("name", s("ghcr"), "registry", s("quay.io"), "port", n(5020)))),
                "upstreams[1].name", "registry-<name>");
        refused(with("upstreams", l(up1, o("name", s("gh2"), "registry", s("GHCR.io"), "port", n(5020)))),
                "upstreams[1].registry", "one cache only");
        refused(with("nodes", l(o("connection", o("host", s("n1"))), o("connection", o("host", s("n1"), "port", n(22))))),
                "nodes[1].connection.host", "n1 is also nodes[0]'s");
        assertEquals(List.of(), check(with("nodes", l(o("connection", o("host", s("n1"), "port", n(2201))),
                o("connection", o("host", s("n1"), "port", n(2202)))))), "one address, two sshd ports: two nodes");
    }

    /** The port is part of every node's mirror URL too: refused once, as the component's input, before any child's Check. */
    @Test
    void anUpstreamPortOutOfRangeIsOneFailure() {
        List<CheckFailure> f = check(with("upstreams", l(o("name", s("ghcr"), "registry", s("ghcr.io"), "port", n(70000)))));
        assertEquals(List.of(new CheckFailure("upstreams[0].port", "must be between 1 and 65535, e.g. 5010")), f);
    }

    @Test
    void aNodeMirrorForACachedRegistry() {
        refused(with("nodes", l(o("connection", o("host", s("n1")), "mirrors",
                        l(o("registry", s("ghcr.io"), "endpoints", l(s("http://m:1"))))))),
                "nodes[0].mirrors[0].registry", "already mirrored by the component through upstreams[1] (ghcr)");
    }

    @Test
    void theAdvertisedAddressIsAHostOnly() {
        refused(with("advertiseAddress", s("http://10.0.20.10")), "advertiseAddress", "has a scheme");
        refused(with("advertiseAddress", s("10.0.20.10:5000")), "advertiseAddress", "has a port");
        refused(with("advertiseAddress", s("")), "advertiseAddress", "is empty");
        refused(with("advertiseAddress", s("cache;reboot")), "advertiseAddress", "not in a host name or IP address");
        assertEquals(List.of(), check(with("advertiseAddress", s("fd00::10"))), "an IPv6 address is fine");
    }

    @Test
    void schedulesThatCannotBeStaggered() {
        refused(with("maintenance", o("gcSchedule", s("0 22 * * 0"), "gcGapMinutes", n(60))), "maintenance.gcSchedule",
                "before midnight");
        refused(with("maintenance", o("gcSchedule", s("*/10 3 * * 0"))), "maintenance.gcSchedule", "single numbers");
        refused(with("maintenance", o("gcSchedule", s("0 3 * *"))), "maintenance.gcSchedule", "");
        refused(with("maintenance", o("gcGapMinutes", n(0))), "maintenance.gcGapMinutes", "between 1 and 1440");
        refused(with("upstreams", l()), "upstreams", "is empty");
        refused(with("rollout", o("batchSize", n(0))), "rollout.batchSize", "1 or more");
        assertEquals(List.of(), check(oneUpstream()), "one proxy needs no stagger");
    }

    private static PropertyValue.Obj oneUpstream() {
        Map<String, PropertyValue> m = new java.util.LinkedHashMap<>(valid().fields());
        m.put("upstreams", l(o("name", s("ghcr"), "registry", s("ghcr.io"), "port", n(5010))));
        m.put("maintenance", o("gcSchedule", s("*/10 3 * * 0")));
        return new PropertyValue.Obj(m);
    }
}
