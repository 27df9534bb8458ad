package io.imagecache.component;

import io.imagecache.spi.CheckFailure;
import io.imagecache.spi.Children;
import io.imagecache.spi.PropertyValue;
import io.imagecache.spi.ResourceException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Carries out a {@link CachePlan} through the engine, in the runbook's order: check every child first
 * (nothing is registered if one is refused), then every proxy at once, each followed by its
 * maintenance schedule; then, once every proxy is healthy, the nodes batch by batch, each batch only
 * after the previous one finished; the first failure stops the rollout and the nodes after it are not
 * registered (so not touched; the engine keeps what it had for them). A preview asks about every node at once.
 *
 * <p>The order is kept by waiting for the engine's answer, not by declaring the proxies as engine
 * dependencies of the schedules and mirrors: a proxy replaced (a new port: delete before create) would
 * then make the engine replace every node's mirror too, deleting its hosts.toml files, where an update of
 * the one file that names the proxy is what is needed.
 */
final class CacheRollout {
    private final CachePlan plan;
    private final Children children;

    CacheRollout(CachePlan plan, Children children) {
        this.plan = plan;
        this.children = children;
    }

    PropertyValue.Obj run() throws ResourceException {
        checkEveryChild();
        plan.notes().forEach(n -> children.context().info(n));
        plan.parallelNote(children.parallel()).ifPresent(n -> children.context().info(n));
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "pull-through-cache");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Children.Registered>> proxies = new ArrayList<>();
            List<Future<Children.Registered>> schedules = new ArrayList<>();
            for (CachePlan.Proxy p : plan.proxies()) {
                Future<Children.Registered> proxy = pool.submit(() -> children.register(p.proxy().child()));
                proxies.add(proxy);
                schedules.add(pool.submit(() -> {
                    proxy.get();
                    return children.register(p.schedule().child());
                }));
            }
            List<Children.Registered> proxyResults;
            try {
                proxyResults = await(proxies, plan.proxies().stream()
                        .map(p -> "the proxy of upstream " + p.upstream()).toList(), "no node was changed");
                requireHealthy(proxyResults);
            } catch (ResourceException e) {
                quietly(schedules);
                throw e;
            }

