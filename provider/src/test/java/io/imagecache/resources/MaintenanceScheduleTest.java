package io.imagecache.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.maintenance.MaintenanceCron;
import io.imagecache.spi.CheckFailure;
import io.imagecache.spi.Context;
import io.imagecache.spi.CustomResource;
import io.imagecache.spi.Decoded;
import io.imagecache.spi.ResourceException;
import io.imagecache.ssh.FakeRemoteHost;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** MaintenanceSchedule's Check and its decisions at the SSH seam, against a fake host. */
class MaintenanceScheduleTest {
    private final FakeRemoteHost host = new FakeRemoteHost()
            .on("for t in docker curl flock", c -> FakeRemoteHost.ok(""))
            .on("pgrep -x cron", c -> FakeRemoteHost.ok(""));
    private final MaintenanceSchedule resource = new MaintenanceSchedule(host.factory(),
            () -> Optional.of(new DefaultCredentials.Found("-----BEGIN OPENSSH PRIVATE KEY-----", null)));
    private final List<String> warnings = new ArrayList<>();
    private final Context ctx = new Context() {
        @Override
        public void status(String m) {}

        @Override
        public void info(String m) {}

        @Override
        public void warn(String m) {
            warnings.add(m);
        }

        @Override
        public boolean cancelled() {
            return false;
        }
    };

    private static final ConnectionArgs CONN = new ConnectionArgs("10.0.20.10", 22, "root", null, null, null, null,
            null, 15, 10, 2, false);

    private static MaintenanceSchedule.Args args(String container, String gc) {
        return new MaintenanceSchedule.Args(CONN, container, "https://ghcr.io", gc, false, "0 * * * *", "/etc/cron.d");
    }

    private static Decoded<MaintenanceSchedule.Args> d(MaintenanceSchedule.Args a) {
        return new Decoded<>(a, Set.of(), Set.of(), List.of());
    }

    private MaintenanceSchedule.State create(String container) throws ResourceException {
        return resource.create(new CustomResource.CreateRequest<>("urn", container, d(args(container, "0 3 * * 0")),
                false, ctx)).state();
    }

    private void delete(String container, MaintenanceSchedule.State state) throws ResourceException {
        resource.delete(new CustomResource.DeleteRequest<>("id", "urn", args(container, "0 3 * * 0"), state, ctx));
    }

    @Test
    void aScheduleWithALineBreakFailsCheckNamingTheProperty() {
        for (String bad : List.of("0 3 * *\n0", "0 3 * * 0\r\n* * * * * root id", "0 3 * * 0%", "0 3 * *\u00000")) {
            List<CheckFailure> f = resource.check(d(args("registry-ghcr", bad)));
            assertEquals(List.of("gcSchedule"), f.stream().map(CheckFailure::property).toList(), bad);
            MaintenanceSchedule.Args restart = new MaintenanceSchedule.Args(CONN, "registry-ghcr", "https://ghcr.io",
                    "0 3 * * 0", false, bad, "/etc/cron.d");
            assertEquals(List.of("restartSchedule"), resource.check(d(restart)).stream().map(CheckFailure::property)
                    .toList(), bad);
        }
    }

    /** . and _ are spelt with two characters in the file names: 120 characters always fit in 255, 128 of them may not. */
    @Test
    void aContainerNameWhoseScheduleFilesNoHostCanCreateFailsCheck() {
        String longest = "r" + "._".repeat(59) + "x"; // 120 characters: imagecache-r + 238 + x + .lock = 255
        assertEquals(List.of(), resource.check(d(args(longest, "0 3 * * 0"))), longest);
        String tooLong = "r" + "._".repeat(63) + "x"; // 128 characters, which Docker and the name rule allow
        List<CheckFailure> f = resource.check(d(args(tooLong, "0 3 * * 0")));
        assertEquals(List.of("containerName"), f.stream().map(CheckFailure::property).toList());
        assertTrue(f.get(0).reason().contains("at most 120 characters"), f.toString());
        assertEquals(List.of(), resource.check(d(args("r".repeat(128), "0 3 * * 0"))), "128 plain characters fit");
        MaintenanceSchedule.Args longDir = new MaintenanceSchedule.Args(CONN, "registry-ghcr", "https://ghcr.io", "0 3 * * 0",
                false, "0 * * * *", "/etc/" + "d".repeat(256));
        assertEquals(List.of("cronDir"), resource.check(d(longDir)).stream().map(CheckFailure::property).toList());
    }

    @Test
    void containersWhoseNamesDifferOnlyInDotOrUnderscoreKeepTheirOwnFiles() throws Exception {
        MaintenanceSchedule.State dot = create("registry.ghcr");
        MaintenanceSchedule.State underscore = create("registry_ghcr");
        assertTrue(!dot.cronFile().equals(underscore.cronFile()), dot.cronFile() + " vs " + underscore.cronFile());
        assertEquals(Set.of(dot.cronFile(), underscore.cronFile()), host.files.keySet());

        delete("registry.ghcr", dot);
        assertEquals(Set.of(underscore.cronFile()), host.files.keySet(), "the other schedule stays");
        assertEquals(Optional.of("registry_ghcr"), MaintenanceCron.containerOf(host.files.get(underscore.cronFile())));
    }

