package io.imagecache.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The owner a URN names, its line on a host, and the decision ours / legacy / sibling / foreign / absent. */
class OwnerTest {
    private static final Owner A = new Owner("cache", "prod", "docker-mirror");
    private static final Optional<Owner> US = Optional.of(A);

    @Test
    void theUrnNamesProjectStackAndResource() {
        assertEquals(Optional.of(A), Owner.fromUrn("urn:pulumi:prod::cache::imagecache:index:ContainerdMirror::docker-mirror"));
        assertEquals(Optional.of(new Owner("cache", "prod", "pc-proxy-ghcr")), Owner.fromUrn(
                "urn:pulumi:prod::cache::imagecache:index:PullThroughCache$imagecache:index:RegistryProxy::pc-proxy-ghcr"));
        assertEquals(Optional.empty(), Owner.fromUrn("urn"), "a test's placeholder names nobody");
        assertEquals(Optional.empty(), Owner.fromUrn(null));
        assertEquals(Optional.empty(), Owner.fromUrn("urn:pulumi:prod::cache"));
    }

    @Test
    void theLineRoundTripsAndHostileNamesCannotEndIt() {
        Owner hostile = new Owner("p", "s", "a\nb = \"x\" $(id) `id` # ]]\u0000 é/..");
        String line = hostile.line();
        assertFalse(line.contains("\n") || line.contains("\"") || line.contains("$") || line.contains("`")
                || line.contains("\u0000") || line.contains(" b ") || line.contains("/.."), line);
        assertEquals(Optional.of(hostile), Owner.find("# Managed by imagecache. Do not edit.\n# " + line + "\nserver = \"x\"\n"));
        assertEquals(Optional.of(A), Owner.find(A.line()), "a label value has no comment sign");
        assertEquals("# imagecache:owner stack=cache/prod resource=docker-mirror", "# " + A.line());
    }

    @Test
    void stampPutsOneOwnerLineAfterTheHeaderAndStripTakesItOut() {
        String file = "# Managed by imagecache. Do not edit.\nserver = \"https://registry-1.docker.io\"\n";
        String stamped = Owner.stamp(file, US);
        assertEquals("# Managed by imagecache. Do not edit.\n# imagecache:owner stack=cache/prod resource=docker-mirror\n"
                + "server = \"https://registry-1.docker.io\"\n", stamped);
        Owner b = new Owner("cache", "dev", "docker-mirror");
        assertEquals(Optional.of(b), Owner.find(Owner.stamp(stamped, Optional.of(b))), "restamped, not a second line");
        assertEquals(file, Owner.strip(stamped));
        assertEquals(file, Owner.stamp(stamped, Optional.empty()));
    }

    @Test
    void theClaimDecidesOursLegacySiblingForeignAbsent() {
        assertEquals(Owner.Claim.ABSENT, Owner.claim(false, Optional.empty(), US));
        assertEquals(Owner.Claim.LEGACY, Owner.claim(true, Optional.empty(), US));
        assertEquals(Owner.Claim.OURS, Owner.claim(true, US, US));
        assertEquals(Owner.Claim.SIBLING, Owner.claim(true, Optional.of(new Owner("cache", "prod", "other")), US));
        assertEquals(Owner.Claim.FOREIGN, Owner.claim(true, Optional.of(new Owner("cache", "dev", "docker-mirror")), US));
        assertEquals(Owner.Claim.FOREIGN, Owner.claim(true, Optional.of(new Owner("other", "prod", "docker-mirror")), US));
        assertEquals(Owner.Claim.OURS, Owner.claim(true, US, Optional.empty()), "no URN: claims and refuses nothing");
    }

    @Test
    void aMarkThisResourceWroteBeforeAnAliasRenamedItIsStillItsOwn() {
        Optional<Owner> before = Optional.of(new Owner("cache", "prod", "old-name"));
        Optional<Owner> other = Optional.of(new Owner("cache", "prod", "other"));
        assertEquals(Owner.Claim.OURS, Owner.claim(true, before, US, before), "the state records the mark it wrote");
        assertEquals(Owner.Claim.SIBLING, Owner.claim(true, other, US, before), "another resource wrote it since");
        assertEquals(Owner.Claim.SIBLING, Owner.claim(true, other, US, Optional.empty()));
        Optional<Owner> foreign = Optional.of(new Owner("cache", "dev", "old-name"));
        assertEquals(Owner.Claim.FOREIGN, Owner.claim(true, foreign, US, foreign),
                "a state naming another stack never makes its file ours");
    }

    @Test
    void aForeignThingIsRefusedForEveryOperationNamingTheStackAndWhatToDo() {
        Optional<Owner> b = Optional.of(new Owner("cache", "dev", "docker-mirror"));
        Optional<Owner> foundA = US;
        for (Owner.Op op : Owner.Op.values()) {
            String r = Owner.refusal(Owner.claim(true, foundA, b), foundA, b, op, "the container registry-ghcr on h").orElseThrow();
            assertTrue(r.startsWith("the container registry-ghcr on h belongs to the Pulumi stack cache/prod (resource "
                    + "docker-mirror), not to this stack cache/dev"), r);
            assertTrue(r.endsWith("(nothing was changed)"), r);
            assertTrue(op == Owner.Op.DELETE ? r.contains("pulumi state delete") : r.contains("destroy it there first"), r);
        }
        Optional<Owner> sibling = Optional.of(new Owner("cache", "prod", "other"));
        assertTrue(Owner.refusal(Owner.Claim.SIBLING, sibling, US, Owner.Op.CREATE, "x").orElseThrow()
                .contains("belongs to the resource other of this stack cache/prod"));
        assertEquals(Optional.empty(), Owner.refusal(Owner.Claim.SIBLING, sibling, US, Owner.Op.UPDATE, "x"),
                "an update by another name is this resource renamed with an alias");
        assertEquals(Optional.empty(), Owner.refusal(Owner.Claim.OURS, US, US, Owner.Op.DELETE, "x"));
        assertEquals(Optional.empty(), Owner.refusal(Owner.Claim.LEGACY, Optional.empty(), US, Owner.Op.CREATE, "x"));
    }
}
