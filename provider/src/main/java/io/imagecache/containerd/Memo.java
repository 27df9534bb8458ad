package io.imagecache.containerd;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The last answers of a pure function of immutable values, kept in this process. The engine asks the same question of
 * every node of a fleet (a PullThroughCache gives every node the same mirrors): Check, Diff and the preview validate
 * and render one mirror list per node, 50 times over at 50 nodes, in a JVM that has not warmed up. Bounded: the least
 * recently used answer goes first.
 */
final class Memo<K, V> {
    private final Function<K, V> f;
    private final Map<K, V> answers;

    Memo(int size, Function<K, V> f) {
        this.f = f;
        this.answers = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > size;
            }
        };
    }

    /** {@code f(key)}, computed once while it is kept; {@code f} runs outside the lock (a race computes it twice). */
    V get(K key) {
        synchronized (answers) {
            V v = answers.get(key);
            if (v != null) {
                return v;
            }
        }
        V v = f.apply(key);
        synchronized (answers) {
            answers.put(key, v);
        }
        return v;
    }
}