    /** A file left by an older version that spelt both names alike: delete only removes its own. */
    @Test
    void deleteLeavesAFileThatNamesAnotherContainer() throws Exception {
        MaintenanceSchedule.State other = create("registry_ghcr");
        MaintenanceSchedule.State mine = new MaintenanceSchedule.State(other.cronFile(), other.content(), Map.of());
        delete("registry.ghcr", mine);
        assertTrue(host.files.containsKey(other.cronFile()), "the other container's schedule stays");
        assertTrue(warnings.get(0).contains("is the schedule of container registry_ghcr, not of registry.ghcr"),
                warnings.toString());
    }

    @Test
    void createNeverOverwritesAHandMadeFileOrAnotherContainersSchedule() throws Exception {
        String path = "/etc/cron.d/imagecache-registry-ghcr";
        host.files.put(path, "0 3 * * 0 root /usr/local/bin/my-gc\n");
        ResourceException e = assertThrows(ResourceException.class, () -> create("registry-ghcr"));
        assertEquals(ResourceException.Kind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage().contains("was not written by imagecache"), e.getMessage());
        assertEquals("0 3 * * 0 root /usr/local/bin/my-gc\n", host.files.get(path));

        String foreign = MaintenanceCron.render(MaintenanceSchedule.plan(args("registry-quay", "0 3 * * 0")));
        host.files.put(path, foreign);
        e = assertThrows(ResourceException.class, () -> create("registry-ghcr"));
        assertTrue(e.getMessage().contains("is the schedule of container registry-quay"), e.getMessage());
        assertEquals(foreign, host.files.get(path));
        assertEquals(List.of(), host.writes);
    }

    /** A file at the schedule's path without our header: create and update refuse naming it and the way out. */
    @Test
    void aCronFileWithoutOurHeaderIsRefusedByCreateAndUpdateAndLeftAsItIs() throws Exception {
        String path = "/etc/cron.d/imagecache-registry-ghcr";
        String theirs = "# our own gc\n0 3 * * 0 root /usr/local/bin/my-gc\n";
        host.files.put(path, theirs);
        ResourceException e = assertThrows(ResourceException.class, () -> create("registry-ghcr"));
        assertEquals(ResourceException.Kind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage().startsWith(path + " on root@10.0.20.10:22 exists and was not written by imagecache (it "
                + "lacks the header \"" + MaintenanceCron.HEADER + "\"), so it is not overwritten: move it away (e.g. mv "
                + path + " /root/"), e.getMessage());
        assertTrue(e.getMessage().endsWith("or set another cronDir (nothing was changed)"), e.getMessage());

        host.files.remove(path);
        MaintenanceSchedule.State made = create("registry-ghcr");
        host.files.put(path, theirs); // replaced by hand after the create
        MaintenanceSchedule.Args changed = args("registry-ghcr", "0 4 * * 0");
        e = assertThrows(ResourceException.class, () -> resource.update(new CustomResource.UpdateRequest<>("id", "urn",
                args("registry-ghcr", "0 3 * * 0"), made, d(changed), false, ctx)));
        assertEquals(ResourceException.Kind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage().contains("no longer carries the imagecache header"), e.getMessage());
        assertTrue(e.getMessage().contains("Move it away (e.g. mv " + path + " /root/)"), e.getMessage());
        assertEquals(theirs, host.files.get(path), "their file is unchanged");
    }

    /** Two stacks, one host: B never overwrites or deletes the schedule A's stack wrote; a legacy file is adopted. */
    @Test
    void anotherStacksScheduleIsNeitherOverwrittenNorDeletedAndALegacyOneIsAdopted() throws Exception {
        String urnA = "urn:pulumi:a::cache::imagecache:index:MaintenanceSchedule::gc";
        String urnB = "urn:pulumi:b::cache::imagecache:index:MaintenanceSchedule::gc";
        MaintenanceSchedule.State a = resource.create(new CustomResource.CreateRequest<>(urnA, "gc",
                d(args("registry-ghcr", "0 3 * * 0")), false, ctx)).state();
        String written = host.files.get(a.cronFile());
        assertTrue(written.contains("\n# imagecache:owner stack=cache/a resource=gc\n"), written);
        ResourceException e = assertThrows(ResourceException.class, () -> resource.create(new CustomResource.CreateRequest<>(
                urnB, "gc", d(args("registry-ghcr", "0 4 * * 0")), false, ctx)));
        assertEquals(ResourceException.Kind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage().contains("belongs to the Pulumi stack cache/a (resource gc), not to this stack cache/b"),
                e.getMessage());
        e = assertThrows(ResourceException.class, () -> resource.delete(new CustomResource.DeleteRequest<>("id", urnB,
                args("registry-ghcr", "0 3 * * 0"), a, ctx)));
        assertTrue(e.getMessage().contains("pulumi state delete"), e.getMessage());
        assertEquals(written, host.files.get(a.cronFile()), "A's file is as A wrote it");

        String legacy = MaintenanceCron.render(MaintenanceSchedule.plan(args("registry-ghcr", "0 3 * * 0")));
        host.files.put(a.cronFile(), legacy);
        MaintenanceSchedule.State adopted = resource.create(new CustomResource.CreateRequest<>(urnB, "gc",
                d(args("registry-ghcr", "0 3 * * 0")), false, ctx)).state();
        assertTrue(adopted.content().contains("# imagecache:owner stack=cache/b resource=gc"), adopted.content());
        assertEquals(legacy, io.imagecache.spi.Owner.strip(host.files.get(a.cronFile())));
    }
}