            Map<String, PropertyValue> nodes = new LinkedHashMap<>();
            List<List<CachePlan.Node>> rounds = rounds();
            for (int b = 0; b < rounds.size(); b++) {
                List<CachePlan.Node> batch = rounds.get(b);
                children.context().status((children.dryRun() ? "previewing " : "rolling out to ")
                        + String.join(", ", batch.stream().map(CachePlan.Node::key).toList())
                        + (children.dryRun() ? "" : " (batch " + (b + 1) + " of " + rounds.size() + ")"));
                List<Future<Children.Registered>> mirrors = new ArrayList<>();
                for (CachePlan.Node n : batch) {
                    mirrors.add(pool.submit(() -> children.register(n.mirror().child())));
                }
                List<Children.Registered> done = await(mirrors, batch.stream().map(n -> "node " + n.key()).toList(),
                        untouched(rounds, b + 1));
                for (int i = 0; i < batch.size(); i++) {
                    PropertyValue.Obj o = done.get(i).outputs();
                    nodes.put(batch.get(i).key(), Raw.object(
                            "containerdVersion", output(o, "containerdVersion"),
                            "configChanged", output(o, "configChanged")));
                }
            }
            List<Children.Registered> scheduleResults = await(schedules, plan.proxies().stream()
                    .map(p -> "the maintenance schedule of upstream " + p.upstream()).toList(), "");
            Map<String, PropertyValue> cronFiles = new LinkedHashMap<>();
            for (int i = 0; i < plan.proxies().size(); i++) {
                cronFiles.put(plan.proxies().get(i).upstream(), output(scheduleResults.get(i).outputs(), "cronFile"));
            }
            return Raw.object(
                    "endpoints", new PropertyValue.Obj(plan.endpoints()),
                    "nodes", new PropertyValue.Obj(nodes),
                    "cronFiles", new PropertyValue.Obj(cronFiles));
        } finally {
            pool.shutdownNow();
        }
    }

    /** Every child's own Check, on what the plan gives it, with the failures named by the component's inputs. */
    private void checkEveryChild() throws ResourceException {
        List<CachePlan.Planned> all = new ArrayList<>();
        for (CachePlan.Proxy p : plan.proxies()) {
            all.add(p.proxy());
            all.add(p.schedule());
        }
        plan.batches().forEach(b -> b.forEach(n -> all.add(n.mirror())));
        List<CheckFailure> failures = new ArrayList<>();
        for (CachePlan.Planned p : all) {
            for (CheckFailure f : children.check(p.child())) {
                CheckFailure mapped = new CheckFailure(p.origins().componentPath(f.property()), f.reason());
                if (!failures.contains(mapped)) {
                    failures.add(mapped);
                }
            }
        }
        if (!failures.isEmpty()) {
            throw invalid(failures);
        }
    }

    static ResourceException invalid(List<CheckFailure> failures) {
        return new ResourceException(ResourceException.Kind.INVALID, CheckFailure.describe("PullThroughCache: invalid "
                + "inputs (nothing was registered and no host was contacted):", failures));
    }

    private void requireHealthy(List<Children.Registered> proxies) throws ResourceException {
        if (children.dryRun()) {
            return;
        }
        List<String> unhealthy = new ArrayList<>();
        for (int i = 0; i < proxies.size(); i++) {
            PropertyValue h = proxies.get(i).outputs().fields().getOrDefault("healthy", PropertyValue.NULL).unwrapped();
            if (!(h instanceof PropertyValue.Bool b && b.value())) {
                unhealthy.add("registry-" + plan.proxies().get(i).upstream());
            }
        }
        if (!unhealthy.isEmpty()) {
            throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, String.join(", ", unhealthy)
                    + (unhealthy.size() == 1 ? " is" : " are") + " not healthy (running with our config, answering "
                    + "/v2/), so no node was pointed at the caches; `pulumi refresh` shows the proxies' state and the "
                    + "container logs say why");
        }
    }

    /**
     * The batches, in an update; every node at once in a preview: a preview changes nothing, so it need not wait
     * for one batch's answers before it asks about the next (at 100 nodes that waiting was 4 s of a preview), and
     * the engine shows the same steps either way (batches are kept by waiting, not by dependencies).
     */
    private List<List<CachePlan.Node>> rounds() {
        if (!children.dryRun() || plan.batches().size() < 2) {
            return plan.batches();
        }
        return List.of(plan.batches().stream().flatMap(List::stream).toList());
    }

    private static String untouched(List<List<CachePlan.Node>> rounds, int fromBatch) {
        List<String> rest = new ArrayList<>();
        for (int b = fromBatch; b < rounds.size(); b++) {
            rounds.get(b).forEach(n -> rest.add(n.key()));
        }
        return rest.isEmpty() ? "" : "the rollout stopped; not touched: " + String.join(", ", rest);
    }

    /** Waits for every registration; the first failure (after all have ended) names its child and what was not done. */
    private static List<Children.Registered> await(List<Future<Children.Registered>> futures, List<String> what,
                                                   String consequence) throws ResourceException {
        List<Children.Registered> out = new ArrayList<>();
        ResourceException first = null;
        for (int i = 0; i < futures.size(); i++) {
            try {
                out.add(futures.get(i).get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ResourceException(ResourceException.Kind.CANCELLED, "interrupted while waiting for " + what.get(i));
            } catch (ExecutionException e) {
                if (first == null) {
                    Throwable c = e.getCause() instanceof ExecutionException ee ? ee.getCause() : e.getCause();
                    ResourceException.Kind kind = c instanceof ResourceException re ? re.kind()
                            : ResourceException.Kind.FAILED_PRECONDITION;
                    first = new ResourceException(kind, what.get(i) + " failed: " + c.getMessage()
                            + (consequence.isEmpty() ? "" : "; " + consequence), c);
                }
                out.add(null);
            }
        }
        if (first != null) {
            throw first;
        }
        return out;
    }

    /** Lets registrations under way end (an interrupted one would leave the engine waiting on it). */
    private static void quietly(List<Future<Children.Registered>> futures) {
        for (Future<Children.Registered> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException e) {
                // reported through the proxy it waited for
            }
        }
    }

    private static PropertyValue output(PropertyValue.Obj outputs, String key) {
        return outputs.fields().getOrDefault(key, new PropertyValue.Unknown(PropertyValue.UnknownKind.STRING));
    }
}
