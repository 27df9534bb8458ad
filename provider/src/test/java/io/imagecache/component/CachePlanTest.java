package io.imagecache.component;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.imagecache.spi.Decoded;
import io.imagecache.spi.PropertyValue;
import io.imagecache.spi.Records;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The rollout's batches against the engine's parallelism: a batch of 10 under the engine's default of 8 operations at
 * once (4 per CPU on 2 cores) runs as 8 then 2 (seen in the engine's log of a 50-node mirror change), and the
 * component says so with the command that avoids it.
 */
class CachePlanTest {
    private static CachePlan plan(int nodes, Integer batchSize) {
        List<PropertyValue> ns = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            ns.add(Raw.object("connection", Raw.object("host", PropertyValue.of("10.0.30." + i))));
        }
        PropertyValue.Obj inputs = Raw.object("registryHost", Raw.object("host", PropertyValue.of("10.0.20.10")),
                "advertiseAddress", PropertyValue.of("10.0.20.10"), "nodes", new PropertyValue.Arr(ns),
                "rollout", batchSize == null ? PropertyValue.NULL : Raw.object("batchSize", PropertyValue.of(batchSize)));
        Decoded<PullThroughCache.Args> d = Records.decode(PullThroughCache.Args.class, inputs, Records.Mode.STRICT);
        assertEquals(List.of(), d.failures());
        return CachePlan.of("cache", d, inputs);
    }

    @Test
    void aBatchLargerThanTheEngineRunsAtOnceIsChangedInRoundsAndTheNoteSaysHowToAvoidIt() {
        CachePlan p = plan(50, 10);
        assertEquals(5, p.batches().size());
        assertEquals(Optional.of("a rollout batch has 10 nodes (rollout.batchSize) but this deployment runs at most 8 resource "
                + "operations at once (`--parallel`, by default four per CPU): each batch is changed in 2 rounds; "
                + "`pulumi up --parallel 10` (or more) changes a whole batch at once"), p.parallelNote(8));
        assertEquals(Optional.of(3), p.parallelNote(4).map(n -> Integer.parseInt(n.replaceAll(".* in (\\d+) rounds.*", "$1"))));
    }

    @Test
    void noNoteWhenEveryBatchFitsOrTheEngineDoesNotSay() {
        assertEquals(Optional.empty(), plan(50, 10).parallelNote(10));
        assertEquals(Optional.empty(), plan(50, 10).parallelNote(0), "an engine that sends no parallelism");
        assertEquals(Optional.empty(), plan(50, null).parallelNote(8), "the default batch is one node");
        assertEquals(Optional.empty(), plan(5, 10).parallelNote(8), "the only batch has 5 nodes");
        assertEquals(Optional.of(2), plan(9, 10).parallelNote(8).map(n -> Integer.parseInt(n.replaceAll(".* in (\\d+) rounds.*", "$1"))));
    }
}
